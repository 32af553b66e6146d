"""Reads of the Spy settings: who receives what, and what is wrong with the configuration."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from spysystem.finance.models import Ledger
from spysystem.watch.models import Change, SpyRecipient


@dataclass(frozen=True)
class Recipients:
    """The users chosen for a title, and whether they came from the company list or the default."""

    users: list[User]
    source: str  # "company" | "default"


def recipients_for(*, ledger: str, company_id: int) -> Recipients:
    """Users of (ledger, company); if there are none, the ledger's default users (manual, 2–3)."""
    return recipients_choose(recipient_rows(ledger), company_id)


def recipient_rows(ledger: str) -> list[SpyRecipient]:
    """The rows of ``ledger`` whose user is active, with their users (one query): what
    ``recipients_choose`` picks from, for any number of companies."""
    return list(
        SpyRecipient.objects.filter(ledger=ledger, user__is_active=True).select_related("user")
    )


def recipients_choose(rows: list[SpyRecipient], company_id: int) -> Recipients:
    """``recipients_for`` among the ``recipient_rows`` of the change's ledger."""
    company_users = [r.user for r in rows if r.company_id == company_id]
    if company_users:
        return Recipients(company_users, "company")
    return Recipients([r.user for r in rows if r.company_id is None], "default")


def recipients_config() -> dict[str, dict]:
    """``{ledger: {"default": [user ids], "companies": {"<id>": [user ids]}}}`` for both ledgers."""
    config: dict[str, dict] = {ledger: {"default": [], "companies": {}} for ledger in Ledger.values}
    for row in SpyRecipient.objects.order_by("company_id", "user_id"):
        entry = config[row.ledger]
        if row.company_id is None:
            entry["default"].append(row.user_id)
        else:
            entry["companies"].setdefault(str(row.company_id), []).append(row.user_id)
    return config


def recipients_warnings() -> list[str]:
    """Problems a controller must see: users without e-mail, ledgers nobody watches."""
    warnings = []
    rows = SpyRecipient.objects.select_related("user", "company")
    for row in rows.filter(user__email=""):
        where = row.company.code if row.company else _("padrão")
        warnings.append(
            _("O usuário %(user)s (%(ledger)s, %(where)s) não tem e-mail e não receberá avisos.")
            % {"user": row.user.username, "ledger": Ledger(row.ledger).label, "where": where}
        )
    for ledger in Ledger:
        if not rows.filter(ledger=ledger.value, company__isnull=True).exists():
            warnings.append(
                _("%(ledger)s: nenhum usuário padrão; empresas sem lista própria não terão avisos.")
                % {"ledger": ledger.label}
            )
    return warnings


def change_list(
    *, title_id: int | None = None, company_id: int | None = None, ledger: str | None = None
) -> QuerySet[Change]:
    """Captured changes, newest first, filtered."""
    filters = {"title_id": title_id, "company_id": company_id, "ledger": ledger}
    return Change.objects.filter(**{k: v for k, v in filters.items() if v not in (None, "")})


def recipient_list() -> QuerySet[SpyRecipient]:
    """Every Spy recipient row with its user and company (for ``spy recipients show``)."""
    return SpyRecipient.objects.select_related("user", "company").order_by(
        "ledger", "company__code", "user__username"
    )
