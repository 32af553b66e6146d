"""Bradesco (237-2).

Free field: agência(4) + carteira(2) + nosso número(11) + conta(7) + "0".
Nosso-número check digit: mod 11 with weights 2..7 from the right over carteira(2) + nosso
número(11); remainder 0 → 0, remainder 1 → P, otherwise 11 − remainder.
Printed ``06/00000000525-P``.
"""

from __future__ import annotations

from decimal import Decimal

from ..checkdigits import WEIGHTS_2_TO_7, mod11_remainder
from .base import Bank, BankAccount, fit

_BANK = "Bradesco"


class Bradesco(Bank):
    """Bradesco: carteiras of 2 digits (09, 06, 19, 26...), nosso número of 11 digits."""

    code = "237"
    check_digit = "2"
    name = _BANK

    def free_field(self, account: BankAccount, nosso_numero: str, *, amount: Decimal) -> str:
        """agência(4) + carteira(2) + nosso número(11) + conta(7) + ``0``."""
        return (
            fit(account.agency, 4, what="Agência", bank=_BANK)
            + _wallet(account)
            + _sequence(nosso_numero)
            + fit(account.account, 7, what="Conta", bank=_BANK)
            + "0"
        )

    def nosso_numero_dv(self, account: BankAccount, nosso_numero: str) -> str:
        """Mod 11 base 7 over carteira + nosso número; 1 → ``P``, 0 → ``0``."""
        remainder = mod11_remainder(_wallet(account) + _sequence(nosso_numero), WEIGHTS_2_TO_7)
        if remainder == 0:
            return "0"
        return "P" if remainder == 1 else str(11 - remainder)

    def format_nosso_numero(self, account: BankAccount, nosso_numero: str) -> str:
        """``CC/NNNNNNNNNNN-D``."""
        dv = self.nosso_numero_dv(account, nosso_numero)
        return f"{_wallet(account)}/{_sequence(nosso_numero)}-{dv}"


def _wallet(account: BankAccount) -> str:
    return fit(account.wallet, 2, what="Carteira", bank=_BANK)


def _sequence(nosso_numero: str) -> str:
    return fit(nosso_numero, 11, what="Nosso número", bank=_BANK)
