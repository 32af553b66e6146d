"""FEBRABAN boleto de cobrança: the 44-digit barcode, the 47-digit linha digitável, the due factor.

Barcode (44 digits, positions 1-based)::

    1-3 bank · 4 currency (9 = Real) · 5 general check digit (mod 11) · 6-9 due factor
    · 10-19 amount in cents · 20-44 free field (campo livre, the bank's layout)

Linha digitável (47 digits), printed ``AAAAA.AAAAA BBBBB.BBBBBB CCCCC.CCCCCC D EEEEEEEEEEEEEE``::

    field 1: bank, currency, free field 1-5, mod-10 digit
    field 2: free field 6-15, mod-10 digit
    field 3: free field 16-25, mod-10 digit
    field 4: the barcode's general check digit
    field 5: due factor and amount

Due factor: days since 07/10/1997. Factor 1000 fell on 03/07/2000 and 9999 on 21/02/2025;
from 22/02/2025 the count restarts at 1000, so a factor names one date every 9000 days.
FEBRABAN accepts a boleto only when its due date lies within a window around today: at most
3000 days in the past and 5500 days in the future (the rule that came with the rollover). This
module uses that window both to refuse due dates when building and to pick the one date a factor
means when decoding: the window spans 8501 days, fewer than a 9000-day cycle, so at most one
candidate fits. Factor 0000 means "no due date" (contra-apresentação), accepted when parsing.

Pure Python: no Django, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from .checkdigits import mod10, mod11_remainder
from .errors import BoletoError
from .formatting import brl, date_br

BASE_DATE = date(1997, 10, 7)
FIRST_CYCLE_START = date(2000, 7, 3)
ROLLOVER_DATE = date(2025, 2, 22)
FACTOR_MIN = 1000
FACTOR_MAX = 9999
CYCLE_DAYS = FACTOR_MAX - FACTOR_MIN + 1
WINDOW_PAST_DAYS = 3000
WINDOW_FUTURE_DAYS = 5500
NO_DUE_DATE_FACTOR = "0000"
MAX_AMOUNT = Decimal("99999999.99")
CURRENCY_REAL = "9"
BARCODE_LENGTH = 44
LINE_LENGTH = 47
FREE_FIELD_LENGTH = 25

_CENT = Decimal("0.01")
_SEPARATORS = re.compile(r"[\s.\-]")


# --- due factor


def due_factor(due_date: date) -> str:
    """The 4-digit due factor of ``due_date`` (any date from 03/07/2000 on; cycles every 9000 days).

    No window check here: ``build_barcode`` checks the date against the FEBRABAN window.
    """
    days = (due_date - FIRST_CYCLE_START).days
    if days < 0:
        raise BoletoError(
            f"Vencimento {date_br(due_date)} anterior a {date_br(FIRST_CYCLE_START)}: "
            "não há fator de vencimento para essa data.",
            code="due_date_out_of_window",
        )
    return f"{FACTOR_MIN + days % CYCLE_DAYS:04d}"


def valid_window(reference: date) -> tuple[date, date]:
    """First and last due date FEBRABAN accepts on ``reference`` (inclusive)."""
    return (
        reference - timedelta(days=WINDOW_PAST_DAYS),
        reference + timedelta(days=WINDOW_FUTURE_DAYS),
    )


def check_due_date_window(due_date: date, reference: date) -> None:
    """Raise ``BoletoError`` unless ``due_date`` is in the FEBRABAN window around ``reference``."""
    first, last = valid_window(reference)
    if not first <= due_date <= last:
        raise BoletoError(
            f"Vencimento {date_br(due_date)} fora da janela aceita pela FEBRABAN em "
            f"{date_br(reference)}: de {date_br(first)} a {date_br(last)}.",
            code="due_date_out_of_window",
        )


def due_date_from_factor(factor: str, *, reference: date) -> date | None:
    """The date a factor names, taken within the window around ``reference``; ``0000`` → None."""
    if factor == NO_DUE_DATE_FACTOR:
        return None
    value = int(factor)
    if value < FACTOR_MIN:
        raise BoletoError(
            f"Fator de vencimento {factor} inválido: os fatores em uso vão de 1000 a 9999.",
            code="due_factor",
        )
    first, last = valid_window(reference)
    candidate = FIRST_CYCLE_START + timedelta(days=value - FACTOR_MIN)
    cycles_behind = max(0, -(-(first - candidate).days // CYCLE_DAYS))
    candidate += timedelta(days=cycles_behind * CYCLE_DAYS)
    if candidate > last:
        raise BoletoError(
            f"Fator de vencimento {factor} não corresponde a nenhuma data aceita em "
            f"{date_br(reference)} (de {date_br(first)} a {date_br(last)}).",
            code="due_date_out_of_window",
        )
    return candidate


# --- amount


def to_amount(value: Decimal | int | str) -> Decimal:
    """A non-negative amount with at most two decimal places, as a ``Decimal`` in cents precision.

    Accepts ``Decimal``, ``int`` or a decimal string (``"1234.56"``); floats are refused so no
    binary rounding can reach a boleto. Raises ``BoletoError`` past R$ 99.999.999,99 (the 10-digit
    field).
    """
    amount = _decimal(value)
    if amount < 0:
        raise BoletoError("O valor do boleto não pode ser negativo.", code="amount_negative")
    if amount != amount.quantize(_CENT):
        raise BoletoError(
            f"Valor {value} com mais de duas casas decimais.", code="amount_precision"
        )
    if amount > MAX_AMOUNT:
        raise BoletoError(
            f"Valor {brl(amount)} acima do máximo que cabe no código de barras "
            f"({brl(MAX_AMOUNT)}).",
            code="amount_too_large",
        )
    return amount.quantize(_CENT)


def _decimal(value: Decimal | int | str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise BoletoError(
            "Valor inválido: informe um número decimal como texto (ex.: 1234.56).",
            code="amount_invalid",
        )
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise BoletoError(f"Valor inválido: {value!r}.", code="amount_invalid") from None
    if not amount.is_finite():
        raise BoletoError(f"Valor inválido: {value!r}.", code="amount_invalid")
    return amount


def encode_amount(value: Decimal | int | str) -> str:
    """The 10-digit amount field (cents, zero-padded) after ``to_amount`` validation."""
    return f"{int(to_amount(value) * 100):010d}"


# --- check digits


def general_check_digit(digits43: str) -> str:
    """Barcode position 5: mod 11 (weights 2–9) over the other 43 digits; 0, 10 and 11 become 1."""
    result = 11 - mod11_remainder(digits43)
    return "1" if result in (0, 10, 11) else str(result)


# --- line <-> barcode


def barcode_to_line(barcode: str) -> str:
    """The 47-digit linha digitável of a 44-digit barcode (check digits of fields 1–3 added)."""
    _require_digits(barcode, BARCODE_LENGTH, "código de barras")
    fields = (
        barcode[0:4] + barcode[19:24],
        barcode[24:34],
        barcode[34:44],
    )
    return "".join(f + str(mod10(f)) for f in fields) + barcode[4] + barcode[5:19]


def line_to_barcode(line: str) -> str:
    """The 44-digit barcode of a 47-digit line; raises if a field check digit does not match."""
    _require_digits(line, LINE_LENGTH, "linha digitável")
    for number, (start, end) in enumerate(((0, 9), (10, 20), (21, 31)), start=1):
        if str(mod10(line[start:end])) != line[end]:
            raise BoletoError(
                f"Dígito verificador do campo {number} da linha digitável não confere: "
                "verifique a digitação.",
                code="field_check_digit",
            )
    return line[0:4] + line[32] + line[33:47] + line[4:9] + line[10:20] + line[21:31]


def format_line(line: str) -> str:
    """``AAAAA.AAAAA BBBBB.BBBBBB CCCCC.CCCCCC D EEEEEEEEEEEEEE`` from 47 digits."""
    _require_digits(line, LINE_LENGTH, "linha digitável")
    return (
        f"{line[0:5]}.{line[5:10]} {line[10:15]}.{line[15:21]} "
        f"{line[21:26]}.{line[26:32]} {line[32]} {line[33:47]}"
    )


def _require_digits(value: str, length: int, what: str) -> None:
    if len(value) != length or not value.isdigit() or not value.isascii():
        raise BoletoError(f"{what.capitalize()} deve ter {length} dígitos.", code="invalid_length")


# --- Barcode


@dataclass(frozen=True)
class Barcode:
    """A checked FEBRABAN barcode and the due date its factor means (None for factor 0000).

    Built only by ``build_barcode`` and ``parse``; the constructor re-checks length and the general
    check digit, so an instance is always a code a bank would accept.
    """

    barcode: str
    due_date: date | None

    def __post_init__(self) -> None:
        _require_digits(self.barcode, BARCODE_LENGTH, "código de barras")
        if general_check_digit(self.barcode[:4] + self.barcode[5:]) != self.barcode[4]:
            raise BoletoError(
                "Dígito verificador geral do código de barras não confere.", code="check_digit"
            )
        factor = due_factor(self.due_date) if self.due_date else NO_DUE_DATE_FACTOR
        if factor != self.barcode[5:9]:
            raise BoletoError(
                "A data de vencimento não corresponde ao fator do código de barras.",
                code="due_factor",
            )

    @property
    def bank_code(self) -> str:
        """Positions 1–3: the FEBRABAN bank code (``"001"``)."""
        return self.barcode[0:3]

    @property
    def currency(self) -> str:
        """Position 4: ``"9"`` for Real."""
        return self.barcode[3]

    @property
    def check_digit(self) -> str:
        """Position 5: the general check digit."""
        return self.barcode[4]

    @property
    def due_factor(self) -> str:
        """Positions 6–9: the due factor (``"0000"`` when there is no due date)."""
        return self.barcode[5:9]

    @property
    def amount(self) -> Decimal:
        """Positions 10–19 as a ``Decimal`` (0.00 when the amount is left for the payer)."""
        return (Decimal(int(self.barcode[9:19])) / 100).quantize(_CENT)

    @property
    def free_field(self) -> str:
        """Positions 20–44: the bank's free field (campo livre)."""
        return self.barcode[19:44]

    @property
    def digitable_line(self) -> str:
        """The 47-digit linha digitável, digits only."""
        return barcode_to_line(self.barcode)

    @property
    def formatted_line(self) -> str:
        """The linha digitável as printed, with dots and spaces."""
        return format_line(self.digitable_line)

    def as_dict(self) -> dict[str, str | None]:
        """JSON-ready fields: barcode, formatted digitable_line, bank, amount, due date, factor."""
        return {
            "barcode": self.barcode,
            "digitable_line": self.formatted_line,
            "bank": self.bank_code,
            "currency": self.currency,
            "due_factor": self.due_factor,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "amount": str(self.amount),
            "free_field": self.free_field,
        }


def build_barcode(
    *,
    bank_code: str,
    due_date: date,
    amount: Decimal | int | str,
    free_field: str,
    reference: date | None = None,
) -> Barcode:
    """Assemble and check a barcode from its parts.

    ``reference`` is the day the boleto is issued (default: today); ``due_date`` must lie within
    the FEBRABAN window around it. Raises ``BoletoError`` for a bad bank code, free field, amount
    or date.
    """
    if len(bank_code) != 3 or not bank_code.isdigit():
        raise BoletoError("O código do banco deve ter 3 dígitos.", code="bank_code")
    if len(free_field) != FREE_FIELD_LENGTH or not free_field.isdigit():
        raise BoletoError("O campo livre deve ter 25 dígitos.", code="free_field")
    check_due_date_window(due_date, reference or date.today())
    body = bank_code + CURRENCY_REAL + due_factor(due_date) + encode_amount(amount) + free_field
    digits = body[:4] + general_check_digit(body) + body[4:]
    return Barcode(barcode=digits, due_date=due_date)


def normalize_digits(text: str) -> str:
    """Drop spaces, dots and hyphens; raise ``BoletoError`` if anything but digits remains."""
    if not text or not text.strip():
        raise BoletoError("Informe a linha digitável ou o código de barras.", code="empty")
    digits = _SEPARATORS.sub("", text)
    if not (digits.isdigit() and digits.isascii()):
        raise BoletoError(
            "A linha digitável deve conter apenas números (pontos e espaços são aceitos).",
            code="invalid_characters",
        )
    return digits


def parse(text: str, *, reference: date | None = None) -> Barcode:
    """Validate and decode a typed or bank-returned linha digitável (47) or barcode (44 digits).

    Dots, spaces and hyphens are ignored. Every check digit is verified; the due factor is decoded
    within the FEBRABAN window around ``reference`` (default: today). Raises ``BoletoError``.
    """
    digits = normalize_digits(text)
    if digits[0] == "8" and len(digits) in (44, 48):
        raise BoletoError(
            "Boletos de arrecadação (contas de consumo e tributos, iniciados por 8) "
            "não são suportados.",
            code="utility_bill",
        )
    if len(digits) == LINE_LENGTH:
        digits = line_to_barcode(digits)
    elif len(digits) != BARCODE_LENGTH:
        raise BoletoError(
            f"Tamanho inválido: {len(digits)} dígitos. A linha digitável tem 47 dígitos e o "
            "código de barras, 44.",
            code="invalid_length",
        )
    return _decode(digits, reference or date.today())


def _decode(barcode: str, reference: date) -> Barcode:
    if general_check_digit(barcode[:4] + barcode[5:]) != barcode[4]:
        raise BoletoError(
            "Dígito verificador geral não confere: verifique a digitação.", code="check_digit"
        )
    if barcode[3] != CURRENCY_REAL:
        raise BoletoError(
            f"Código de moeda {barcode[3]} não suportado: somente 9 (Real).", code="currency"
        )
    return Barcode(
        barcode=barcode, due_date=due_date_from_factor(barcode[5:9], reference=reference)
    )
