"""Boletos: the FEBRABAN core, the banks and the PDF — pure Python, no Django.

The helper API the CLI, the REST API and the routines call::

    compute(account=..., nosso_numero=..., due_date=..., amount=...) -> ComputedBoleto
    compute_from_mapping({"bank": "341", ...})                        -> ComputedBoleto
    parse("34191.09008 01015.271248 ...")                              -> Barcode
    validate_bank_issued(line_or_barcode, expected_bank=..., ...)      -> Barcode
    render_pdf([BoletoData, ...])                                      -> bytes

Every error is a ``BoletoError`` with a Portuguese ``message`` and a stable ``code``.
"""

from __future__ import annotations

from collections.abc import Iterable

from .banks import BANKS, Bank, BankAccount, bank_for
from .document import BoletoData, Party
from .errors import BoletoError
from .febraban import Barcode
from .operations import (
    ComputedBoleto,
    compute,
    compute_from_mapping,
    parse,
    validate_bank_issued,
)


def render_pdf(boletos: Iterable[BoletoData], *, compress: bool = True) -> bytes:
    """One PDF, one page per boleto (fpdf2 is imported only when a PDF is drawn)."""
    from .pdf import render_pdf as render

    return render(boletos, compress=compress)


__all__ = [
    "BANKS",
    "Bank",
    "BankAccount",
    "Barcode",
    "BoletoData",
    "BoletoError",
    "ComputedBoleto",
    "Party",
    "bank_for",
    "compute",
    "compute_from_mapping",
    "parse",
    "render_pdf",
    "validate_bank_issued",
]
