"""Brazilian formats for screens and e-mails: ``R$ 1.234,56``, ``dd/mm/aaaa``, São Paulo time."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone


def decimal_br(value: Decimal | float | int | str | None, places: int = 2) -> str:
    """``1234.5`` → ``1.234,50``."""
    if value in (None, ""):
        return ""
    text = f"{Decimal(str(value)):,.{places}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def brl(value: Decimal | float | int | str | None) -> str:
    """``Decimal("1234.56")`` → ``R$ 1.234,56``; negative → ``-R$ 1.234,56``."""
    if value in (None, ""):
        return ""
    amount = Decimal(str(value))
    sign = "-" if amount < 0 else ""
    return f"{sign}R$ {decimal_br(abs(amount))}"


def date_br(value: date | str | None) -> str:
    """A date (or ISO string) → ``dd/mm/aaaa``; datetimes are shown in São Paulo time."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.strftime("%d/%m/%Y")


def datetime_br(value: datetime | None) -> str:
    """An aware datetime → ``dd/mm/aaaa hh:mm`` in America/Sao_Paulo."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return local.strftime("%d/%m/%Y %H:%M")
