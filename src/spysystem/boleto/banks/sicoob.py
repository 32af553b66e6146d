"""Sicoob (756-0), Bancoob layout.

Free field: carteira(1) + cooperativa(4) + modalidade(2) + código do cliente(7) + nosso número(7)
+ its DV + parcela(3).
Nosso-número DV: weights 3, 1, 9, 7 repeated from the left over cooperativa(4) + código do cliente
(10, zero-padded) + nosso número(7); remainder mod 11 of 0 or 1 → 0, otherwise 11 − remainder.
``agency`` is the cooperativa, ``agreement`` the código do cliente (with its check digit),
``extras["modalidade"]`` defaults to ``01`` and ``extras["parcela"]`` to ``001``.
Printed ``0000004-0``.
"""

from __future__ import annotations

from decimal import Decimal

from .base import Bank, BankAccount, fit

_BANK = "Sicoob"
_WEIGHTS = (3, 1, 9, 7)


class Sicoob(Bank):
    """Sicoob: cooperativa of 4 digits, código do cliente of 7, nosso número of 7 + DV."""

    code = "756"
    check_digit = "0"
    name = _BANK

    def free_field(self, account: BankAccount, nosso_numero: str, *, amount: Decimal) -> str:
        """carteira + cooperativa + modalidade + cliente + nosso número + DV + parcela."""
        return (
            fit(account.wallet or "1", 1, what="Carteira", bank=_BANK)
            + _cooperative(account)
            + fit(account.extra_value("modalidade", "01"), 2, what="Modalidade", bank=_BANK)
            + _client(account, 7)
            + _sequence(nosso_numero)
            + self.nosso_numero_dv(account, nosso_numero)
            + fit(account.extra_value("parcela", "001"), 3, what="Parcela", bank=_BANK)
        )

    def nosso_numero_dv(self, account: BankAccount, nosso_numero: str) -> str:
        """The 3197 rule over cooperativa + cliente(10) + nosso número(7)."""
        digits = _cooperative(account) + _client(account, 10) + _sequence(nosso_numero)
        total = sum(int(char) * _WEIGHTS[i % 4] for i, char in enumerate(digits))
        remainder = total % 11
        return "0" if remainder < 2 else str(11 - remainder)

    def format_nosso_numero(self, account: BankAccount, nosso_numero: str) -> str:
        """``NNNNNNN-D``."""
        return f"{_sequence(nosso_numero)}-{self.nosso_numero_dv(account, nosso_numero)}"

    def format_agency_code(self, account: BankAccount) -> str:
        """``CCCC / CCCCCCC``: cooperativa / código do cliente."""
        return f"{_cooperative(account)} / {_client(account, 7)}"


def _cooperative(account: BankAccount) -> str:
    return fit(account.agency, 4, what="Cooperativa", bank=_BANK)


def _client(account: BankAccount, length: int) -> str:
    return fit(account.agreement, 7, what="Código do cliente", bank=_BANK).zfill(length)


def _sequence(nosso_numero: str) -> str:
    return fit(nosso_numero, 7, what="Nosso número", bank=_BANK)
