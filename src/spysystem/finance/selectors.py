"""Reads of the finance context."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from spysystem.finance.models import Title


def title_list(
    *,
    company_id: int | None = None,
    ledger: str | None = None,
    status: str | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    party_id: int | None = None,
) -> QuerySet[Title]:
    """Titles filtered by the given criteria, with company and party loaded."""
    titles = Title.objects.select_related("company", "party")
    filters = {
        "company_id": company_id,
        "ledger": ledger,
        "status": status,
        "due_date__gte": due_from,
        "due_date__lte": due_to,
        "party_id": party_id,
    }
    return titles.filter(**{k: v for k, v in filters.items() if v not in (None, "")})
