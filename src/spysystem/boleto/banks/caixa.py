"""Caixa Econômica Federal (104-0), SIGCB.

Nosso número of 17 digits: modalidade (carteira: 1 registrada, 2 sem registro) + emissão
(4 = beneficiário) + sequence(15); its check digit is mod 11 (weights 2–9, 10 and 11 → 0).
Printed ``14000000000000001-4``.

Free field: código do beneficiário(6) + its DV + sequence 1–3 + modalidade + sequence 4–6 + emissão
+ sequence 7–15 + DV of the first 24 digits (mod 11, weights 2–9, results above 9 → 0).
``agreement`` is the 6-digit código do beneficiário; ``extras["emissao"]`` defaults to ``4``.
"""

from __future__ import annotations

from decimal import Decimal

from ..checkdigits import mod11_zero_above_nine
from .base import Bank, BankAccount, fit, one_of

_BANK = "Caixa"


class Caixa(Bank):
    """Caixa SIGCB: código do beneficiário of 6 digits, nosso número of 2 + 15 digits."""

    code = "104"
    check_digit = "0"
    name = "Caixa Econômica Federal"

    def free_field(self, account: BankAccount, nosso_numero: str, *, amount: Decimal) -> str:
        """See the module docstring."""
        beneficiary = _beneficiary(account)
        sequence = _sequence(nosso_numero)
        body = (
            beneficiary
            + str(mod11_zero_above_nine(beneficiary))
            + sequence[0:3]
            + _wallet(account)
            + sequence[3:6]
            + _issuer(account)
            + sequence[6:15]
        )
        return body + str(mod11_zero_above_nine(body))

    def nosso_numero_dv(self, account: BankAccount, nosso_numero: str) -> str:
        """Mod 11 over the 17-digit nosso número (modalidade + emissão + sequence)."""
        return str(mod11_zero_above_nine(_full_number(account, nosso_numero)))

    def format_nosso_numero(self, account: BankAccount, nosso_numero: str) -> str:
        """``MENNNNNNNNNNNNNNN-D``."""
        dv = self.nosso_numero_dv(account, nosso_numero)
        return f"{_full_number(account, nosso_numero)}-{dv}"

    def format_agency_code(self, account: BankAccount) -> str:
        """``AAAA/BBBBBB-D``: agência / código do beneficiário with its check digit."""
        beneficiary = _beneficiary(account)
        agency = fit(account.agency, 4, what="Agência", bank=_BANK)
        return f"{agency}/{beneficiary}-{mod11_zero_above_nine(beneficiary)}"


def _full_number(account: BankAccount, nosso_numero: str) -> str:
    return _wallet(account) + _issuer(account) + _sequence(nosso_numero)


def _beneficiary(account: BankAccount) -> str:
    return fit(account.agreement, 6, what="Código do beneficiário", bank=_BANK)


def _sequence(nosso_numero: str) -> str:
    return fit(nosso_numero, 15, what="Nosso número", bank=_BANK)


def _wallet(account: BankAccount) -> str:
    return one_of(account.wallet or "1", ("1", "2"), what="Carteira", bank=_BANK)


def _issuer(account: BankAccount) -> str:
    return one_of(account.extra_value("emissao", "4"), ("4",), what="Emissão", bank=_BANK)
