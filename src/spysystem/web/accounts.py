"""Users of the “Usuários e acesso” screen: reads, and writes that add the audit row.

The writes call ``finance.services`` (``user_create``, ``user_update``, ``user_access_set``) and,
in the same transaction, record the change in the settings audit trail under the area
``users:<username>`` (role, companies, e-mail, name, active; never a password).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Prefetch, QuerySet

from spysystem.audit.services import settings_change_record
from spysystem.finance import services as finance
from spysystem.finance.models import Company, Role, UserAccess


@dataclass(frozen=True)
class Account:
    """A user as the screen shows them: role and companies resolved."""

    user: User
    role: str
    companies: list[Company]

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


def _role(user: User) -> str:
    if user.is_staff:
        return Role.ADMIN
    access = getattr(user, "access", None)
    return access.role if access else Role.FINANCE


def account_of(user: User) -> Account:
    """``user`` with the role and companies the access rules apply to it."""
    access = getattr(user, "access", None) if not user.is_staff else None
    companies = list(access.companies.all()) if access else []
    return Account(user=user, role=_role(user), companies=companies)


def account_list() -> QuerySet[User]:
    """Every user by username, with access and companies loaded (three queries per page)."""
    companies = Prefetch("access__companies", queryset=Company.objects.order_by("code"))
    return User.objects.select_related("access").prefetch_related(companies).order_by("username")


def _snapshot(user: User) -> dict[str, Any]:
    access = UserAccess.objects.filter(user=user).first()
    codes = sorted(access.companies.values_list("code", flat=True)) if access else []
    user.refresh_from_db(fields=["is_staff", "email", "first_name", "last_name", "is_active"])
    return {
        "role": Role.ADMIN if user.is_staff else (access.role if access else Role.FINANCE),
        "companies": [] if user.is_staff else codes,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": user.is_active,
    }


def _record(user: User, actor: object, origin: str, before: dict | None) -> None:
    settings_change_record(
        area=f"users:{user.username}",
        actor=actor,
        origin=origin,
        before=before,
        after=_snapshot(user),
    )


@transaction.atomic
def account_create(*, actor: object, origin: str, **fields: Any) -> User:
    """``finance.services.user_create(**fields)`` plus the audit row."""
    user = finance.user_create(**fields)
    _record(user, actor, origin, None)
    return user


@transaction.atomic
def account_update(
    *, user: User, role: str, company_ids: list[int], actor: object, origin: str, **fields: Any
) -> User:
    """Change e-mail, name, active flag (``user_update``), role and companies
    (``user_access_set``) together, plus the audit row; a validation error changes nothing."""
    before = _snapshot(user)
    finance.user_update(user=user, **fields)
    finance.user_access_set(user=user, role=role, company_ids=company_ids)
    _record(user, actor, origin, before)
    return user


def active_admin_count(*, excluding: User | None = None) -> int:
    """How many active administrators there are (``excluding`` one of them)."""
    admins = User.objects.filter(is_staff=True, is_active=True)
    return admins.exclude(pk=excluding.pk).count() if excluding else admins.count()
