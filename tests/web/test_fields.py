"""Brazilian amounts and dates typed in forms."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from spysystem.web.forms import AmountField, BrDateField, parse_amount


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1.234,56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("R$ 1.234,56", "1234.56"),
        ("1.234", "1234"),
        ("1.234.567,8", "1234567.8"),
        ("10", "10"),
        (" 0,5 ", "0.5"),
    ],
)
def test_amounts_typed_either_way_are_understood(typed, expected):
    assert parse_amount(typed) == Decimal(expected)


@pytest.mark.parametrize("typed", ["", "abc", "1,2,3", "1.2.3", "12a", "1e5", "--1", "1..2"])
def test_anything_else_is_not_an_amount(typed):
    with pytest.raises(ValueError):
        parse_amount(typed)


def test_amount_field_rejects_too_many_digits():
    with pytest.raises(ValidationError, match="grande demais"):
        AmountField().clean("1.000.000.000.000,00")


@pytest.mark.parametrize("typed", ["10/12/2026", "2026-12-10"])
def test_date_field_accepts_brazilian_and_iso(typed):
    assert BrDateField().clean(typed) == date(2026, 12, 10)
