"""An independent, deliberately plain re-implementation of the FEBRABAN rules, for cross-checks.

Written from the FEBRABAN layout (not from ``spysystem.boleto``): if both agree on thousands of
generated boletos, a slip in one of them would have to be repeated identically in the other.
"""

from __future__ import annotations

from datetime import date

_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # digit sum of 2 × d


def luhn_digit(digits: str) -> str:
    """Mod 10 with weights 2, 1, 2... from the right (the linha digitável field digit)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        total += _DOUBLED[int(char)] if index % 2 == 0 else int(char)
    return str((10 - total % 10) % 10)


def general_digit(body43: str) -> str:
    """Barcode position 5 over the other 43 digits: 11 - (sum mod 11), with 0, 10, 11 → 1."""
    weights = [2, 3, 4, 5, 6, 7, 8, 9] * 6
    total = sum(int(c) * w for c, w in zip(reversed(body43), weights, strict=False))
    digit = 11 - total % 11
    return "1" if digit in (0, 10, 11) else str(digit)


def line_of(barcode: str) -> str:
    """The 47-digit line of a 44-digit barcode."""
    free = barcode[19:]
    parts = [barcode[:4] + free[:5], free[5:15], free[15:25]]
    return "".join(p + luhn_digit(p) for p in parts) + barcode[4] + barcode[5:19]


def factor_of(day: date) -> int:
    """Days since 07/10/1997, minus 9000 for every full restart after 9999."""
    days = (day - date(1997, 10, 7)).days
    while days > 9999:
        days -= 9000
    return days
