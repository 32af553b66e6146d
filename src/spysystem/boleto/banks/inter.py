"""Banco Inter (077-9).

Free field: agência(4, "0001") + carteira(3: 110 or 112) + código do beneficiário / operação(7)
+ nosso número(10) + DV. The DV is mod 10 (weights 2, 1 from the right) over agência + carteira +
nosso número. Inter usually registers the boleto through its API and returns the codes: store those
with ``validate_bank_issued`` instead of computing them. Printed ``00019/110/0004309540-1``.
"""

from __future__ import annotations

from decimal import Decimal

from ..checkdigits import mod10
from .base import Bank, BankAccount, fit, one_of

_BANK = "Banco Inter"


class Inter(Bank):
    """Banco Inter: carteira 110 or 112, código do beneficiário of 7, nosso número of 10 + DV."""

    code = "077"
    check_digit = "9"
    name = _BANK

    def free_field(self, account: BankAccount, nosso_numero: str, *, amount: Decimal) -> str:
        """agência + carteira + beneficiário + nosso número + DV."""
        return (
            _agency(account)
            + _wallet(account)
            + fit(account.agreement, 7, what="Código do beneficiário", bank=_BANK)
            + _sequence(nosso_numero)
            + self.nosso_numero_dv(account, nosso_numero)
        )

    def nosso_numero_dv(self, account: BankAccount, nosso_numero: str) -> str:
        """Mod 10 over agência(4) + carteira(3) + nosso número(10)."""
        return str(mod10(_agency(account) + _wallet(account) + _sequence(nosso_numero)))

    def format_nosso_numero(self, account: BankAccount, nosso_numero: str) -> str:
        """``AAAAD/CCC/NNNNNNNNNN-D`` (agência with its check digit when known)."""
        dv = self.nosso_numero_dv(account, nosso_numero)
        agency = _agency(account) + account.agency_dv
        return f"{agency}/{_wallet(account)}/{_sequence(nosso_numero)}-{dv}"


def _agency(account: BankAccount) -> str:
    return fit(account.agency or "0001", 4, what="Agência", bank=_BANK)


def _wallet(account: BankAccount) -> str:
    return one_of(account.wallet or "112", ("110", "112"), what="Carteira", bank=_BANK)


def _sequence(nosso_numero: str) -> str:
    return fit(nosso_numero, 10, what="Nosso número", bank=_BANK)
