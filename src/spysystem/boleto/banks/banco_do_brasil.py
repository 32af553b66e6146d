"""Banco do Brasil (001-9).

Free field by convênio length (BB "Especificações técnicas do boleto de cobrança"):

- 4 digits: convênio(4) + nosso número(7) + agência(4) + conta(8) + carteira(2)
- 6 digits, nosso número of 5: convênio(6) + nosso número(5) + agência(4) + conta(8) + carteira(2)
- 6 digits, nosso número of 17 (carteiras 16 and 18, "nosso número livre"):
  convênio(6) + nosso número(17) + "21" (service code)
- 7 digits: "000000" + convênio(7) + nosso número(10) + carteira(2)
- 8 digits: "000000" + convênio(8) + nosso número(9) + carteira(2)

The printed nosso número is convênio + sequence (17 digits with no check digit for 7- and
8-digit convênios and for the 17-digit variant); for 4- and 6-digit convênios it carries a
mod-11 check digit (weights 9..2 from the right, the remainder is the digit, 10 prints as X).

The 6-digit convênio variant is chosen by ``extras["nosso_numero_length"]`` (``"5"`` or ``"17"``)
or, when absent, by the length of the number given (up to 5 digits → 5, longer → 17).
"""

from __future__ import annotations

from decimal import Decimal

from ..checkdigits import mod11_remainder
from ..errors import BoletoError
from .base import Bank, BankAccount, fit, with_dv

_BANK = "Banco do Brasil"
_BB_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)
_SEQUENCE_LENGTH = {4: 7, 7: 10, 8: 9}
_FREE_NUMBER_WALLETS = ("16", "18")


class BancoDoBrasil(Bank):
    """Banco do Brasil: convênios of 4, 6 (5- or 17-digit nosso número), 7 and 8 digits."""

    code = "001"
    check_digit = "9"
    name = _BANK

    def free_field(self, account: BankAccount, nosso_numero: str, *, amount: Decimal) -> str:
        """See the module docstring for the five layouts."""
        agreement, sequence = self._parts(account, nosso_numero)
        wallet = fit(account.wallet, 2, what="Carteira", bank=_BANK)
        if len(sequence) == 17:
            _check_free_number_wallet(wallet)
            return agreement + sequence + "21"
        if len(agreement) in (7, 8):
            return "000000" + agreement + sequence + wallet
        return agreement + sequence + _agency_account(account) + wallet

    def nosso_numero_dv(self, account: BankAccount, nosso_numero: str) -> str:
        """Mod-11 digit for 4- and 6-digit convênios (X for 10); ``""`` for 17-digit numbers."""
        agreement, sequence = self._parts(account, nosso_numero)
        if len(agreement) in (7, 8) or len(sequence) == 17:
            return ""
        return bb_mod11(agreement + sequence)

    def format_nosso_numero(self, account: BankAccount, nosso_numero: str) -> str:
        """``12387989000004042`` (17 digits) or ``1238012345-6`` style with the check digit."""
        agreement, sequence = self._parts(account, nosso_numero)
        printed = sequence if len(sequence) == 17 else agreement + sequence
        return with_dv(printed, self.nosso_numero_dv(account, nosso_numero))

    def _parts(self, account: BankAccount, nosso_numero: str) -> tuple[str, str]:
        agreement = (account.agreement or "").strip()
        if len(agreement) not in (4, 6, 7, 8):
            raise BoletoError(
                "O convênio do Banco do Brasil deve ter 4, 6, 7 ou 8 dígitos.",
                code="agreement_length",
            )
        fit(agreement, len(agreement), what="Convênio", bank=_BANK)
        return agreement, fit(
            nosso_numero, _sequence_length(account, nosso_numero), what="Nosso número", bank=_BANK
        )


def _sequence_length(account: BankAccount, nosso_numero: str) -> int:
    agreement_length = len(account.agreement.strip())
    if agreement_length != 6:
        return _SEQUENCE_LENGTH[agreement_length]
    chosen = account.extra_value("nosso_numero_length")
    if chosen in ("5", "17"):
        return int(chosen)
    if chosen:
        raise BoletoError(
            "Para convênio de 6 dígitos, nosso_numero_length deve ser 5 ou 17.",
            code="unsupported_option",
        )
    return 5 if len(nosso_numero.strip()) <= 5 else 17


def _check_free_number_wallet(wallet: str) -> None:
    if wallet not in _FREE_NUMBER_WALLETS:
        raise BoletoError(
            f"Nosso número de 17 dígitos com convênio de 6 dígitos só é permitido nas carteiras "
            f"16 e 18 (carteira informada: {wallet}).",
            code="unsupported_option",
        )


def _agency_account(account: BankAccount) -> str:
    return fit(account.agency, 4, what="Agência", bank=_BANK) + fit(
        account.account, 8, what="Conta", bank=_BANK
    )


def bb_mod11(digits: str) -> str:
    """BB check digit: weights 9..2 from the right, the remainder itself, 10 → ``X``."""
    remainder = mod11_remainder(digits, _BB_WEIGHTS)
    return "X" if remainder == 10 else str(remainder)
