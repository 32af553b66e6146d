"""Captured changes of titles and the Spy recipient settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spysystem.finance.models import Company, Ledger


class ChangeKind(models.TextChoices):
    UPDATE = "update", _("alteração")
    DELETE = "delete", _("exclusão")


class Change(models.Model):
    """A change of a watched fact, written by the database trigger in the writer's transaction.

    ``before``/``after`` are snapshots of the title row (amounts and dates as strings);
    ``after`` is null for a deletion. ``fanned_out_at`` is set once the Spy messages exist.
    """

    title_id = models.BigIntegerField(db_index=True)
    company_id = models.BigIntegerField(db_index=True)
    ledger = models.CharField(max_length=10, choices=Ledger.choices)
    kind = models.CharField(max_length=10, choices=ChangeKind.choices)
    amount_changed = models.BooleanField(default=False)
    due_date_changed = models.BooleanField(default=False)
    before = models.JSONField()
    after = models.JSONField(null=True)
    actor = models.CharField(max_length=150)
    origin = models.CharField(max_length=10)
    db_user = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["id"],
                name="change_pending_fanout",
                condition=models.Q(fanned_out_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} title={self.title_id}"

    @property
    def facts(self) -> list[str]:
        """Machine names of what changed: ``amount``, ``due_date`` or ``deleted``."""
        if self.kind == ChangeKind.DELETE:
            return ["deleted"]
        return [
            n
            for n, f in (("amount", self.amount_changed), ("due_date", self.due_date_changed))
            if f
        ]


class WriteContext(models.Model):
    """SQLite only: the actor/origin of the write transaction in progress (see ``context``)."""

    id = models.IntegerField(primary_key=True)
    actor = models.CharField(max_length=150)
    origin = models.CharField(max_length=10)

    def __str__(self) -> str:
        return f"{self.actor}@{self.origin}"


class SpyRecipient(models.Model):
    """A user who receives Spy e-mails for a ledger: ``company`` null means the default list."""

    ledger = models.CharField(max_length=10, choices=Ledger.choices)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ledger", "company", "user"], name="spy_recipient_unique"
            ),
            models.UniqueConstraint(
                fields=["ledger", "user"],
                condition=models.Q(company__isnull=True),
                name="spy_recipient_default_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ledger}/{self.company_id or '*'}: {self.user_id}"
