"""Captured changes of titles and the Spy recipient settings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.query import ModelIterable
from django.utils.translation import gettext_lazy as _

from spysystem.finance.models import Company, Ledger, Party, Title
from spysystem.watch.triggers import SNAPSHOT_FIELDS


class ChangeKind(models.TextChoices):
    UPDATE = "update", _("alteração")
    DELETE = "delete", _("exclusão")


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _iso(value: date | str | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def _fields_of(title: Title) -> dict[str, Any]:
    return {name: _iso(getattr(title, name)) for name in SNAPSHOT_FIELDS}


def _fields_unknown(change: Change) -> dict[str, Any]:
    known = {"id": change.title_id, "ledger": change.ledger, "company_id": change.company_id}
    return (
        dict.fromkeys(SNAPSHOT_FIELDS)
        | known
        | {
            "document": f"#{change.title_id}",
            "description": "",
        }
    )


def title_fields_resolve(changes: Iterable[Change]) -> None:
    """Give the changes whose ``snapshot`` is not written yet their title's descriptive fields.

    That is an update the fan-out has not reached: the fields come from the title as it is now
    (its party comes along, see ``Change.known_party``) or, if the title was deleted since, from
    its deletion's snapshot; if neither exists (a title deleted while the triggers were off),
    only what the change itself knows. At most two queries for any number of changes, none when
    every snapshot is written.
    """
    pending = [change for change in changes if change.snapshot is None]
    if not pending:
        return
    ids = {change.title_id for change in pending}
    titles = Title.objects.select_related("party").in_bulk(ids)
    deleted = {}
    if gone := ids - set(titles):
        rows = Change.objects.filter(
            kind=ChangeKind.DELETE, title_id__in=gone, snapshot__isnull=False
        )
        deleted = dict(rows.values_list("title_id", "snapshot"))
    for change in pending:
        title = titles.get(change.title_id)
        if title is not None:
            change._title_fields = _fields_of(title)
            change._party = title.party
        elif change.title_id in deleted:
            change._title_fields = dict(deleted[change.title_id])
        else:
            change._title_fields = _fields_unknown(change)


class ChangeIterable(ModelIterable):
    """Model rows of a ``Change`` query, with the title fields of pending updates resolved in bulk
    (see ``title_fields_resolve``), so listing changes costs the same whatever their state."""

    chunk = 500

    def __iter__(self) -> Iterator[Change]:
        batch: list[Change] = []
        for change in super().__iter__():
            batch.append(change)
            if len(batch) >= self.chunk:
                title_fields_resolve(batch)
                yield from batch
                batch = []
        title_fields_resolve(batch)
        yield from batch


class ChangeQuerySet(models.QuerySet):
    """``Change`` queries: model rows come through ``ChangeIterable`` (``values()`` and the like
    are untouched)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._iterable_class = ChangeIterable


class Change(models.Model):
    """A change of a watched fact, written by the database trigger in the writer's transaction.

    The watched facts are typed columns: ``amount_before``/``due_date_before`` (the title before
    the write; for a deletion, what was deleted) and ``amount_after``/``due_date_after`` (null for
    a deletion); ``amount_changed``/``due_date_changed`` say which of them the write changed.
    ``snapshot`` holds the title's other fields (``triggers.SNAPSHOT_FIELDS``): the trigger writes
    it for a deletion; for an update the fan-out writes it, from the title as it is then (normally
    milliseconds after the commit), and until then ``title_fields`` reads the title. So only the
    watched facts are exact per write; the descriptive fields are the title's at fan-out time.
    ``fanned_out_at`` is set once the Spy messages exist.
    """

    title_id = models.BigIntegerField(db_index=True)  # a title's history; deletion look-ups
    # Indexed although each index is one more write per captured row (about 0.01 of spy_tax on
    # PostgreSQL): users limited to some companies list their changes through it.
    company_id = models.BigIntegerField(db_index=True)
    ledger = models.CharField(max_length=10, choices=Ledger.choices)
    kind = models.CharField(max_length=10, choices=ChangeKind.choices)
    amount_changed = models.BooleanField(default=False)
    due_date_changed = models.BooleanField(default=False)
    amount_before = models.DecimalField(max_digits=14, decimal_places=2)
    amount_after = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    due_date_before = models.DateField()
    due_date_after = models.DateField(null=True)
    snapshot = models.JSONField(null=True)
    actor = models.CharField(max_length=150)
    origin = models.CharField(max_length=10)
    db_user = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    objects = ChangeQuerySet.as_manager()

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

    @property
    def title_fields(self) -> dict[str, Any]:
        """The title's descriptive fields: ``snapshot`` once written, else resolved (one query
        here; a ``Change`` query resolves a whole page at once)."""
        if self.snapshot is not None:
            return self.snapshot
        if not hasattr(self, "_title_fields"):
            title_fields_resolve([self])
        return self._title_fields

    @property
    def known_party(self) -> Party | None:
        """The title's party when resolving ``title_fields`` already loaded it, else ``None``
        (then look ``title_fields["party_id"]`` up)."""
        return getattr(self, "_party", None)

    @property
    def before(self) -> dict[str, Any]:
        """The title before the write, as the first version stored it: every snapshot field,
        ``amount`` as a string with two decimals and ``due_date`` as an ISO date."""
        return {
            **self.title_fields,
            "amount": _money(self.amount_before),
            "due_date": _iso(self.due_date_before),
        }

    @property
    def after(self) -> dict[str, Any] | None:
        """The title after the write (same form as ``before``); ``None`` for a deletion."""
        if self.kind == ChangeKind.DELETE:
            return None
        return {
            **self.title_fields,
            "amount": _money(self.amount_after),
            "due_date": _iso(self.due_date_after),
        }


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
