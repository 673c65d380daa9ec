"""Filing periods and due dates (DOMAIN.md), as plain date arithmetic."""

import calendar
from datetime import date, timedelta

from tsc.lib.business_days import next_business_day

from .models import FilingFrequency, TaxType

_MONTHS = {FilingFrequency.MONTHLY: 1, FilingFrequency.QUARTERLY: 3, FilingFrequency.ANNUAL: 12}


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


def period_containing(day: date, frequency: str) -> tuple[date, date]:
    """The (start, end) of the calendar period of this frequency that contains `day`."""
    if frequency == FilingFrequency.WEEKLY:
        start = day - timedelta(days=(day.weekday() + 1) % 7)  # Sunday to Saturday
        return start, start + timedelta(days=6)
    months = _MONTHS[FilingFrequency(frequency)]
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    end_first = _add_months(start, months - 1)
    return start, _month_end(end_first.year, end_first.month)


def due_date(tax_type_code: str, frequency: str, period_end: date) -> date:
    """When the return (or payment) for a period ending on `period_end` is due: the statutory
    date, moved to the next business day when it falls on a weekend or Connecticut holiday."""
    return next_business_day(statutory_due_date(tax_type_code, frequency, period_end))


def statutory_due_date(tax_type_code: str, frequency: str, period_end: date) -> date:
    following = _add_months(period_end.replace(day=1), 1)
    if tax_type_code == TaxType.WITHHOLDING_NON_WAGE:
        return date(period_end.year + 1, 1, 31)  # CT-1096: January 31
    if tax_type_code == TaxType.WITHHOLDING and frequency in (FilingFrequency.MONTHLY, FilingFrequency.WEEKLY):
        return following.replace(day=15)  # CT-WH deposits: 15th of the next month
    if tax_type_code == TaxType.INDIVIDUAL_INCOME:
        # Estimated payments: Apr 15, Jun 15, Sep 15, Jan 15 for the quarters of the year.
        return {
            3: date(period_end.year, 4, 15),
            6: date(period_end.year, 6, 15),
            9: date(period_end.year, 9, 15),
            12: date(period_end.year + 1, 1, 15),
        }[period_end.month]
    return _month_end(following.year, following.month)  # last day of the month after


def return_frequency(tax_type_code: str, registration_frequency: str) -> str:
    """How often a return is filed. Withholding deposits (CT-WH) follow the registration's
    frequency, but the return, CT-941, reconciles them quarterly."""
    if tax_type_code == TaxType.WITHHOLDING:
        return FilingFrequency.QUARTERLY
    return registration_frequency


def periods_between(start: date, through: date, frequency: str) -> list[tuple[date, date]]:
    """Every whole period that has begun on or after `start`'s period and ended by `through`."""
    periods = []
    period_start, period_end = period_containing(start, frequency)
    while period_end <= through:
        periods.append((period_start, period_end))
        period_start, period_end = period_containing(period_end + timedelta(days=1), frequency)
    return periods


def last_period_end(start: date, through: date, frequency: str, end_date: date | None = None) -> date | None:
    """The end of the last of `periods_between(start, through, frequency)` that began on or before
    `end_date` (a registration's end, if any), or None when there is none: worked out from the
    dates, without listing every period since `start` (File Returns asks on every visit)."""
    first_end = period_containing(start, frequency)[1]
    last_start, last_end = period_containing(through, frequency)
    if last_end > through:  # the period containing `through` has not ended: the one before
        last_start, last_end = period_containing(last_start - timedelta(days=1), frequency)
    if end_date is not None and last_start > end_date:
        last_end = period_containing(end_date, frequency)[1]
    return last_end if last_end >= first_end else None
