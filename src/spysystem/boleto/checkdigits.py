"""Check-digit arithmetic shared by FEBRABAN and the banks (pure functions over digit strings)."""

from __future__ import annotations

from collections.abc import Sequence

WEIGHTS_2_TO_9: tuple[int, ...] = (2, 3, 4, 5, 6, 7, 8, 9)
WEIGHTS_2_TO_7: tuple[int, ...] = (2, 3, 4, 5, 6, 7)


def mod10(digits: str) -> int:
    """FEBRABAN module 10: weights 2, 1, 2, 1... from the right; products above 9 add their digits.

    Returns ``(10 - sum % 10) % 10``, the digit used by the linha digitável fields and by several
    banks' nosso-número and free-field check digits.
    """
    total = 0
    for position, char in enumerate(reversed(digits)):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def weighted_sum(digits: str, weights: Sequence[int] = WEIGHTS_2_TO_9) -> int:
    """Sum of digits times weights applied cyclically from the rightmost digit."""
    return sum(
        int(char) * weights[position % len(weights)]
        for position, char in enumerate(reversed(digits))
    )


def mod11_remainder(digits: str, weights: Sequence[int] = WEIGHTS_2_TO_9) -> int:
    """``weighted_sum(digits, weights) % 11``; each bank maps the remainder to its own digit."""
    return weighted_sum(digits, weights) % 11


def mod11_zero_above_nine(digits: str) -> int:
    """``11 - remainder`` (weights 2–9), with 10 and 11 becoming 0 (Caixa, Sicredi nosso número)."""
    result = 11 - mod11_remainder(digits)
    return 0 if result > 9 else result


def mod11_zero_below_two(digits: str) -> int:
    """``11 - remainder`` (weights 2–9), with remainders 0 and 1 giving 0 (Santander, Sicredi)."""
    remainder = mod11_remainder(digits)
    return 0 if remainder < 2 else 11 - remainder
