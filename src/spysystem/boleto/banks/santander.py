"""Santander (033-7).

Free field: "9" + código do beneficiário(7) + nosso número(12) + its DV + IOF(1, "0" except for
insurance companies) + carteira(3: 101, 102, 104 or 201).
Nosso-número DV: mod 11 (weights 2–9 from the right), remainders 0 and 1 → 0, 10 → 1.
``agreement`` is the código do beneficiário; ``extras["iof"]`` defaults to ``0``.
Printed ``000090002720-7``.
"""

from __future__ import annotations

from decimal import Decimal

from ..checkdigits import mod11_zero_below_two
from .base import Bank, BankAccount, fit, one_of

_BANK = "Santander"
_WALLETS = ("101", "102", "104", "201")


class Santander(Bank):
    """Santander: código do beneficiário of 7 digits, nosso número of 12 + DV."""

    code = "033"
    check_digit = "7"
    name = _BANK

    def free_field(self, account: BankAccount, nosso_numero: str, *, amount: Decimal) -> str:
        """``9`` + beneficiário(7) + nosso número(12) + DV + IOF + carteira(3)."""
        return (
            "9"
            + _beneficiary(account)
            + _sequence(nosso_numero)
            + self.nosso_numero_dv(account, nosso_numero)
            + fit(account.extra_value("iof", "0"), 1, what="IOF", bank=_BANK)
            + one_of(account.wallet or "101", _WALLETS, what="Carteira", bank=_BANK)
        )

    def nosso_numero_dv(self, account: BankAccount, nosso_numero: str) -> str:
        """Mod 11 over the 12-digit number; 0 when the remainder is 0 or 1."""
        return str(mod11_zero_below_two(_sequence(nosso_numero)))

    def format_nosso_numero(self, account: BankAccount, nosso_numero: str) -> str:
        """``NNNNNNNNNNNN-D``."""
        return f"{_sequence(nosso_numero)}-{self.nosso_numero_dv(account, nosso_numero)}"

    def format_agency_code(self, account: BankAccount) -> str:
        """``AAAA / BBBBBBB``: agência / código do beneficiário."""
        agency = fit(account.agency, 4, what="Agência", bank=_BANK)
        return f"{agency} / {_beneficiary(account)}"


def _beneficiary(account: BankAccount) -> str:
    return fit(account.agreement, 7, what="Código do beneficiário", bank=_BANK)


def _sequence(nosso_numero: str) -> str:
    return fit(nosso_numero, 12, what="Nosso número", bank=_BANK)
