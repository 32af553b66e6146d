"""Boletos issued for titles (the routines' state)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spysystem.finance.models import BankAccount, Company, Title


class Boleto(models.Model):
    """The boleto of a title: its allocated nosso número and the codes, as computed or as the
    bank issued them (``bank_issued``: stored and validated, never recomputed)."""

    title = models.OneToOneField(Title, on_delete=models.CASCADE, related_name="boleto")
    bank_account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="boletos")
    our_number = models.PositiveBigIntegerField()
    our_number_formatted = models.CharField(max_length=40)
    barcode = models.CharField(max_length=44)
    digitable_line = models.CharField(max_length=60)
    due_date = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    bank_issued = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bank_account", "our_number"], name="boleto_our_number_unique"
            )
        ]

    def __str__(self) -> str:
        return self.digitable_line


def default_offsets() -> list[int]:
    return [5, 1, 0]


def default_levels() -> list[int]:
    return [1, 7, 15, 30]


class CompanyRoutineSettings(models.Model):
    """Per-company options of the routines: warning offsets, collection levels, reply-to."""

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, related_name="routine_settings"
    )
    aviso_offsets = models.JSONField(_("dias antes do vencimento"), default=default_offsets)
    cobranca_levels = models.JSONField(
        _("níveis de cobrança (dias de atraso)"), default=default_levels
    )
    reply_to = models.EmailField(_("responder para"), blank=True)

    def __str__(self) -> str:
        return f"routines of {self.company_id}"


class Task(models.Model):
    """A scheduled task of the manual (GEEnviaEmailAvisoVencimento, GEAtualizaCobranca).

    ``next_run_at`` is the next slot; a worker that finds it due claims the slot by inserting
    the ``TaskRun`` (unique per task and slot), so a slot runs at most once on any number of
    workers, and the next slot is computed from *now*: after downtime the missed slot runs once.
    """

    name = models.CharField(max_length=60, unique=True)
    description = models.CharField(max_length=200, blank=True)
    schedule = models.CharField(_("agenda (cron)"), max_length=100, default="0 7 * * *")
    enabled = models.BooleanField(_("ativa"), default=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    notify_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("Spy: avisar em falha"),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    RUNNING = "running", _("em execução")
    OK = "ok", _("concluída")
    PARTIAL = "partial", _("concluída com problemas")
    FAILED = "failed", _("falhou")


class TaskRun(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="runs")
    slot = models.DateTimeField()
    as_of = models.DateField()
    trigger = models.CharField(max_length=10, default="schedule")  # schedule | manual | cli | api
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict)
    problems = models.JSONField(default=list)  # Portuguese sentences, one per skipped item
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["task", "slot"], name="task_slot_once")]

    def __str__(self) -> str:
        return f"{self.task_id}@{self.slot}"


class EmailTemplate(models.Model):
    """A routine's e-mail edited by the company (``company`` null: for every company).

    Rendered with Django's template language against plain values only; when it fails to render
    the built-in template is used and the error is reported (the message still goes out).
    """

    routine = models.CharField(max_length=10)  # spy | boleto | aviso | cobranca
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.CASCADE)
    subject = models.CharField(_("assunto"), max_length=300)
    body_text = models.TextField(_("texto"))
    body_html = models.TextField(_("HTML"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["routine", "company"], name="one_template_per_company"),
            models.UniqueConstraint(
                fields=["routine"],
                condition=models.Q(company__isnull=True),
                name="one_global_template",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.routine}/{self.company_id or '*'}"
