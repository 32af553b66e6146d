"""Writes of the mail context: enqueueing, the outbox state machine, SMTP settings.

Outbox transitions are guarded updates (``status``/``leased_by`` in the WHERE clause), so a worker
whose lease was taken over can never overwrite the newer owner's result.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from spysystem.audit.services import settings_change_record
from spysystem.finance.models import Company
from spysystem.mail.crypto import decrypt, encrypt, rotate
from spysystem.mail.models import (
    MailSwitches,
    Message,
    MessageAttachment,
    MessageStatus,
    Routine,
    SmtpSettings,
)
from spysystem.mail.validation import validate_no_newlines, validate_smtp_settings


@dataclass(frozen=True)
class MessageDraft:
    routine: str
    dedupe_key: str
    to_email: str
    subject: str
    body_text: str
    body_html: str = ""
    to_name: str = ""
    company_id: int | None = None
    change_id: int | None = None
    attachments: tuple[tuple[str, str, bytes], ...] = ()  # (filename, content type, content)
    party_id: int | None = None
    title_ids: tuple[int, ...] = ()  # the titles the message is about (history per title)
    reply_to: str = ""


def _notify_workers() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify('spy_work', 'message')")


def message_enqueue_many(drafts: list[MessageDraft]) -> int:
    """Insert the drafts as pending outbox rows (with their attachments), skipping keys that
    already exist. Returns how many rows are new. Runs in the caller's transaction: the rows
    commit (and the workers are woken) together with whatever caused them.
    """
    if not drafts:
        return 0
    keys = [d.dedupe_key for d in drafts]
    existing = set(Message.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    fresh = [d for d in drafts if d.dedupe_key not in existing]
    fields = [f for f in MessageDraft.__dataclass_fields__ if f not in ("attachments", "title_ids")]
    Message.objects.bulk_create(
        [Message(**{f: getattr(d, f) for f in fields}) for d in fresh], ignore_conflicts=True
    )
    _attach([d for d in fresh if d.attachments or d.title_ids])
    _notify_workers()
    return Message.objects.filter(dedupe_key__in=keys).count() - len(existing)


def _attach(drafts: list[MessageDraft]) -> None:
    if not drafts:
        return
    ids = dict(
        Message.objects.filter(dedupe_key__in=[d.dedupe_key for d in drafts]).values_list(
            "dedupe_key", "id"
        )
    )
    MessageAttachment.objects.bulk_create(
        MessageAttachment(message_id=ids[d.dedupe_key], filename=n, content_type=t, content=c)
        for d in drafts
        for n, t, c in d.attachments
    )
    links = Message.titles.through
    links.objects.bulk_create(
        links(message_id=ids[d.dedupe_key], title_id=t) for d in drafts for t in d.title_ids
    )


def _due_filter(now: datetime) -> Q:
    pending = Q(status=MessageStatus.PENDING, next_attempt_at__lte=now)
    abandoned = Q(status=MessageStatus.SENDING, lease_until__lt=now)
    return pending | abandoned


def messages_claim(*, worker_id: str, limit: int) -> list[int]:
    """Lease up to ``limit`` due messages (and ones whose lease expired) to ``worker_id``.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED`` so concurrent workers take disjoint rows. SQLite:
    the IMMEDIATE transaction already serializes writers.
    """
    now = timezone.now()
    with transaction.atomic():
        due = Message.objects.filter(_due_filter(now)).order_by("next_attempt_at", "id")
        ids = list(due.select_for_update(skip_locked=True).values_list("id", flat=True)[:limit])
        if ids:
            Message.objects.filter(id__in=ids).update(
                status=MessageStatus.SENDING,
                lease_until=now + timedelta(seconds=settings.SPY_LEASE_SECONDS),
                leased_by=worker_id,
            )
    return ids


def _leased(message_id: int, worker_id: str):
    return Message.objects.filter(pk=message_id, status=MessageStatus.SENDING, leased_by=worker_id)


def message_mark_sent(*, message_id: int, worker_id: str, level: str, reply: str) -> bool:
    """sending → sent, with the server's reply."""
    return bool(messages_mark_sent(replies={message_id: reply}, worker_id=worker_id, level=level))


def messages_mark_sent(*, replies: dict[int, str], worker_id: str, level: str) -> int:
    """sending → sent for several messages at once (one UPDATE), each with its own reply."""
    from django.db.models import Case, CharField, Value, When

    reply_of = Case(
        *[When(pk=pk, then=Value(reply[:2000])) for pk, reply in replies.items()],
        output_field=CharField(),
    )
    return Message.objects.filter(
        pk__in=list(replies), status=MessageStatus.SENDING, leased_by=worker_id
    ).update(
        status=MessageStatus.SENT,
        sent_at=timezone.now(),
        smtp_level=level,
        smtp_reply=reply_of,
        last_error="",
        lease_until=None,
        attempts=F("attempts") + 1,
    )


def message_mark_failed(*, message_id: int, worker_id: str, level: str, error: str) -> bool:
    """sending → failed (permanent error or retries exhausted)."""
    return bool(
        _leased(message_id, worker_id).update(
            status=MessageStatus.FAILED,
            smtp_level=level,
            last_error=error[:2000],
            lease_until=None,
            attempts=F("attempts") + 1,
        )
    )


def retry_delay(attempts: int) -> float:
    """Exponential backoff with full jitter in [50 %, 100 %] of ``base·2^(n−1)``, capped."""
    ceiling = min(settings.SPY_RETRY_CAP, settings.SPY_RETRY_BASE * 2 ** max(attempts - 1, 0))
    return ceiling * random.uniform(0.5, 1.0)  # noqa: S311 (jitter, not security)


def _expired(message: Message, now: datetime) -> bool:
    return message.created_at < now - timedelta(hours=settings.SPY_MAX_AGE_HOURS)


def message_mark_retry(
    *,
    message: Message,
    worker_id: str,
    level: str,
    error: str,
    spend_attempt: bool = True,
    retry_at: datetime | None = None,
) -> bool:
    """sending → pending later; → failed when the attempt budget or the maximum age is spent.

    ``spend_attempt=False`` defers without counting (no route yet, rate limit, server down).
    A message with no route (``level`` empty) never expires: it waits for settings.
    """
    now = timezone.now()
    attempts = message.attempts + (1 if spend_attempt else 0)
    if attempts >= settings.SPY_MAX_ATTEMPTS:
        exhausted = _("%(error)s (tentativas esgotadas: %(n)d)") % {"error": error, "n": attempts}
        return message_mark_failed(
            message_id=message.pk, worker_id=worker_id, level=level, error=exhausted
        )
    if level and _expired(message, now):
        expired = _("%(error)s (não entregue em %(h)d horas)") % {
            "error": error,
            "h": settings.SPY_MAX_AGE_HOURS,
        }
        return message_mark_failed(
            message_id=message.pk, worker_id=worker_id, level=level, error=expired
        )
    if retry_at is None:
        delay = retry_delay(attempts) if spend_attempt else settings.SPY_RETRY_BASE
        retry_at = now + timedelta(seconds=delay)
    return bool(
        _leased(message.pk, worker_id).update(
            status=MessageStatus.PENDING,
            attempts=attempts,
            next_attempt_at=retry_at,
            smtp_level=level,
            last_error=error[:2000],
            lease_until=None,
        )
    )


def message_retry(*, message: Message) -> bool:
    """failed/cancelled/pending → pending now (the e-mail log's "Reenviar")."""
    retryable = [MessageStatus.FAILED, MessageStatus.CANCELLED, MessageStatus.PENDING]
    updated = Message.objects.filter(pk=message.pk, status__in=retryable).update(
        status=MessageStatus.PENDING, next_attempt_at=timezone.now(), last_error=""
    )
    _notify_workers()
    return bool(updated)


def message_cancel(*, message: Message) -> bool:
    """pending/failed → cancelled; a message being sent or already sent cannot be cancelled."""
    return bool(
        Message.objects.filter(
            pk=message.pk, status__in=[MessageStatus.PENDING, MessageStatus.FAILED]
        ).update(status=MessageStatus.CANCELLED, lease_until=None)
    )


SMTP_FIELDS = frozenset(
    {
        "host",
        "port",
        "security",
        "username",
        "from_email",
        "from_name",
        "reply_to",
        "timeout",
        "max_connections",
        "max_per_minute",
    }
)


def _smtp_snapshot(instance: SmtpSettings | None) -> dict[str, Any] | None:
    if instance is None or instance.pk is None:
        return None
    values = {name: getattr(instance, name) for name in sorted(SMTP_FIELDS)}
    values["password"] = instance.has_password
    return values


def _smtp_area(level: str, company: Company | None) -> str:
    return f"smtp:{level}" + (f":{company.code}" if company else "")


@transaction.atomic
def smtp_settings_save(
    *,
    level: str,
    company: Company | None = None,
    password: str | None = None,
    actor: object | None = None,
    origin: str = "system",
    **fields: Any,
) -> SmtpSettings:
    """Create or replace the settings of one level (``company`` only at the company level).

    ``password=None`` keeps the stored password; ``""`` clears it. Everything is validated
    (``validate_smtp_fields``) before anything is written.
    """
    unknown = set(fields) - SMTP_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    instance = SmtpSettings.objects.filter(level=level, company=company).first() or SmtpSettings(
        level=level, company=company
    )
    before = _smtp_snapshot(instance)
    for name, value in fields.items():
        setattr(instance, name, value)
    validate_smtp_settings(instance)
    if password is not None:
        validate_no_newlines({"password": password})
        instance.password_encrypted = encrypt(password)
    instance.save()
    after = _smtp_snapshot(instance)
    if password is not None:
        after["password_changed"] = True
    settings_change_record(
        area=_smtp_area(level, company), actor=actor, origin=origin, before=before, after=after
    )
    return instance


@transaction.atomic
def smtp_settings_delete(
    *,
    level: str,
    company: Company | None = None,
    actor: object | None = None,
    origin: str = "system",
) -> bool:
    """Remove the settings of one level; messages waiting fall back to the next level."""
    instance = SmtpSettings.objects.filter(level=level, company=company).first()
    if instance is None:
        return False
    before = _smtp_snapshot(instance)
    instance.delete()
    settings_change_record(
        area=_smtp_area(level, company), actor=actor, origin=origin, before=before, after=None
    )
    return True


SWITCHES = ("use_spy_smtp", "cobranca_por_empresa", "aviso_por_empresa")


@transaction.atomic
def switches_set(
    *, actor: object | None = None, origin: str = "system", **values: bool
) -> MailSwitches:
    """Set any of ``use_spy_smtp``, ``cobranca_por_empresa``, ``aviso_por_empresa``."""
    switches = MailSwitches.current()
    before = {name: getattr(switches, name) for name in SWITCHES}
    for name, value in values.items():
        if name not in SWITCHES:
            raise TypeError(name)
        setattr(switches, name, bool(value))
    switches.save()
    after = {name: getattr(switches, name) for name in SWITCHES}
    settings_change_record(area="switches", actor=actor, origin=origin, before=before, after=after)
    return switches


def smtp_passwords_rotate() -> int:
    """Re-encrypt every stored SMTP password with the newest key; returns how many."""
    count = 0
    for row in SmtpSettings.objects.exclude(password_encrypted=""):
        SmtpSettings.objects.filter(pk=row.pk).update(
            password_encrypted=rotate(row.password_encrypted)
        )
        count += 1
    return count


def _alert_route(failing: SmtpSettings) -> SmtpSettings | None:
    """Another level to tell the admins through: general or finance, not the failing one, and
    not paused by its own breaker."""
    now = timezone.now()
    candidates = SmtpSettings.objects.filter(company__isnull=True).exclude(pk=failing.pk)
    candidates = candidates.exclude(state__open_until__gt=now)
    return candidates.order_by("level").first()


def smtp_alert_enqueue(*, settings: SmtpSettings, error: str) -> int:
    """Tell the administrators by e-mail that ``settings`` keeps failing, through another level
    when one is configured. Returns how many messages were queued (0 when there is no other)."""
    from django.contrib.auth.models import User

    other = _alert_route(settings)
    if other is None:
        return 0
    where = settings.company.code if settings.company_id else settings.get_level_display()
    subject = _("[Spy System] Servidor SMTP com falhas: %(where)s (%(host)s)") % {
        "where": where,
        "host": settings.host,
    }
    body = _(
        "O servidor SMTP %(where)s (%(host)s:%(port)s) está recusando conexões.\n"
        "Último erro: %(error)s\n\n"
        "As mensagens continuam na fila e serão enviadas quando o servidor voltar. "
        "Confira a configuração em Geral / Spy System ou Financeiro / Spy System."
    ) % {"where": where, "host": settings.host, "port": settings.port, "error": error}
    stamp = timezone.now().strftime("%Y%m%d%H%M")
    admins = User.objects.filter(is_staff=True, is_active=True).exclude(email="")
    drafts = [
        MessageDraft(
            routine=Routine.ALERT,
            dedupe_key=f"alert:{settings.pk}:{stamp}:{admin.pk}",
            to_email=admin.email,
            subject=subject,
            body_text=body,
        )
        for admin in admins
    ]
    created = message_enqueue_many(drafts)
    Message.objects.filter(dedupe_key__in=[d.dedupe_key for d in drafts]).update(
        pinned_settings=other
    )
    return created


def _server_identity(settings: SmtpSettings) -> tuple[str, int, str, str]:
    return (settings.host.strip().lower(), settings.port, settings.security, settings.username)


def smtp_stored_password(*, stored: SmtpSettings | None, candidate: SmtpSettings) -> str:
    """The stored password to test ``candidate`` with (“Testar envio” with the field empty).

    Only for the server and user it was stored for — otherwise anyone allowed to test could
    point the test at their own server and collect it — so a different host, port, security or
    username raises ``ValidationError`` on ``password``. No stored password → ``""``.
    """
    from django.core.exceptions import ImproperlyConfigured, ValidationError

    if stored is None or not stored.has_password or not candidate.username:
        return ""
    if _server_identity(stored) != _server_identity(candidate):
        raise ValidationError(
            {
                "password": [
                    _(
                        "Digite a senha para testar: servidor, porta, segurança ou usuário "
                        "diferem dos gravados, e a senha gravada só é usada com eles."
                    )
                ]
            }
        )
    try:
        return decrypt(stored.password_encrypted)
    except ImproperlyConfigured as exc:
        message = _("A senha gravada não pode ser decifrada com as chaves atuais: digite a senha.")
        raise ValidationError({"password": [message]}) from exc
