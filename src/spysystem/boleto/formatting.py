"""Brazilian display formats for boletos (``1.234,56``, ``dd/mm/aaaa``) without Django."""

from __future__ import annotations

from datetime import date
from decimal import Decimal


def decimal_br(value: Decimal) -> str:
    """``Decimal("1234.5")`` → ``1.234,50``."""
    text = f"{value:,.2f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def brl(value: Decimal) -> str:
    """``Decimal("1234.56")`` → ``R$ 1.234,56``."""
    sign = "-" if value < 0 else ""
    return f"{sign}R$ {decimal_br(abs(value))}"


def date_br(value: date) -> str:
    """``date(2026, 2, 3)`` → ``03/02/2026``."""
    return value.strftime("%d/%m/%Y")
