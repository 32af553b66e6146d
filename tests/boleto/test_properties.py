"""Properties over generated boletos of every bank (self-consistency, not external vectors).

Check digits are re-derived by tests.boleto.reference, an independent plain implementation.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spysystem.boleto import BoletoError, compute, parse
from tests.boleto import reference
from tests.boleto.strategies import amounts, any_bank_input, issue_and_due_dates

FIELD_5 = range(33, 47)


@settings(max_examples=300, deadline=None)
@given(bank_input=any_bank_input, amount=amounts, dates=issue_and_due_dates())
def test_every_generated_boleto_parses_back_to_its_bank_amount_and_due_date(
    bank_input, amount, dates
):
    (account, number), (issued, due) = bank_input, dates
    result = compute(
        account=account, nosso_numero=number, due_date=due, amount=amount, reference_date=issued
    )
    barcode = result.barcode.barcode
    parsed = parse(result.barcode.formatted_line, reference_date=issued)
    assert parsed.bank_code == account.bank_code
    assert parsed.amount == amount
    assert parsed.due_date == due
    assert parsed.free_field == result.barcode.free_field
    assert parse(barcode, reference_date=issued) == parsed
    assert reference.general_digit(barcode[:4] + barcode[5:]) == barcode[4]
    assert result.barcode.digitable_line == reference.line_of(barcode)
    assert int(barcode[5:9]) == reference.factor_of(due)
    assert result.nosso_numero_dv in result.nosso_numero_formatted


@settings(max_examples=300, deadline=None)
@given(
    bank_input=any_bank_input,
    amount=amounts,
    dates=issue_and_due_dates(),
    position=st.integers(min_value=0, max_value=46),
    shift=st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_change_in_a_line_is_detected(bank_input, amount, dates, position, shift):
    (account, number), (issued, due) = bank_input, dates
    line = compute(
        account=account, nosso_numero=number, due_date=due, amount=amount, reference_date=issued
    ).barcode.digitable_line
    changed = line[:position] + str((int(line[position]) + shift) % 10) + line[position + 1 :]
    try:
        parse(changed, reference_date=issued)
    except BoletoError:
        return
    # Only FEBRABAN's own blind spot may pass: a field-5 change (due factor or amount) that moves
    # the mod-11 remainder between 0 and 1, both printed as general digit 1.
    assert position in FIELD_5
    assert line[32] == "1"
    barcode = changed[0:4] + changed[32:47] + changed[4:9] + changed[10:20] + changed[21:31]
    assert reference.general_digit(barcode[:4] + barcode[5:]) == "1"


def test_the_febraban_general_digit_blind_spot_is_real():
    # Self-consistency: two different amounts whose barcodes share every other digit and whose
    # general digit is "1" in both — no check digit can tell them apart.
    from spysystem.boleto.febraban import general_check_digit

    base = "0019" + "1000" + "0000010000" + "0" * 25
    twins = [
        base[:13] + str(d) + base[14:]
        for d in range(10)
        if general_check_digit(base[:13] + str(d) + base[14:]) == "1"
    ]
    assert len(twins) >= 2


@pytest.mark.parametrize("amount", [Decimal("0.00"), Decimal("99999999.99")])
def test_amount_limits_round_trip(amount):
    from datetime import date

    from spysystem.boleto import BankAccount

    account = BankAccount("237", "1172", "403005", wallet="09")
    result = compute(
        account=account,
        nosso_numero="1",
        due_date=date(2026, 3, 1),
        amount=amount,
        reference_date=date(2026, 1, 1),
    )
    assert parse(result.barcode.formatted_line, reference_date=date(2026, 1, 1)).amount == amount
