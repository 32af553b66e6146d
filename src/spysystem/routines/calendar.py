"""Business days in Brazil: weekends and national holidays (the ``holidays`` package)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _national(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("BR", years=[year]).keys())


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _national(day.year)


def next_business_day(day: date) -> date:
    """``day`` itself when it is a business day, else the business day after it: when a boleto
    due on ``day`` is still paid without charges."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def previous_business_day(day: date) -> date:
    """``day`` itself when it is a business day, else the business day before it."""
    while not is_business_day(day):
        day -= timedelta(days=1)
    return day


def days_sent_on(as_of: date) -> list[date]:
    """The calendar days whose warnings go out on ``as_of``: ``as_of`` and the non-business
    days right after it (their warnings move back to ``as_of``). Empty on a non-business day."""
    if not is_business_day(as_of):
        return []
    days, day = [as_of], as_of + timedelta(days=1)
    while not is_business_day(day):
        days.append(day)
        day += timedelta(days=1)
    return days
