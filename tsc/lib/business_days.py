"""Business days for due dates and banking days for payments.

Due dates: a return or payment due on a Saturday, Sunday or Connecticut legal holiday is due the
next business day. Banking days: weekdays that are not Federal Reserve holidays; a holiday on
Sunday closes Monday, a holiday on Saturday does not close Friday (the `XFED` calendar of the
`holidays` package follows that rule).
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _ct_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.US(subdiv="CT", years=year, observed=True))


@lru_cache(maxsize=64)
def _fed_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.financial_holidays("XFED", years=year))


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _ct_holidays(day.year)


def next_business_day(day: date) -> date:
    """`day` itself when it is a business day, else the next one."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def is_banking_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _fed_holidays(day.year)


def previous_banking_day(day: date) -> date:
    """The banking day before `day`: when a payment for `day` is sent to the bank."""
    day -= timedelta(days=1)
    while not is_banking_day(day):
        day -= timedelta(days=1)
    return day
