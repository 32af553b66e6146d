"""Field validators with Portuguese messages, shared by models, forms and the API."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from email_validator import EmailNotValidError, validate_email

from spysystem.finance.documents import is_valid_cnpj, is_valid_cpf, normalize


def validate_single_line(value: str) -> None:
    """No control characters (line breaks, tabs, NUL): the value may end up in an e-mail header."""
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise ValidationError(
            _("Não use quebras de linha nem caracteres de controle neste campo."),
            code="control_characters",
        )


def validate_cnpj(value: str) -> None:
    if not is_valid_cnpj(value):
        raise ValidationError(
            _("CNPJ inválido: confira os 14 caracteres e os dígitos verificadores."),
            code="invalid_cnpj",
        )


def validate_cpf_or_cnpj(value: str) -> None:
    document = normalize(value)
    if len(document) == 11 and is_valid_cpf(document):
        return
    if len(document) == 14 and is_valid_cnpj(document):
        return
    raise ValidationError(
        _("CPF/CNPJ inválido: confira o número e os dígitos verificadores."),
        code="invalid_document",
    )


def normalize_email_address(value: str) -> str:
    """Validate a single address (syntax only, no DNS) and return its normalized form."""
    raw = (value or "").strip()
    if any(char in raw for char in "\r\n") or "%0a" in raw.lower() or "%0d" in raw.lower():
        raise ValidationError(_("E-mail inválido: contém quebra de linha."), code="invalid_email")
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationError(
            _("E-mail inválido: %(email)s.") % {"email": raw or _("(vazio)")}, code="invalid_email"
        ) from exc


def validate_email_address(value: str) -> None:
    normalize_email_address(value)
