from datetime import date

import pytest

from tsc.lib.business_days import is_banking_day, next_business_day, previous_banking_day


@pytest.mark.parametrize(
    ("statutory", "effective"),
    [
        (date(2026, 10, 30), date(2026, 10, 30)),  # Friday
        (date(2026, 10, 31), date(2026, 11, 2)),  # Saturday → Monday
        (date(2024, 3, 31), date(2024, 4, 1)),  # Sunday → Monday
        (date(2026, 1, 31), date(2026, 2, 2)),  # Saturday → Monday
        (date(2025, 2, 17), date(2025, 2, 18)),  # Washington's Birthday
        (date(2026, 2, 12), date(2026, 2, 13)),  # Lincoln's Birthday, a Connecticut holiday
        (date(2026, 4, 3), date(2026, 4, 6)),  # Good Friday (Connecticut) → Monday
        (date(2026, 12, 31), date(2026, 12, 31)),
    ],
)
def test_due_dates_move_to_the_next_business_day(statutory, effective):
    assert next_business_day(statutory) == effective


@pytest.mark.parametrize(
    ("day", "banking"),
    [
        (date(2026, 11, 23), True),  # Monday
        (date(2026, 11, 26), False),  # Thanksgiving
        (date(2026, 11, 28), False),  # Saturday
        (date(2027, 7, 5), False),  # July 4 on a Sunday closes Monday
        (date(2026, 7, 3), True),  # July 4 on a Saturday: Friday stays open
        (date(2026, 2, 12), True),  # Lincoln's Birthday is not a Federal Reserve holiday
    ],
)
def test_banking_days_follow_the_federal_reserve(day, banking):
    assert is_banking_day(day) is banking


@pytest.mark.parametrize(
    ("payment_date", "sent"),
    [
        (date(2026, 11, 24), date(2026, 11, 23)),  # Tuesday → Monday
        (date(2026, 11, 30), date(2026, 11, 27)),  # Monday → Friday
        (date(2026, 11, 27), date(2026, 11, 25)),  # Friday after Thanksgiving → Wednesday
        (date(2027, 7, 6), date(2027, 7, 2)),  # Tuesday after the observed July 4 → Friday
        (date(2027, 1, 4), date(2026, 12, 31)),  # Monday after New Year's Day (Friday) → Thursday, year end
    ],
)
def test_payments_go_to_the_bank_one_banking_day_early(payment_date, sent):
    assert previous_banking_day(payment_date) == sent
