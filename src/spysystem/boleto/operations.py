"""The small API the CLI, the REST API and the routines call: compute, parse, validate.

Everything here is pure: dates of reference are arguments (default: today), nothing is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .banks import Bank, BankAccount, bank_for
from .errors import BoletoError
from .febraban import Barcode, build_barcode, to_amount
from .febraban import parse as parse_code
from .formatting import brl, date_br

ACCOUNT_KEYS = ("agency", "agency_dv", "account", "account_dv", "wallet", "agreement")
BOLETO_KEYS = ("bank", "our_number", "due_date", "amount", "reference_date")


@dataclass(frozen=True)
class ComputedBoleto:
    """A boleto computed by us from an account, a nosso número, a due date and an amount."""

    bank: Bank
    account: BankAccount
    nosso_numero: str
    nosso_numero_dv: str
    nosso_numero_formatted: str
    barcode: Barcode

    @property
    def agency_code(self) -> str:
        """The "Agência / Código do Beneficiário" text, as the bank prints it."""
        return self.bank.format_agency_code(self.account)

    def as_dict(self) -> dict[str, str | None]:
        """The JSON the ``spy boleto compute`` command prints."""
        return {
            "bank": self.bank.code,
            "barcode": self.barcode.barcode,
            "digitable_line": self.barcode.formatted_line,
            "our_number": self.nosso_numero_formatted,
            "due_factor": self.barcode.due_factor,
            "due_date": self.barcode.due_date.isoformat() if self.barcode.due_date else None,
            "amount": str(self.barcode.amount),
            "free_field": self.barcode.free_field,
        }


def compute(
    *,
    account: BankAccount,
    nosso_numero: str,
    due_date: date,
    amount: Decimal | int | str,
    reference_date: date | None = None,
) -> ComputedBoleto:
    """Compute barcode, linha digitável and printed nosso número for one boleto.

    ``reference_date`` is the issue day (default: today) the due date is checked against (FEBRABAN
    window: 3000 days back, 5500 ahead). Raises ``BoletoError`` (pt-BR ``message``) on bad input.
    """
    bank = bank_for(account.bank_code)
    value = to_amount(amount)
    barcode = build_barcode(
        bank_code=bank.code,
        due_date=due_date,
        amount=value,
        free_field=bank.free_field(account, nosso_numero, amount=value),
        reference=reference_date,
    )
    return ComputedBoleto(
        bank=bank,
        account=account,
        nosso_numero=nosso_numero.strip(),
        nosso_numero_dv=bank.nosso_numero_dv(account, nosso_numero),
        nosso_numero_formatted=bank.format_nosso_numero(account, nosso_numero),
        barcode=barcode,
    )


def compute_from_mapping(data: Mapping[str, object]) -> ComputedBoleto:
    """``compute`` from one JSON object of the CLI / API.

    Keys: ``bank``, ``agency``, ``account``, ``wallet``, ``agreement``, ``our_number``, ``due_date``
    (YYYY-MM-DD), ``amount`` (decimal string), optional ``agency_dv``, ``account_dv`` and
    ``reference_date``; any other key is a bank-specific extra (``posto``, ``seu_numero``...).
    """
    if not isinstance(data, Mapping):
        raise BoletoError("Esperado um objeto JSON com os dados do boleto.", code="invalid")
    account = BankAccount(
        bank_code=_required_text(data, "bank"),
        **{key: _text(data.get(key)) for key in ACCOUNT_KEYS},
        extras={
            key: _text(value)
            for key, value in data.items()
            if key not in ACCOUNT_KEYS and key not in BOLETO_KEYS
        },
    )
    reference = data.get("reference_date")
    return compute(
        account=account,
        nosso_numero=_required_text(data, "our_number"),
        due_date=_iso_date(data, "due_date"),
        amount=_amount(data.get("amount")),
        reference_date=_iso_date(data, "reference_date") if reference else None,
    )


def parse(line: str, *, reference_date: date | None = None) -> Barcode:
    """Validate and decode a linha digitável or barcode (see ``febraban.parse``)."""
    return parse_code(line, reference=reference_date)


def validate_bank_issued(
    line_or_barcode: str,
    *,
    reference_date: date | None = None,
    expected_bank: str | None = None,
    expected_amount: Decimal | int | str | None = None,
    expected_due_date: date | None = None,
) -> Barcode:
    """Check a code a bank's API returned, to store it as is (never recomputed).

    Verifies every check digit and the due-date window, and, when given, that the bank, amount and
    due date are the ones we registered. Returns the parsed ``Barcode``; raises ``BoletoError``.
    """
    barcode = parse_code(line_or_barcode, reference=reference_date)
    if expected_bank is not None and barcode.bank_code != bank_for(expected_bank).code:
        raise BoletoError(
            f"O código retornado é do banco {barcode.bank_code}, não do banco {expected_bank}.",
            code="bank_mismatch",
        )
    if expected_amount is not None and barcode.amount != to_amount(expected_amount):
        raise BoletoError(
            f"O código retornado tem valor {brl(barcode.amount)}, "
            f"diferente de {brl(to_amount(expected_amount))}.",
            code="amount_mismatch",
        )
    if expected_due_date is not None and barcode.due_date != expected_due_date:
        raise BoletoError(
            "O código retornado tem vencimento "
            f"{date_br(barcode.due_date) if barcode.due_date else 'contra-apresentação'}, "
            f"diferente de {date_br(expected_due_date)}.",
            code="due_date_mismatch",
        )
    return barcode


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _required_text(data: Mapping[str, object], key: str) -> str:
    value = _text(data.get(key))
    if not value:
        raise BoletoError(f"Campo obrigatório ausente: {key}.", code="missing_field")
    return value


def _iso_date(data: Mapping[str, object], key: str) -> date:
    text = _required_text(data, key)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BoletoError(
            f"Data inválida em {key}: {text!r} (use AAAA-MM-DD).", code="invalid_date"
        ) from None


def _amount(value: object) -> Decimal | int | str:
    if value is None or value == "":
        raise BoletoError("Campo obrigatório ausente: amount.", code="missing_field")
    if isinstance(value, Decimal | int | str) and not isinstance(value, bool):
        return value
    raise BoletoError(
        'Valor inválido em amount: informe um número decimal como texto (ex.: "1234.56").',
        code="amount_invalid",
    )
