"""Brazilian formats used on screens and in e-mails."""

from datetime import UTC, date, datetime
from decimal import Decimal

from spysystem.formats import brl, date_br, datetime_br


def test_brl_uses_dot_for_thousands_and_comma_for_cents():
    assert brl(Decimal("1234.56")) == "R$ 1.234,56"
    assert brl(Decimal("1234567.8")) == "R$ 1.234.567,80"
    assert brl(Decimal("-0.5")) == "-R$ 0,50"
    assert brl("10000") == "R$ 10.000,00"


def test_dates_are_day_month_year():
    assert date_br(date(2026, 2, 3)) == "03/02/2026"
    assert date_br("2026-12-31") == "31/12/2026"


def test_datetimes_are_shown_in_sao_paulo_time():
    assert datetime_br(datetime(2026, 12, 4, 2, 30, tzinfo=UTC)) == "03/12/2026 23:30"
