"""SMTP settings (three levels), the switches, the outbox and the demo capture inbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spysystem.finance.models import Company


class SmtpLevel(models.TextChoices):
    GENERAL = "general", _("Geral / Spy System")
    FINANCE = "finance", _("Financeiro / Spy System")
    COMPANY = "company", _("Financeiro / Spy System / Empresas")


class SmtpSecurity(models.TextChoices):
    STARTTLS = "starttls", _("STARTTLS (obrigatório)")
    SSL = "ssl", _("SSL/TLS implícito")
    NONE = "none", _("Nenhuma (somente servidor local)")


class SmtpSettings(models.Model):
    """One SMTP server configuration. ``company`` is set only at the company level."""

    level = models.CharField(max_length=10, choices=SmtpLevel.choices)
    company = models.OneToOneField(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="smtp_settings"
    )
    host = models.CharField(_("servidor"), max_length=255)
    port = models.PositiveIntegerField(_("porta"), default=587)
    security = models.CharField(
        _("segurança"), max_length=10, choices=SmtpSecurity.choices, default=SmtpSecurity.STARTTLS
    )
    username = models.CharField(_("usuário"), max_length=255, blank=True)
    password_encrypted = models.TextField(blank=True)
    from_email = models.EmailField(_("e-mail do remetente"))
    from_name = models.CharField(_("nome do remetente"), max_length=200, blank=True)
    reply_to = models.EmailField(_("responder para"), blank=True)
    timeout = models.PositiveIntegerField(_("tempo limite (s)"), default=30)
    max_connections = models.PositiveIntegerField(_("conexões simultâneas"), default=2)
    max_per_minute = models.PositiveIntegerField(_("mensagens por minuto"), default=120)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level"],
                condition=models.Q(company__isnull=True),
                name="smtp_one_per_global_level",
            ),
            models.CheckConstraint(
                condition=(models.Q(level="company") & models.Q(company__isnull=False))
                | (~models.Q(level="company") & models.Q(company__isnull=True)),
                name="smtp_company_iff_company_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level}: {self.host}:{self.port}"

    @property
    def has_password(self) -> bool:
        return bool(self.password_encrypted)


class SmtpState(models.Model):
    """Shared, per-settings delivery state that every worker reads and writes under a row lock:
    the token bucket of ``max_per_minute``, the connection leases of ``max_connections`` and the
    circuit breaker."""

    settings = models.OneToOneField(SmtpSettings, on_delete=models.CASCADE, related_name="state")
    tokens = models.FloatField(default=0)
    tokens_at = models.DateTimeField(null=True, blank=True)
    connections = models.JSONField(default=dict)  # {lease id: ISO expiry}
    failures = models.PositiveIntegerField(default=0)
    open_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    alerted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"state of {self.settings_id}"


class MailSwitches(models.Model):
    """The three options of the manual (a single row, id=1)."""

    use_spy_smtp = models.BooleanField(default=False)
    cobranca_por_empresa = models.BooleanField(default=False)
    aviso_por_empresa = models.BooleanField(default=False)

    def __str__(self) -> str:
        return "switches"

    @classmethod
    def current(cls) -> MailSwitches:
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class Routine(models.TextChoices):
    SPY = "spy", _("Spy System")
    BOLETO = "boleto", _("Envio de boleto")
    COBRANCA = "cobranca", _("Envio de cobrança")
    AVISO = "aviso", _("Aviso de vencimento")
    TEST = "test", _("Teste de envio")
    ALERT = "alert", _("Alerta de servidor SMTP")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("pendente")
    SENDING = "sending", _("enviando")
    SENT = "sent", _("enviado")
    FAILED = "failed", _("falhou")
    CANCELLED = "cancelled", _("cancelado")


class Message(models.Model):
    """An outbox row: every e-mail the system will ever send, committed before any network I/O.

    State machine ``pending → sending → sent | failed | cancelled`` (``sending → pending`` on a
    temporary failure or an expired lease). One row per recipient; ``dedupe_key`` makes enqueueing
    idempotent.
    """

    routine = models.CharField(max_length=10, choices=Routine.choices)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL)
    dedupe_key = models.CharField(max_length=200, unique=True)
    to_email = models.EmailField()
    to_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(max_length=100, blank=True)
    last_error = models.TextField(blank=True)
    smtp_level = models.CharField(max_length=10, blank=True)
    smtp_reply = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    change = models.ForeignKey(
        "watch.Change", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    reply_to = models.CharField(max_length=254, blank=True)  # overrides the settings' reply-to
    party = models.ForeignKey(
        "finance.Party", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    titles = models.ManyToManyField("finance.Title", blank=True, related_name="messages")
    pinned_settings = models.ForeignKey(
        SmtpSettings, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # alerts about a failing server go out through another one, named here
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="message_due",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["lease_until"],
                name="message_leased",
                condition=models.Q(status="sending"),
            ),
            models.Index(fields=["company", "routine", "status"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.routine} → {self.to_email} ({self.status})"


class CapturedMessage(models.Model):
    """A message received by the demo capture SMTP server, shown in the UI."""

    mail_from = models.CharField(max_length=320)
    recipients = models.TextField()
    subject = models.CharField(max_length=500, blank=True)
    raw = models.TextField()
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.subject


class MessageAttachment(models.Model):
    """A file sent with an outbox message (a boleto PDF, an invoice), stored with it so the
    message is complete before any network I/O."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, default="application/pdf")
    content = models.BinaryField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename
