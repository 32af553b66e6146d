"""Writes of the watch context: Spy settings and the fan-out of changes into outbox messages."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spysystem.audit.services import settings_change_record
from spysystem.finance.models import Company, Ledger
from spysystem.mail.models import Routine
from spysystem.mail.services import MessageDraft, message_enqueue_many
from spysystem.watch import triggers
from spysystem.watch.emails import EmailLookups, spy_change_email
from spysystem.watch.models import Change, SpyRecipient
from spysystem.watch.selectors import recipient_rows, recipients_choose, recipients_config

logger = logging.getLogger(__name__)


def _check_ids(user_ids: Iterable[int], company_ids: Iterable[int]) -> None:
    errors: dict[str, list[str]] = {}
    unknown_users = set(user_ids) - set(User.objects.values_list("id", flat=True))
    if unknown_users:
        errors["users"] = [
            _("Usuário desconhecido: %s.") % ", ".join(map(str, sorted(unknown_users)))
        ]
    unknown_companies = set(company_ids) - set(Company.objects.values_list("id", flat=True))
    if unknown_companies:
        errors["companies"] = [
            _("Empresa desconhecida: %s.") % ", ".join(map(str, sorted(unknown_companies)))
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def recipients_set(
    *, config: dict[str, dict], actor: object | None = None, origin: str = "system"
) -> None:
    """Replace the Spy recipients of the ledgers present in ``config``.

    ``config`` is ``{ledger: {"default": [user ids], "companies": {company id: [user ids]}}}``.
    Unknown ledgers, users or companies raise ``ValidationError`` and nothing changes. The
    change is recorded in the settings audit trail (who, when, before → after).
    """
    unknown = set(config) - set(Ledger.values)
    if unknown:
        raise ValidationError({"ledger": [_("Carteira desconhecida: %s.") % ", ".join(unknown)]})
    rows = []
    for ledger, entry in config.items():
        rows += [
            SpyRecipient(ledger=ledger, company_id=None, user_id=u)
            for u in entry.get("default", [])
        ]
        for company_id, users in (entry.get("companies") or {}).items():
            rows += [
                SpyRecipient(ledger=ledger, company_id=int(company_id), user_id=u) for u in users
            ]
    _check_ids({r.user_id for r in rows}, {r.company_id for r in rows if r.company_id})
    before = recipients_config()
    SpyRecipient.objects.filter(ledger__in=list(config)).delete()
    SpyRecipient.objects.bulk_create(rows, ignore_conflicts=True)
    settings_change_record(
        area="spy:recipients", actor=actor, origin=origin, before=before, after=recipients_config()
    )


FAN_OUT_BATCH = 100  # changes per transaction once a backlog forms (a bulk edit in the ERP)


def _claim_changes(limit: int) -> list[Change]:
    pending = Change.objects.filter(fanned_out_at__isnull=True).order_by("id")
    return list(pending.select_for_update(skip_locked=True)[:limit])


def process_changes(*, limit: int = FAN_OUT_BATCH) -> int:
    """Fan out the oldest pending changes, up to ``limit``, in one transaction; returns how
    many (0 when none was pending).

    Idempotent: message keys are ``spy:<change>:<user>``, so a replay never duplicates mail.
    Several workers share the backlog (rows another one holds are skipped). Finding none re-arms
    the PostgreSQL wake flag (``triggers.wake_rearm``) so that the next captured write notifies
    the workers; a change committed while that happened is claimed by a second look, and one
    that commits later notifies or waits for the next poll. A batch costs about the queries of
    a single change (see ``changes_fan_out``), so a burst is caught up with quickly.
    """
    with transaction.atomic():
        changes = _claim_changes(limit)
        if not changes and triggers.wake_rearm(connection):
            changes = _claim_changes(limit)
        if changes:
            changes_fan_out(changes)
    return len(changes)


def process_one_change() -> bool:
    """``process_changes`` of the oldest pending change alone; False when none."""
    return process_changes(limit=1) > 0


def changes_fan_out(changes: list[Change]) -> int:
    """Enqueue the Spy e-mails of ``changes``, mark them done and keep the title fields the
    e-mails showed in the ``snapshot`` of each update (a deletion's is the trigger's); returns
    how many e-mails were new. The same queries for one change or a hundred (their titles were
    resolved when they were read): companies, templates, parties of deleted titles, recipients
    per ledger, the outbox insert, two UPDATEs of the changes."""
    lookups = EmailLookups.of(changes)
    rows = {ledger: recipient_rows(ledger) for ledger in {change.ledger for change in changes}}
    drafts = []
    for change in changes:
        recipients = recipients_choose(rows[change.ledger], change.company_id)
        drafts += _drafts(change, recipients.users, lookups)
    created = message_enqueue_many(drafts)
    Change.objects.filter(pk__in=[c.pk for c in changes]).update(fanned_out_at=timezone.now())
    updates = [change for change in changes if change.snapshot is None]
    for change in updates:
        change.snapshot = change.title_fields
    if updates:
        Change.objects.bulk_update(updates, ["snapshot"])
    return created


def change_fan_out(*, change: Change) -> int:
    """``changes_fan_out`` of one change."""
    return changes_fan_out([change])


def _drafts(change: Change, recipients: list[User], lookups: EmailLookups) -> list[MessageDraft]:
    users = [user for user in recipients if user.email]
    if len(users) < len(recipients):
        logger.warning("spy change %s: recipients without e-mail were skipped", change.pk)
    if not users:
        return []
    subject, text, html = spy_change_email(change=change, lookups=lookups)
    # The company may have been deleted after its titles; the message then carries no company.
    company_id = change.company_id if change.company_id in lookups.companies else None
    return [
        MessageDraft(
            routine=Routine.SPY,
            company_id=company_id,
            dedupe_key=f"spy:{change.pk}:{user.pk}",
            to_email=user.email,
            to_name=user.get_full_name(),
            subject=subject,
            body_text=text,
            body_html=html,
            change_id=change.pk,
        )
        for user in users
    ]
