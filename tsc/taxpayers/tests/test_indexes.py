"""The filing periods' indexes after migration taxpayers/0004 (issue 13): the data pages read a
registration's periods by period end from one covering index, which serves the foreign key too;
the single-column index on the registration is gone, and the one-period-per-end rule stays."""

from django.db import connection

from tsc.taxpayers.models import FilingPeriod


def test_periods_are_indexed_by_registration_and_period_end(db):
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, FilingPeriod._meta.db_table)
    unique = found["one_period_per_end"]
    assert unique["unique"] and unique["columns"] == ["registration_id", "period_end"]
    assert found["period_by_end_idx"]["columns"][:2] == ["registration_id", "period_end"]
    alone = [n for n, c in found.items() if c["index"] and c["columns"] == ["registration_id"]]
    assert alone == []


def test_a_second_period_with_the_same_end_is_refused(demo):
    import pytest
    from django.db import IntegrityError, transaction

    period = FilingPeriod.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        FilingPeriod.objects.create(
            registration=period.registration,
            period_start=period.period_start,
            period_end=period.period_end,
            due_date=period.due_date,
        )
