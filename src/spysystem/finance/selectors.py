"""Reads of the finance context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from spysystem.finance.models import Company, Role, Title, UserAccess


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


@dataclass(frozen=True)
class Access:
    """What a user may do: ``company_ids`` None means every company."""

    role: str
    company_ids: frozenset[int] | None

    @property
    def can_configure(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_write(self) -> bool:
        return self.role in (Role.ADMIN, Role.FINANCE)

    def sees(self, company_id: int | None) -> bool:
        return self.company_ids is None or company_id in self.company_ids


def access_for(user: object) -> Access:
    """The role and company scope of ``user`` (staff → administrator of everything)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Access(Role.READONLY, frozenset())
    if user.is_staff:
        return Access(Role.ADMIN, None)
    access = UserAccess.objects.filter(user=user).first()
    if access is None:
        return Access(Role.FINANCE, None)
    ids = frozenset(access.companies.values_list("id", flat=True))
    return Access(access.role, ids or None)


def companies_visible(user: object) -> QuerySet[Company]:
    """The companies ``user`` may see."""
    access = access_for(user)
    companies = Company.objects.all()
    return companies if access.company_ids is None else companies.filter(id__in=access.company_ids)


def titles_visible(user: object, **filters: object) -> QuerySet[Title]:
    """``title_list(**filters)`` restricted to the companies ``user`` may see."""
    access = access_for(user)
    titles = title_list(**filters)
    return (
        titles if access.company_ids is None else titles.filter(company_id__in=access.company_ids)
    )
