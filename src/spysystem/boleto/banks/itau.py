"""Itaú (341-7).

Free field, usual carteiras (109, 112, 175, 168...):
carteira(3) + nosso número(8) + DAC + agência(4) + conta(5) + DAC(agência + conta) + "000".
The nosso-número DAC is mod 10 over agência + conta + carteira + nosso número, except for carteiras
126, 131, 146, 150 and 168, where it is mod 10 over carteira + nosso número.

Carteiras with "seu número" (106, 107, 122, 142, 143, 195, 196, 198):
carteira(3) + nosso número(8) + seu número(7) + código do cliente(5) + DAC(of those 23) + "0",
with ``extras["seu_numero"]`` and the código do cliente in ``agreement``.
Printed ``175/12345678-4``.
"""

from __future__ import annotations

from decimal import Decimal

from ..checkdigits import mod10
from .base import Bank, BankAccount, fit

_BANK = "Itaú"
_SHORT_DAC_WALLETS = ("126", "131", "146", "150", "168")
_SEU_NUMERO_WALLETS = ("106", "107", "122", "142", "143", "195", "196", "198")


class Itau(Bank):
    """Itaú: carteira of 3 digits, nosso número of 8 digits with a mod-10 DAC."""

    code = "341"
    check_digit = "7"
    name = _BANK

    def free_field(self, account: BankAccount, nosso_numero: str, *, amount: Decimal) -> str:
        """The usual layout, or the seu-número layout for the carteiras that use it."""
        wallet, sequence = _wallet(account), _sequence(nosso_numero)
        if wallet in _SEU_NUMERO_WALLETS:
            body = (
                wallet
                + sequence
                + fit(account.extra_value("seu_numero"), 7, what="Seu número", bank=_BANK)
                + fit(account.agreement, 5, what="Código do cliente", bank=_BANK)
            )
            return body + str(mod10(body)) + "0"
        agency_account = _agency(account) + _account(account)
        dac = self.nosso_numero_dv(account, nosso_numero)
        return wallet + sequence + dac + agency_account + str(mod10(agency_account)) + "000"

    def nosso_numero_dv(self, account: BankAccount, nosso_numero: str) -> str:
        """Mod 10 over agência + conta + carteira + nosso número (some carteiras: the last two)."""
        wallet, sequence = _wallet(account), _sequence(nosso_numero)
        if wallet in _SHORT_DAC_WALLETS:
            return str(mod10(wallet + sequence))
        return str(mod10(_agency(account) + _account(account) + wallet + sequence))

    def format_nosso_numero(self, account: BankAccount, nosso_numero: str) -> str:
        """``CCC/NNNNNNNN-D``."""
        dv = self.nosso_numero_dv(account, nosso_numero)
        return f"{_wallet(account)}/{_sequence(nosso_numero)}-{dv}"

    def format_agency_code(self, account: BankAccount) -> str:
        """``AAAA / CCCCC-D`` with the account DAC computed from agência + conta."""
        agency_account = _agency(account) + _account(account)
        return f"{_agency(account)} / {_account(account)}-{mod10(agency_account)}"


def _wallet(account: BankAccount) -> str:
    return fit(account.wallet, 3, what="Carteira", bank=_BANK)


def _sequence(nosso_numero: str) -> str:
    return fit(nosso_numero, 8, what="Nosso número", bank=_BANK)


def _agency(account: BankAccount) -> str:
    return fit(account.agency, 4, what="Agência", bank=_BANK)


def _account(account: BankAccount) -> str:
    return fit(account.account, 5, what="Conta", bank=_BANK)
