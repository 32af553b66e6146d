"""Hypothesis strategies: valid account data and nosso números for every bank we support."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from spysystem.boleto import BankAccount


def digits(min_size: int, max_size: int | None = None) -> st.SearchStrategy[str]:
    """Digit strings of ``min_size``..``max_size`` characters."""
    return st.text("0123456789", min_size=min_size, max_size=max_size or min_size)


@st.composite
def banco_do_brasil(draw) -> tuple[BankAccount, str]:
    size = draw(st.sampled_from([4, 6, 7, 8]))
    agreement = draw(digits(size))
    wallet = draw(st.sampled_from(["11", "17", "18"]))
    number = draw(digits(1, {4: 7, 6: 5, 7: 10, 8: 9}[size]))
    if size == 6 and draw(st.booleans()):
        wallet = draw(st.sampled_from(["16", "18"]))
        number = draw(digits(6, 17))
    account = BankAccount(
        "001", draw(digits(4)), draw(digits(1, 8)), wallet=wallet, agreement=agreement
    )
    return account, number


@st.composite
def bradesco(draw) -> tuple[BankAccount, str]:
    account = BankAccount(
        "237",
        draw(digits(4)),
        draw(digits(1, 7)),
        wallet=draw(st.sampled_from(["09", "06", "19", "26"])),
    )
    return account, draw(digits(1, 11))


@st.composite
def itau(draw) -> tuple[BankAccount, str]:
    wallet = draw(st.sampled_from(["109", "112", "175", "168", "126", "198", "196"]))
    account = BankAccount(
        "341",
        draw(digits(4)),
        draw(digits(5)),
        wallet=wallet,
        agreement=draw(digits(5)),
        extras={"seu_numero": draw(digits(1, 7))},
    )
    return account, draw(digits(1, 8))


@st.composite
def caixa(draw) -> tuple[BankAccount, str]:
    account = BankAccount(
        "104", draw(digits(4)), agreement=draw(digits(6)), wallet=draw(st.sampled_from(["1", "2"]))
    )
    return account, draw(digits(1, 15))


@st.composite
def santander(draw) -> tuple[BankAccount, str]:
    account = BankAccount(
        "033",
        draw(digits(4)),
        agreement=draw(digits(7)),
        wallet=draw(st.sampled_from(["101", "102", "201"])),
    )
    return account, draw(digits(1, 12))


@st.composite
def sicoob(draw) -> tuple[BankAccount, str]:
    account = BankAccount("756", draw(digits(4)), agreement=draw(digits(1, 7)), wallet="1")
    return account, draw(digits(1, 7))


@st.composite
def sicredi(draw) -> tuple[BankAccount, str]:
    account = BankAccount(
        "748", draw(digits(4)), agreement=draw(digits(5)), extras={"posto": draw(digits(2))}
    )
    number = draw(digits(2)) + draw(st.sampled_from("23456789")) + draw(digits(5))
    return account, number


@st.composite
def inter(draw) -> tuple[BankAccount, str]:
    account = BankAccount(
        "077", "0001", wallet=draw(st.sampled_from(["110", "112"])), agreement=draw(digits(7))
    )
    return account, draw(digits(1, 10))


any_bank_input = st.one_of(
    banco_do_brasil(), bradesco(), itau(), caixa(), santander(), sicoob(), sicredi(), inter()
)

amounts = st.decimals(
    min_value=Decimal("0.00"),
    max_value=Decimal("99999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@st.composite
def issue_and_due_dates(draw) -> tuple[date, date]:
    """An issue day between 2010 and 2045 and a due date within its FEBRABAN window."""
    issued = draw(st.dates(min_value=date(2010, 1, 1), max_value=date(2045, 12, 31)))
    offset = draw(st.integers(min_value=-3000, max_value=5500))
    return issued, issued + timedelta(days=offset)
