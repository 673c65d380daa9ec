from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsc.taxpayers.models import FilingFrequency, TaxType
from tsc.taxpayers.periods import due_date, last_period_end, period_containing, periods_between


@pytest.mark.parametrize(
    ("day", "frequency", "expected"),
    [
        (date(2024, 2, 10), FilingFrequency.MONTHLY, (date(2024, 2, 1), date(2024, 2, 29))),  # leap year
        (date(2023, 2, 10), FilingFrequency.MONTHLY, (date(2023, 2, 1), date(2023, 2, 28))),
        (date(2024, 5, 31), FilingFrequency.QUARTERLY, (date(2024, 4, 1), date(2024, 6, 30))),
        (date(2024, 12, 31), FilingFrequency.QUARTERLY, (date(2024, 10, 1), date(2024, 12, 31))),
        (date(2024, 7, 4), FilingFrequency.ANNUAL, (date(2024, 1, 1), date(2024, 12, 31))),
        (date(2024, 11, 20), FilingFrequency.WEEKLY, (date(2024, 11, 17), date(2024, 11, 23))),  # Sun-Sat
    ],
)
def test_period_containing(day, frequency, expected):
    assert period_containing(day, frequency) == expected


@pytest.mark.parametrize(
    ("code", "frequency", "period_end", "due"),
    [
        # Sales and use: last day of the month after the period.
        (TaxType.SALES_AND_USE, FilingFrequency.MONTHLY, date(2024, 1, 31), date(2024, 2, 29)),
        (TaxType.SALES_AND_USE, FilingFrequency.QUARTERLY, date(2024, 12, 31), date(2025, 1, 31)),
        (TaxType.SALES_AND_USE, FilingFrequency.MONTHLY, date(2024, 3, 31), date(2024, 4, 30)),
        # Withholding deposits, monthly: 15th of the next month.
        (TaxType.WITHHOLDING, FilingFrequency.MONTHLY, date(2024, 12, 31), date(2025, 1, 15)),
        # CT-941 quarterly: last day of the month after the quarter.
        (TaxType.WITHHOLDING, FilingFrequency.QUARTERLY, date(2024, 9, 30), date(2024, 10, 31)),
        # CT-1096: January 31 of the next year.
        (TaxType.WITHHOLDING_NON_WAGE, FilingFrequency.ANNUAL, date(2024, 12, 31), date(2025, 1, 31)),
        # Estimated income tax: Apr 15, Jun 15, Sep 15, Jan 15.
        (TaxType.INDIVIDUAL_INCOME, FilingFrequency.QUARTERLY, date(2024, 3, 31), date(2024, 4, 15)),
        (TaxType.INDIVIDUAL_INCOME, FilingFrequency.QUARTERLY, date(2024, 12, 31), date(2025, 1, 15)),
    ],
)
def test_due_dates(code, frequency, period_end, due):
    assert due_date(code, frequency, period_end) == due


def test_a_due_date_on_a_weekend_or_holiday_moves_to_the_next_business_day():
    from tsc.taxpayers.periods import statutory_due_date

    assert statutory_due_date(TaxType.SALES_AND_USE, FilingFrequency.MONTHLY, date(2026, 9, 30)) == date(2026, 10, 31)
    assert due_date(TaxType.SALES_AND_USE, FilingFrequency.MONTHLY, date(2026, 9, 30)) == date(2026, 11, 2)
    # CT-1096 for 2025: January 31, 2026 is a Saturday.
    assert due_date(TaxType.WITHHOLDING_NON_WAGE, FilingFrequency.ANNUAL, date(2025, 12, 31)) == date(2026, 2, 2)
    # Withholding for December 2024 due January 15, 2025 (a Wednesday): unchanged.
    assert due_date(TaxType.WITHHOLDING, FilingFrequency.MONTHLY, date(2024, 12, 31)) == date(2025, 1, 15)


def test_periods_between_lists_only_ended_periods():
    periods = periods_between(date(2024, 2, 15), date(2024, 6, 29), FilingFrequency.MONTHLY)
    assert [end for _, end in periods] == [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30), date(2024, 5, 31)]
    assert periods_between(date(2024, 1, 1), date(2024, 12, 30), FilingFrequency.ANNUAL) == []
    assert len(periods_between(date(2021, 1, 1), date(2024, 12, 31), FilingFrequency.QUARTERLY)) == 16


@given(
    start=st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)),
    through=st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)),
    end_date=st.none() | st.dates(min_value=date(2014, 1, 1), max_value=date(2031, 12, 31)),
    frequency=st.sampled_from(list(FilingFrequency)),
)
def test_last_period_end_is_the_last_period_listed(start, through, end_date, frequency):
    """File Returns works the last period out from the dates; listing them all must agree."""
    ends = [e for s, e in periods_between(start, through, frequency) if end_date is None or s <= end_date]
    assert last_period_end(start, through, frequency, end_date) == (ends[-1] if ends else None)
