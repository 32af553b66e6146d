"""Business days: weekends and Brazilian national holidays."""

from datetime import date

from spysystem.routines.calendar import days_sent_on, is_business_day, previous_business_day


def test_christmas_friday_and_the_weekend_move_to_thursday():
    assert not is_business_day(date(2026, 12, 25))
    assert previous_business_day(date(2026, 12, 27)) == date(2026, 12, 24)
    assert days_sent_on(date(2026, 12, 24)) == [date(2026, 12, d) for d in (24, 25, 26, 27)]


def test_turn_of_the_year():
    assert days_sent_on(date(2026, 12, 31)) == [
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 2),
        date(2027, 1, 3),
    ]
    assert days_sent_on(date(2027, 1, 2)) == []  # a Saturday sends nothing itself


def test_the_boleto_factor_rollover_saturday():
    assert previous_business_day(date(2025, 2, 22)) == date(2025, 2, 21)
