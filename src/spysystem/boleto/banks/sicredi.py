"""Sicredi (748-X).

Nosso número: year(2) + byte de geração(1, 2–9) + sequence(5) + DV, printed ``19/200004-8``.
The DV is mod 11 (weights 2–9, results above 9 → 0) over cooperativa(4) + posto(2) +
código do beneficiário(5) + the 8 digits.

Free field: tipo de cobrança(1: 1 com registro, 3 sem registro) + carteira(1: 1 simples) +
nosso número with DV(9) + cooperativa(4) + posto(2) + código do beneficiário(5) + "1" when the
amount is filled in (else "0") + "0" + DV of the first 24 digits (mod 11, remainders 0 and 1 → 0).

``agency`` is the cooperativa, ``agreement`` the código do beneficiário, ``extras["posto"]`` the
posto; ``extras["tipo_cobranca"]`` defaults to ``1``. The nosso número is either the full 8 digits
(year + byte + sequence) or a sequence of up to 5 digits with ``extras["year"]`` (2 digits) and
``extras["byte"]`` (default ``2``).
"""

from __future__ import annotations

from decimal import Decimal

from ..checkdigits import mod11_zero_above_nine, mod11_zero_below_two
from ..errors import BoletoError
from .base import Bank, BankAccount, fit, one_of

_BANK = "Sicredi"


class Sicredi(Bank):
    """Sicredi: cooperativa, posto and código do beneficiário; nosso número YY/BNNNNN-D."""

    code = "748"
    check_digit = "X"
    name = _BANK

    def free_field(self, account: BankAccount, nosso_numero: str, *, amount: Decimal) -> str:
        """See the module docstring."""
        body = (
            one_of(account.extra_value("tipo_cobranca", "1"), ("1", "3"), what="Tipo", bank=_BANK)
            + one_of(account.wallet or "1", ("1",), what="Carteira", bank=_BANK)
            + _number(account, nosso_numero)
            + self.nosso_numero_dv(account, nosso_numero)
            + _beneficiary_key(account)
            + ("1" if amount > 0 else "0")
            + "0"
        )
        return body + str(mod11_zero_below_two(body))

    def nosso_numero_dv(self, account: BankAccount, nosso_numero: str) -> str:
        """Mod 11 over cooperativa + posto + beneficiário + year + byte + sequence."""
        return str(
            mod11_zero_above_nine(_beneficiary_key(account) + _number(account, nosso_numero))
        )

    def format_nosso_numero(self, account: BankAccount, nosso_numero: str) -> str:
        """``YY/BNNNNN-D``."""
        number = _number(account, nosso_numero)
        return f"{number[:2]}/{number[2:]}-{self.nosso_numero_dv(account, nosso_numero)}"

    def format_agency_code(self, account: BankAccount) -> str:
        """``CCCC.PP.BBBBB``: cooperativa, posto, código do beneficiário."""
        key = _beneficiary_key(account)
        return f"{key[:4]}.{key[4:6]}.{key[6:]}"


def _beneficiary_key(account: BankAccount) -> str:
    return (
        fit(account.agency, 4, what="Cooperativa", bank=_BANK)
        + fit(account.extra_value("posto"), 2, what="Posto", bank=_BANK)
        + fit(account.agreement, 5, what="Código do beneficiário", bank=_BANK)
    )


def _number(account: BankAccount, nosso_numero: str) -> str:
    text = (nosso_numero or "").strip()
    if len(text) == 8:
        number = fit(text, 8, what="Nosso número", bank=_BANK)
        _check_byte(number[2])
        return number
    year = fit(account.extra_value("year"), 2, what="Ano do nosso número (year)", bank=_BANK)
    generation_byte = account.extra_value("byte", "2")
    _check_byte(generation_byte)
    return year + generation_byte + fit(text, 5, what="Nosso número", bank=_BANK)


def _check_byte(value: str) -> None:
    if len(value) != 1 or value not in "23456789":
        raise BoletoError(
            "O byte de geração do nosso número Sicredi deve ser de 2 a 9 "
            "(1 é reservado à cooperativa).",
            code="unsupported_option",
        )
