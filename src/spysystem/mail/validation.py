"""Validation of SMTP settings and header values (no CR/LF, no plain text off loopback)."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from spysystem.finance.validators import normalize_email_address
from spysystem.mail.models import SmtpSecurity, SmtpSettings

_NEWLINE = re.compile(r"[\r\n\x00]|%0[ad]|=0[ad]|\\[rn]", re.IGNORECASE)
_HOST = re.compile(r"^[A-Za-z0-9.\-:\[\]]+$")

_LIMITS = {
    "port": (1, 65535, gettext_lazy("A porta deve estar entre 1 e 65535.")),
    "timeout": (1, 300, gettext_lazy("O tempo limite deve estar entre 1 e 300 segundos.")),
    "max_connections": (1, 50, gettext_lazy("As conexões simultâneas devem estar entre 1 e 50.")),
    "max_per_minute": (
        1,
        100000,
        gettext_lazy("As mensagens por minuto devem estar entre 1 e 100000."),
    ),
}


def is_loopback(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ::1."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def validate_no_newlines(values: dict[str, Any]) -> None:
    """Reject CR/LF (raw or encoded) in values that end up in headers or the SMTP dialogue."""
    errors = {
        name: [_("Não pode conter quebras de linha.")]
        for name, value in values.items()
        if isinstance(value, str) and _NEWLINE.search(value)
    }
    if errors:
        raise ValidationError(errors)


def _check_numbers(settings: SmtpSettings, errors: dict[str, list[str]]) -> None:
    for name, (low, high, message) in _LIMITS.items():
        value = getattr(settings, name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors[name] = [str(message)]


def _check_addresses(settings: SmtpSettings, errors: dict[str, list[str]]) -> None:
    for name in ("from_email", "reply_to"):
        value = getattr(settings, name)
        if name == "reply_to" and not value:
            continue
        try:
            setattr(settings, name, normalize_email_address(value))
        except ValidationError as exc:
            errors[name] = exc.messages


def _check_host(settings: SmtpSettings, errors: dict[str, list[str]]) -> None:
    if not settings.host or not _HOST.match(settings.host):
        errors["host"] = [_("Informe o nome ou IP do servidor SMTP, sem espaços.")]
    if settings.security not in SmtpSecurity.values:
        errors["security"] = [_("Segurança inválida: use starttls, ssl ou none.")]
    elif settings.security == SmtpSecurity.NONE and not is_loopback(settings.host or ""):
        errors["security"] = [
            _("Sem criptografia só é permitido para servidor local (localhost/127.0.0.1).")
        ]


def validate_smtp_settings(settings: SmtpSettings) -> None:
    """Raise ``ValidationError`` (field → Portuguese messages) for anything unacceptable."""
    validate_no_newlines(
        {
            n: getattr(settings, n)
            for n in ("host", "username", "from_email", "from_name", "reply_to")
        }
    )
    errors: dict[str, list[str]] = {}
    _check_host(settings, errors)
    _check_numbers(settings, errors)
    _check_addresses(settings, errors)
    if errors:
        raise ValidationError(errors)
