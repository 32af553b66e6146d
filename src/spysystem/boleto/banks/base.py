"""The one interface every bank implements, and the account data it reads."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from ..errors import BoletoError


@dataclass(frozen=True)
class BankAccount:
    """The beneficiary's collection account as the bank registered it (plain data, no Django).

    ``agreement`` is the bank's convênio / código do beneficiário / código do cliente, ``wallet``
    the carteira. ``extras`` holds the few bank-specific fields (Sicredi ``posto``, Itaú
    ``seu_numero``, Sicoob ``modalidade``...), each documented in its bank's module. Values are
    digit strings as the bank prints them; banks zero-pad and length-check them.
    """

    bank_code: str
    agency: str
    account: str = ""
    agency_dv: str = ""
    account_dv: str = ""
    wallet: str = ""
    agreement: str = ""
    extras: Mapping[str, str] = field(default_factory=dict)

    def extra_value(self, key: str, default: str = "") -> str:
        """One bank-specific field, stripped; ``default`` when absent or blank."""
        return str(self.extras.get(key, "") or "").strip() or default


class Bank(ABC):
    """A bank's boleto rules: its free-field layout and its nosso-número check digit.

    Subclasses are stateless; ``nosso_numero`` arguments are the sequence the beneficiary allocates,
    without check digit, as digits (banks zero-pad them and refuse ones too long for their layout).
    """

    code: ClassVar[str]
    check_digit: ClassVar[str]
    name: ClassVar[str]

    @property
    def label(self) -> str:
        """Bank code with its check digit, as printed in the header: ``"001-9"``."""
        return f"{self.code}-{self.check_digit}"

    @abstractmethod
    def free_field(self, account: BankAccount, nosso_numero: str, *, amount: Decimal) -> str:
        """The 25-digit campo livre (barcode positions 20–44) for this account and number."""

    @abstractmethod
    def nosso_numero_dv(self, account: BankAccount, nosso_numero: str) -> str:
        """The nosso número check digit as printed (``""`` where the layout has none)."""

    @abstractmethod
    def format_nosso_numero(self, account: BankAccount, nosso_numero: str) -> str:
        """The nosso número as printed on the boleto, with its check digit."""

    def format_agency_code(self, account: BankAccount) -> str:
        """The "Agência / Código do Beneficiário" box."""
        agency = with_dv(account.agency, account.agency_dv)
        return f"{agency} / {with_dv(account.account, account.account_dv)}"

    def __repr__(self) -> str:
        return f"<Bank {self.label} {self.name}>"


def with_dv(number: str, dv: str) -> str:
    """``number-dv``, or ``number`` alone when there is no check digit."""
    return f"{number}-{dv}" if dv else number


def fit(value: str, length: int, *, what: str, bank: str) -> str:
    """``value`` zero-padded to ``length`` digits; ``BoletoError`` if empty, non-digit or long."""
    text = (value or "").strip()
    if not text:
        raise BoletoError(f"{what} é obrigatório para o {bank}.", code="missing_field")
    if not (text.isdigit() and text.isascii()):
        raise BoletoError(f"{what} deve conter apenas números: {text!r}.", code="not_digits")
    if len(text) > length:
        raise BoletoError(
            f"{what} {text} longo demais para o {bank}: no máximo {length} dígitos.",
            code="too_long",
        )
    return text.zfill(length)


def one_of(value: str, allowed: tuple[str, ...], *, what: str, bank: str) -> str:
    """``value`` if it is one of ``allowed``, else a ``BoletoError`` listing them."""
    if value not in allowed:
        raise BoletoError(
            f"{what} {value or '(vazio)'} não suportado para o {bank}: use "
            + ", ".join(allowed)
            + ".",
            code="unsupported_option",
        )
    return value
