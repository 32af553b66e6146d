"""What a printed boleto shows: plain dataclasses the PDF renders (no Django, no fpdf)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .banks import Bank, bank_for
from .febraban import Barcode
from .operations import ComputedBoleto

DEFAULT_PAYMENT_PLACE = "Pagável em qualquer banco até o vencimento"


@dataclass(frozen=True)
class Party:
    """Beneficiary, payer or guarantor as printed: name, CPF/CNPJ (formatted) and address lines."""

    name: str
    document: str = ""
    address: tuple[str, ...] = ()


@dataclass(frozen=True)
class BoletoData:
    """Everything one boleto page shows.

    The bank, the linha digitável, the due date and the amount all derive from ``barcode`` (computed
    by us or issued by the bank), so the printed line and the bars can never disagree.
    """

    barcode: Barcode
    nosso_numero: str
    agency_code: str
    beneficiary: Party
    payer: Party
    document_number: str
    document_date: date
    processing_date: date
    wallet: str = ""
    document_kind: str = "DM"
    acceptance: str = "N"
    payment_place: str = DEFAULT_PAYMENT_PLACE
    instructions: tuple[str, ...] = ()
    fine_interest: str = ""
    guarantor: Party | None = None

    @property
    def bank(self) -> Bank:
        """The bank of the barcode (``BoletoError`` if we do not support it)."""
        return bank_for(self.barcode.bank_code)

    @property
    def due_date(self) -> date | None:
        """The due date the barcode encodes (None: contra-apresentação)."""
        return self.barcode.due_date

    @property
    def amount(self) -> Decimal:
        """The amount the barcode encodes."""
        return self.barcode.amount

    @classmethod
    def from_computed(
        cls,
        computed: ComputedBoleto,
        *,
        beneficiary: Party,
        payer: Party,
        document_number: str,
        document_date: date,
        processing_date: date | None = None,
        instructions: tuple[str, ...] = (),
        fine_interest: str = "",
        guarantor: Party | None = None,
    ) -> BoletoData:
        """The page data of a boleto we computed (bank fields filled from ``computed``)."""
        return cls(
            barcode=computed.barcode,
            nosso_numero=computed.nosso_numero_formatted,
            agency_code=computed.agency_code,
            wallet=computed.account.wallet,
            beneficiary=beneficiary,
            payer=payer,
            document_number=document_number,
            document_date=document_date,
            processing_date=processing_date or document_date,
            instructions=instructions,
            fine_interest=fine_interest,
            guarantor=guarantor,
        )
