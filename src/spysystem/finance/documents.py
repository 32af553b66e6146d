"""Brazilian tax ids: CPF and CNPJ, including the alphanumeric CNPJ introduced in 2026.

Pure functions, no Django. ``normalize_*`` strips punctuation and upper-cases; ``is_valid_*``
checks length, alphabet and the two mod-11 check digits.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"[.\-/\s]")
_CNPJ_SHAPE = re.compile(r"^[0-9A-Z]{12}[0-9]{2}$")
_CNPJ_WEIGHTS_1 = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_CNPJ_WEIGHTS_2 = (6, *_CNPJ_WEIGHTS_1)


def normalize(document: str) -> str:
    """Drop dots, dashes, slashes and spaces; upper-case letters."""
    return _PUNCTUATION.sub("", document or "").upper()


def _mod11_digit(values: list[int], weights: tuple[int, ...]) -> int:
    remainder = sum(v * w for v, w in zip(values, weights, strict=True)) % 11
    return 0 if remainder < 2 else 11 - remainder


def cnpj_check_digits(base12: str) -> str:
    """The two check digits of a 12-character CNPJ base (digits or A–Z, value = ASCII − 48)."""
    values = [ord(char) - 48 for char in base12]
    first = _mod11_digit(values, _CNPJ_WEIGHTS_1)
    second = _mod11_digit([*values, first], _CNPJ_WEIGHTS_2)
    return f"{first}{second}"


def is_valid_cnpj(document: str) -> bool:
    """True for a numeric or alphanumeric CNPJ with correct check digits (punctuation allowed)."""
    value = normalize(document)
    if not _CNPJ_SHAPE.match(value) or len(set(value)) == 1:
        return False
    return cnpj_check_digits(value[:12]) == value[12:]


def cpf_check_digits(base9: str) -> str:
    """The two check digits of a 9-digit CPF base."""
    values = [int(char) for char in base9]
    first = _mod11_digit(values, tuple(range(10, 1, -1)))
    second = _mod11_digit([*values, first], tuple(range(11, 1, -1)))
    return f"{first}{second}"


def is_valid_cpf(document: str) -> bool:
    """True for an 11-digit CPF with correct check digits (punctuation allowed)."""
    value = normalize(document)
    if not (len(value) == 11 and value.isdigit()) or len(set(value)) == 1:
        return False
    return cpf_check_digits(value[:9]) == value[9:]


def format_document(document: str) -> str:
    """``12345678901`` → ``123.456.789-01``; a CNPJ → ``12.ABC.345/01DE-35``; else unchanged."""
    value = normalize(document)
    if len(value) == 11:
        return f"{value[:3]}.{value[3:6]}.{value[6:9]}-{value[9:]}"
    if len(value) == 14:
        return f"{value[:2]}.{value[2:5]}.{value[5:8]}/{value[8:12]}-{value[12:]}"
    return document
