"""Writes of the finance context. Every write validates fully first, so bad input changes nothing.

Title writes run inside ``write_context`` so the capture trigger records who and through which
door (screen, api, cli, import) the change came.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from spysystem.finance.documents import normalize
from spysystem.finance.models import Company, Party, PartyEmail, Role, Title, UserAccess
from spysystem.finance.validators import normalize_email_address
from spysystem.watch.context import write_context

TITLE_FIELDS = frozenset(
    {
        "ledger",
        "company",
        "party",
        "document",
        "installment",
        "issue_date",
        "due_date",
        "amount",
        "status",
        "description",
    }
)
COMPANY_FIELDS = frozenset({"code", "name", "cnpj"})


def _save_validated(instance: Any, **fields: Any) -> Any:
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


def company_create(*, code: str, name: str, cnpj: str) -> Company:
    """Create a company; ``cnpj`` may carry punctuation and letters (alphanumeric CNPJ)."""
    return _save_validated(Company(), code=code.strip(), name=name.strip(), cnpj=normalize(cnpj))


def company_update(*, company: Company, **fields: Any) -> Company:
    """Change ``code``, ``name`` or ``cnpj`` of a company."""
    _reject_unknown(fields, COMPANY_FIELDS)
    if "cnpj" in fields:
        fields["cnpj"] = normalize(fields["cnpj"])
    return _save_validated(company, **fields)


def company_delete(*, company: Company) -> None:
    """Delete a company; raises ``ProtectedError`` while it has titles."""
    company.delete()


def _clean_emails(emails: list[str]) -> list[str]:
    cleaned: list[str] = []
    for email in emails:
        normalized = normalize_email_address(email)
        if normalized not in cleaned:
            cleaned.append(normalized)
    return cleaned


@transaction.atomic
def party_create(*, name: str, document: str, emails: list[str]) -> Party:
    """Create a customer/supplier with its e-mail addresses (all validated before any write)."""
    cleaned = _clean_emails(emails)
    party = _save_validated(Party(), name=name.strip(), document=normalize(document))
    PartyEmail.objects.bulk_create(PartyEmail(party=party, email=e) for e in cleaned)
    return party


@transaction.atomic
def party_update(
    *,
    party: Party,
    name: str | None = None,
    document: str | None = None,
    emails: list[str] | None = None,
) -> Party:
    """Change a party; ``emails``, when given, replaces the whole list."""
    cleaned = _clean_emails(emails) if emails is not None else None
    fields: dict[str, Any] = {}
    if name is not None:
        fields["name"] = name.strip()
    if document is not None:
        fields["document"] = normalize(document)
    _save_validated(party, **fields)
    if cleaned is not None:
        party.emails.all().delete()
        PartyEmail.objects.bulk_create(PartyEmail(party=party, email=e) for e in cleaned)
    return party


def party_delete(*, party: Party) -> None:
    """Delete a party; raises ``ProtectedError`` while it has titles."""
    party.delete()


def _reject_unknown(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def title_create(*, user: object | None, origin: str, **fields: Any) -> Title:
    """Create a title. Creation is not a watched event, but it is attributed like any write."""
    _reject_unknown(fields, TITLE_FIELDS)
    with write_context(user=user, origin=origin):
        return _save_validated(Title(updated_by=_user_or_none(user)), **fields)


def title_update(*, title: Title, user: object | None, origin: str, **fields: Any) -> Title:
    """Change the given fields of ``title``; a change of amount or due date is captured."""
    _reject_unknown(fields, TITLE_FIELDS)
    with write_context(user=user, origin=origin):
        return _save_validated(title, updated_by=_user_or_none(user), **fields)


def title_delete(*, title: Title, user: object | None, origin: str) -> None:
    """Delete ``title``; the capture trigger keeps its full snapshot."""
    with write_context(user=user, origin=origin):
        title.delete()


def _user_or_none(user: object | None) -> Any:
    return user if getattr(user, "pk", None) else None


USER_FIELDS = frozenset({"email", "first_name", "last_name", "is_active"})


def _user_email(email: str) -> str:
    return normalize_email_address(email) if email else ""


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str = "",
    password: str | None = None,
    is_admin: bool = False,
    first_name: str = "",
    last_name: str = "",
    role: str | None = None,
    company_ids: list[int] | None = None,
) -> User:
    """Create a user who can log in (with ``password``) and receive Spy e-mails (with ``email``).

    A user without e-mail is allowed but reported on the Spy settings screen. ``role`` (finance
    or readonly) and ``company_ids`` scope a non-administrator; ``is_admin`` or role ``admin``
    makes a staff user who sees everything.
    """
    is_admin = is_admin or role == Role.ADMIN
    user = User(
        username=username.strip(),
        email=_user_email(email),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        is_staff=is_admin,
        is_superuser=is_admin,
    )
    user.set_password(password) if password else user.set_unusable_password()
    user.full_clean()
    user.save()
    if not is_admin and (role or company_ids):
        user_access_set(user=user, role=role or Role.FINANCE, company_ids=company_ids or [])
    return user


def user_access_set(*, user: User, role: str, company_ids: list[int]) -> None:
    """Set a user's role and company scope (an empty list means every company).

    ``admin`` makes the user staff (everything, every company); the other roles remove staff.
    """
    if role not in Role.values:
        raise ValidationError({"role": [_("Papel desconhecido: %s.") % role]})
    unknown = set(company_ids) - set(Company.objects.values_list("id", flat=True))
    if unknown:
        raise ValidationError({"companies": [_("Empresa desconhecida: %s.") % sorted(unknown)]})
    User.objects.filter(pk=user.pk).update(
        is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN
    )
    user.is_staff = user.is_superuser = role == Role.ADMIN
    access, _created = UserAccess.objects.update_or_create(user=user, defaults={"role": role})
    access.companies.set(company_ids if role != Role.ADMIN else [])


def user_update(*, user: User, **fields: Any) -> User:
    """Change ``email``, ``first_name``, ``last_name`` or ``is_active``."""
    _reject_unknown(fields, USER_FIELDS)
    if "email" in fields:
        fields["email"] = _user_email(fields["email"])
    return _save_validated(user, **fields)
