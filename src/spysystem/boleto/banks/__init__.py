"""The banks we issue boletos for, one module each, behind the ``Bank`` interface."""

from __future__ import annotations

from ..errors import BoletoError
from .banco_do_brasil import BancoDoBrasil
from .base import Bank, BankAccount
from .bradesco import Bradesco
from .caixa import Caixa
from .inter import Inter
from .itau import Itau
from .santander import Santander
from .sicoob import Sicoob
from .sicredi import Sicredi

BANKS: dict[str, Bank] = {
    bank.code: bank
    for bank in (
        BancoDoBrasil(),
        Bradesco(),
        Itau(),
        Caixa(),
        Santander(),
        Sicoob(),
        Sicredi(),
        Inter(),
    )
}


def bank_for(code: str | int) -> Bank:
    """The bank with FEBRABAN ``code`` (``"001"``, ``"1"`` or ``1``); ``BoletoError`` if unknown."""
    key = str(code).strip().zfill(3)
    try:
        return BANKS[key]
    except KeyError:
        known = ", ".join(f"{bank.code} ({bank.name})" for bank in BANKS.values())
        raise BoletoError(
            f"Banco {str(code).strip() or '(vazio)'} não suportado. Bancos disponíveis: {known}.",
            code="unknown_bank",
        ) from None


__all__ = ["BANKS", "Bank", "BankAccount", "bank_for"]
