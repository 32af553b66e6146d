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
from spysystem.watch.emails import spy_change_email
from spysystem.watch.models import Change, SpyRecipient
from spysystem.watch.selectors import recipients_config, recipients_for

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


def _claim_next_change() -> Change | None:
    pending = Change.objects.filter(fanned_out_at__isnull=True).order_by("id")
    return pending.select_for_update(skip_locked=True).first()


def process_one_change() -> bool:
    """Fan out the oldest pending change into one message per recipient; False when none.

    Idempotent: message keys are ``spy:<change>:<user>``, so a replay never duplicates mail.
    Finding none re-arms the PostgreSQL wake flag (``triggers.wake_rearm``) so that the next
    captured write notifies the workers; a change committed while that happened is claimed by a
    second look, and one that commits later notifies or waits for the next poll.
    """
    with transaction.atomic():
        change = _claim_next_change()
        if change is None:
            if not triggers.wake_rearm(connection):
                return False
            change = _claim_next_change()
            if change is None:
                return False
        change_fan_out(change=change)
    return True


def change_fan_out(*, change: Change) -> int:
    """Enqueue the Spy e-mails of ``change``, mark it done and keep the title fields the e-mails
    showed in its ``snapshot`` (an update's is written here); returns how many were new."""
    recipients = recipients_for(ledger=change.ledger, company_id=change.company_id)
    # The company may have been deleted after its titles; the message then carries no company.
    company_id = (
        change.company_id if Company.objects.filter(pk=change.company_id).exists() else None
    )
    users = [user for user in recipients.users if user.email]
    if len(users) < len(recipients.users):
        logger.warning("spy change %s: recipients without e-mail were skipped", change.pk)
    subject, text, html = spy_change_email(change=change) if users else ("", "", "")
    drafts = []
    for user in users:
        drafts.append(
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
        )
    created = message_enqueue_many(drafts)
    done = {"fanned_out_at": timezone.now()}
    if change.snapshot is None:
        done["snapshot"] = change.title_fields
    Change.objects.filter(pk=change.pk).update(**done)
    return created
