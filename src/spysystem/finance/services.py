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


# -- bank accounts (boletos) -------------------------------------------------------------------

BANK_ACCOUNT_FIELDS = frozenset(
    {
        "company",
        "bank_code",
        "agency",
        "agency_dv",
        "account",
        "account_dv",
        "wallet",
        "agreement",
        "extras",
        "beneficiary_name",
        "beneficiary_document",
        "beneficiary_address",
        "instructions",
        "fine_percent",
        "interest_month_percent",
        "next_our_number",
        "is_default",
    }
)
# What the barcode, the nosso número and the printed codes are made of: fixed once a boleto exists.
BANK_ACCOUNT_CODE_FIELDS = frozenset(
    {
        "company",
        "bank_code",
        "agency",
        "agency_dv",
        "account",
        "account_dv",
        "wallet",
        "agreement",
        "extras",
    }
)
_BANK_ACCOUNT_TEXT = (
    "bank_code",
    "agency",
    "agency_dv",
    "account",
    "account_dv",
    "wallet",
    "agreement",
    "beneficiary_name",
    "beneficiary_address",
)
TRIAL_DAYS = 30


@transaction.atomic
def bank_account_create(**fields: Any) -> Any:
    """Create a company's collection account for boletos, validated in full first.

    Checks the bank is one we issue for, the company exists, the beneficiary's CPF/CNPJ, the
    bank's own fields (``extras``) and a trial compute (the next nosso número, due in 30 days):
    a bad agency, wallet or convênio is refused now, not when the first boleto is issued. Errors
    are a ``ValidationError`` by field, in Portuguese. ``is_default`` omitted: the account becomes
    the company's default when it has none; ``True`` replaces the old default (same transaction).
    """
    from spysystem.finance.models import BankAccount

    _reject_unknown(fields, BANK_ACCOUNT_FIELDS)
    return _bank_account_save(BankAccount(), fields)


@transaction.atomic
def bank_account_update(*, bank_account: Any, **fields: Any) -> Any:
    """Change the given fields of a bank account, with the same validation as the creation.

    Once the account has boletos, the fields their codes are made of (company, bank, agency,
    account, wallet, convênio, bank fields and check digits) no longer change — create another
    account — and ``next_our_number`` cannot go back to a number already issued.
    """
    _reject_unknown(fields, BANK_ACCOUNT_FIELDS)
    if bank_account.boletos.exists():
        _check_issued_account(bank_account, fields)
    return _bank_account_save(bank_account, fields)


def bank_account_delete(*, account: Any) -> None:
    """Delete a bank account; raises ``ProtectedError`` while it has boletos."""
    account.delete()


def _check_issued_account(account: Any, fields: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for name in sorted(BANK_ACCOUNT_CODE_FIELDS & set(fields)):
        current = getattr(account, "company_id" if name == "company" else name)
        wanted = fields[name]
        if name == "company":
            wanted = getattr(wanted, "pk", wanted)
        elif name == "extras":
            wanted = {str(k): str(v).strip() for k, v in (wanted or {}).items()}
            current = {str(k): str(v) for k, v in (current or {}).items()}
        elif name == "bank_code":
            wanted, current = str(wanted).strip().zfill(3), current.zfill(3)
        else:
            wanted = str(wanted or "").strip()
        if wanted != current:
            errors[name] = [
                _(
                    "A conta já tem boletos emitidos: este campo não pode mudar. "
                    "Cadastre outra conta."
                )
            ]
    issued = account.boletos.order_by("-our_number").values_list("our_number", flat=True).first()
    wanted_next = fields.get("next_our_number")
    if isinstance(wanted_next, int) and issued is not None and wanted_next <= issued:
        errors["next_our_number"] = [
            _("O nosso número %(number)s já foi emitido: use um número maior.") % {"number": issued}
        ]
    if errors:
        raise ValidationError(errors)


def _bank_account_save(account: Any, fields: dict[str, Any]) -> Any:
    from spysystem.finance.models import BankAccount

    is_default = fields.pop("is_default", None)
    errors: dict[str, list[str]] = {}
    for name, value in fields.items():
        if name == "company":
            _set_company(account, value, errors)
        elif name in _BANK_ACCOUNT_TEXT:
            setattr(account, name, "" if value is None else str(value).strip())
        elif name == "beneficiary_document":
            account.beneficiary_document = normalize(str(value or ""))
        else:
            setattr(account, name, value)
    if is_default is None and account.pk is None and account.company_id:
        is_default = not BankAccount.objects.filter(
            company_id=account.company_id, is_default=True
        ).exists()
    if is_default is not None:
        account.is_default = bool(is_default)
    _validate_bank_account(account, errors)
    if errors:
        raise ValidationError(errors)
    if account.is_default:
        others = BankAccount.objects.filter(company_id=account.company_id, is_default=True)
        if account.pk:
            others = others.exclude(pk=account.pk)
        others.update(is_default=False)
    account.full_clean()
    account.save()
    return account


def _set_company(account: Any, value: Any, errors: dict[str, list[str]]) -> None:
    company_id = getattr(value, "pk", value)
    if not isinstance(company_id, int) or not Company.objects.filter(pk=company_id).exists():
        errors["company"] = [_("Empresa não encontrada.")]
        return
    account.company_id = company_id


def _validate_bank_account(account: Any, errors: dict[str, list[str]]) -> None:
    """Field checks and the trial compute; adds to ``errors`` (field → messages)."""
    from decimal import Decimal, InvalidOperation

    from spysystem import boleto as core
    from spysystem.finance.validators import validate_cpf_or_cnpj

    if not account.company_id and "company" not in errors:
        errors["company"] = [_("Informe a empresa.")]
    try:
        account.bank_code = core.bank_for(account.bank_code or "").code
    except core.BoletoError as exc:
        errors["bank_code"] = [exc.message]
    try:
        validate_cpf_or_cnpj(account.beneficiary_document)
    except ValidationError as exc:
        errors["beneficiary_document"] = exc.messages
    if not (account.beneficiary_name or "").strip():
        errors["beneficiary_name"] = [_("Informe o nome do beneficiário.")]
    for name in ("fine_percent", "interest_month_percent"):
        try:
            value = Decimal(str(getattr(account, name)))
        except InvalidOperation:
            value = Decimal(-1)
        if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
            errors[name] = [_("Informe um percentual de 0 a 100.")]
    number = account.next_our_number
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        errors["next_our_number"] = [_("O próximo nosso número deve ser um inteiro positivo.")]
    extras = _clean_extras(account, errors)
    if "bank_code" not in errors and not {"extras", "next_our_number"} & set(errors):
        _trial_compute(account, extras, errors)


def _clean_extras(account: Any, errors: dict[str, list[str]]) -> dict[str, str]:
    from spysystem.commands.boleto_fields import BANK_FIELDS, bank_extra_keys

    extras = account.extras if account.extras is not None else {}
    if not isinstance(extras, dict) or not all(
        isinstance(v, str | int) and not isinstance(v, bool) for v in extras.values()
    ):
        errors["extras"] = [_("Os campos do banco são pares CAMPO=VALOR de texto.")]
        return {}
    cleaned = {str(key).strip(): str(value).strip() for key, value in extras.items()}
    if account.bank_code in BANK_FIELDS:
        allowed = bank_extra_keys(account.bank_code)
        unknown = sorted(set(cleaned) - set(allowed))
        if unknown:
            errors["extras"] = [
                _("Campo desconhecido para o banco %(bank)s: %(keys)s. Aceitos: %(allowed)s.")
                % {
                    "bank": account.bank_code,
                    "keys": ", ".join(unknown),
                    "allowed": ", ".join(allowed) or _("nenhum"),
                }
            ]
    account.extras = cleaned
    return cleaned


def _trial_compute(account: Any, extras: dict[str, str], errors: dict[str, list[str]]) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from spysystem import boleto as core
    from spysystem.commands.boleto_fields import EXTRA_KEYS, error_field

    today = timezone.localdate()
    try:
        core.compute(
            account=core.BankAccount(
                bank_code=account.bank_code,
                agency=account.agency,
                agency_dv=account.agency_dv,
                account=account.account,
                account_dv=account.account_dv,
                wallet=account.wallet,
                agreement=account.agreement,
                extras=extras,
            ),
            nosso_numero=str(account.next_our_number),
            due_date=today + timedelta(days=TRIAL_DAYS),
            amount="1.00",
            reference_date=today,
        )
    except core.BoletoError as exc:
        field = error_field(exc, {"our_number": str(account.next_our_number)})
        name = {"bank": "bank_code", "our_number": "next_our_number"}.get(field or "", field)
        if name in extras or name in EXTRA_KEYS:
            name = "extras"
        elif name not in BANK_ACCOUNT_FIELDS:
            name = "__all__"  # django.core.exceptions.NON_FIELD_ERRORS
        errors.setdefault(name, []).append(exc.message)


def party_opt_out_set(
    *, party: Party, aviso: bool | None = None, cobranca: bool | None = None
) -> Party:
    """Set a party's opt-outs: no due-date warning (``aviso``) and/or no collection e-mail
    (``cobranca``); ``None`` keeps the current value."""
    fields = []
    if aviso is not None:
        party.aviso_opt_out = bool(aviso)
        fields.append("aviso_opt_out")
    if cobranca is not None:
        party.cobranca_opt_out = bool(cobranca)
        fields.append("cobranca_opt_out")
    if fields:
        party.save(update_fields=fields)
    return party


TITLE_DOCUMENT_MAX_BYTES = 5 * 1024 * 1024


def title_document_add(
    *, title: Title, filename: str, content: bytes, content_type: str = "application/pdf"
) -> Any:
    """Attach a PDF document (an invoice, "nota") to ``title``; it is re-sent with the boleto.

    Only PDFs (checked by their content, not only the name) of at most 5 MB are accepted;
    anything else is a ``ValidationError`` on ``file`` and nothing is stored.
    """
    import os

    from spysystem.finance.models import TitleDocument

    if not content:
        raise ValidationError({"file": [_("O arquivo está vazio.")]})
    if len(content) > TITLE_DOCUMENT_MAX_BYTES:
        raise ValidationError({"file": [_("O arquivo passa de 5 MB: envie um PDF menor.")]})
    if not content.lstrip()[:5] == b"%PDF-":
        raise ValidationError({"file": [_("Envie um arquivo PDF.")]})
    name = os.path.basename((filename or "").replace("\\", "/")).strip() or "documento.pdf"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return TitleDocument.objects.create(
        title=title, filename=name[-200:], content_type="application/pdf", content=content
    )
