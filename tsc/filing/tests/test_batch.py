"""Filing a batch of returns in one transaction (tsc/filing/batch.py) leaves exactly what filing
them one by one with `return_submit` leaves: the returns, their audit rows and, once processed,
their ledger postings; and it leaves to the per-return path what it cannot do safely."""

import uuid
from datetime import date
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
import time_machine
from django.db import transaction

from tsc.audit.models import AuditEvent
from tsc.filing.batch import ReturnItem, returns_file
from tsc.filing.models import ReturnStatus, TaxReturn
from tsc.filing.services import return_save_draft, return_submit
from tsc.ledger.models import Assessment, LedgerEntry

ACTING = {"relationship": "bulk_filer", "for_business": 0, "by_firm": 0}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-01-20 12:00:00-05:00", tick=False):
        yield


def period(business, code: str, end: date):
    found = business.registrations.get(tax_type__code=code).periods.select_related("registration__tax_type")
    return found.get(period_end=end)


def ct941_values(withheld="300.00", paid="0.00") -> dict:
    third = (D(withheld) / 3).quantize(D("0.01"))
    months = {"m1": third, "m2": third, "m3": D(withheld) - 2 * third}
    return {"l1": D("5000.00"), "l2": D("5000.00"), "l3": D(withheld), "l5": D(paid)} | months


def snapshot(tax_return: TaxReturn) -> dict:
    """What filing left for one return, without what differs by nature (numbers, ids, times)."""
    tax_return = TaxReturn.objects.get(pk=tax_return.pk)
    audit = {
        e.event: {k: v for k, v in e.data.items() if k != "confirmation_number"} | {"actor": e.actor_id}
        for e in AuditEvent.objects.filter(target_type="filing.TaxReturn", target_id=str(tax_return.pk))
    }
    assessment = Assessment.objects.filter(tax_return=tax_return).values("tax", "penalty").first()
    entries = list(
        LedgerEntry.objects.filter(tax_return=tax_return)
        .order_by("kind")
        .values_list("kind", "amount", "effective_date", "memo", "period_id", "business_id")
    )
    fields = ("form", "status", "data", "lines", "tax_due", "credit", "penalty", "interest", "amount_due")
    fields += ("period_id", "business_id", "tax_type_id", "filed_by_id", "created_by_id", "filed_on", "amends_id")
    return {f: getattr(tax_return, f) for f in fields} | {"audit": audit, "assessment": assessment, "ledger": entries}


def per_row(actor, items: list[ReturnItem], capture) -> list[dict]:
    """File the items one by one with return_submit, keep what it left, and undo it all."""
    from tsc.bulk.imports import acting_for

    with transaction.atomic():
        found = []
        for item in items:
            with capture(execute=True), acting_for(_Described(item.acting)):
                found.append(
                    return_submit(actor=actor, period=item.period, values=item.values, submission_token=uuid.uuid4())
                )
        shots = [snapshot(r) for r in found]
        transaction.set_rollback(True)
    return shots


class _Described:
    def __init__(self, acting):
        self.acting = acting

    def describe(self):
        return self.acting


def items_for(demo) -> list[ReturnItem]:
    return [
        # On time (due 02/20/2026): processed by the ledger at once.
        ReturnItem(period(demo.nutmeg, "ST", date(2025, 12, 31)), {"l1_c1": D("10000.00")}, uuid.uuid4(), ACTING),
        # Late (due 12/22/2025): penalty and interest, waits for a clerk.
        ReturnItem(period(demo.nutmeg, "ST", date(2025, 11, 30)), {"l1_c1": D("2500.00")}, uuid.uuid4(), ACTING),
        # CT-941, late, with a credit carried to the next quarter.
        ReturnItem(
            period(demo.nutmeg, "WH", date(2025, 6, 30)), ct941_values("300.00", "500.00"), uuid.uuid4(), ACTING
        ),
        # The next quarter in the same batch: line 4 is the credit of the one just before.
        ReturnItem(period(demo.nutmeg, "WH", date(2025, 9, 30)), ct941_values("300.00"), uuid.uuid4(), ACTING),
        ReturnItem(period(demo.bakery, "ST", date(2025, 12, 31)), {"l1_c1": D("99.99")}, uuid.uuid4(), None),
    ]


def test_a_batch_files_the_same_returns_audit_rows_and_postings_as_one_by_one(demo, django_capture_on_commit_callbacks):
    expected = per_row(demo.admin, items_for(demo), django_capture_on_commit_callbacks)
    items = items_for(demo)
    with django_capture_on_commit_callbacks(execute=True):
        returns_file(actor=demo.admin, items=items)

    assert not [i for i in items if i.fallback or i.problem]
    assert [snapshot(i.tax_return) for i in items] == expected
    q3 = items[3].tax_return
    assert q3.lines[3]["number"] == "4" and q3.lines[3]["amount"] == "200.00"  # Q2's credit, carried
    assert all(i.tax_return.confirmation_number.startswith("TSC-") for i in items)
    # The on-time ones are on the ledger; the late ones wait in the work queue.
    assert Assessment.objects.filter(tax_return=items[0].tax_return).exists()
    assert not Assessment.objects.filter(tax_return=items[1].tax_return).exists()


def test_a_token_already_used_returns_that_filing(demo, django_capture_on_commit_callbacks):
    items = items_for(demo)[:2]
    with django_capture_on_commit_callbacks(execute=True):
        returns_file(actor=demo.admin, items=items)
    first = [i.tax_return.confirmation_number for i in items]
    again = [ReturnItem(i.period, i.values, i.submission_token, ACTING) for i in items]
    with django_capture_on_commit_callbacks(execute=True):
        returns_file(actor=demo.admin, items=again)
    assert [i.tax_return.confirmation_number for i in again] == first
    assert TaxReturn.objects.filter(status=ReturnStatus.FILED).count() == 2
    assert AuditEvent.objects.filter(event="return.filed").count() == 2


def test_what_the_batch_cannot_do_safely_is_left_to_the_per_return_path(demo, django_capture_on_commit_callbacks):
    items = items_for(demo)
    # The client's own user filed one period before the batch, and keeps a draft of another.
    return_submit(actor=demo.admin, period=items[1].period, values={}, submission_token=uuid.uuid4())
    return_save_draft(actor=demo.admin, period=items[2].period, values=ct941_values())
    items.append(ReturnItem(items[0].period, {"l1_c1": D("1.00")}, uuid.uuid4(), ACTING))  # the same period again
    with django_capture_on_commit_callbacks(execute=True):
        returns_file(actor=demo.admin, items=items)
    # 1: filed before; 2: a draft; 3: its prior quarter (2) goes the other way; 5: a second return of 0's period.
    assert [i.fallback for i in items] == [False, True, True, True, False, True]
    assert [i.tax_return is not None for i in items] == [True, False, False, False, True, False]


def test_a_conflict_at_insert_leaves_every_return_to_the_per_return_path(
    demo, monkeypatch, django_capture_on_commit_callbacks
):
    items = items_for(demo)
    # The period is filed after the batch looked (as if another server got there first).
    return_submit(actor=demo.admin, period=items[1].period, values={}, submission_token=uuid.uuid4())
    monkeypatch.setattr("tsc.filing.batch._busy_periods", lambda period_ids: set())  # blind to it
    with django_capture_on_commit_callbacks(execute=True):
        returns_file(actor=demo.admin, items=items)
    monkeypatch.undo()
    assert all(i.fallback and i.tax_return is None for i in items)
    assert TaxReturn.objects.filter(status=ReturnStatus.FILED).count() == 1  # nothing of the batch was kept
    assert not AuditEvent.objects.filter(event="return.filed", data__acting=ACTING).exists()


def test_on_time_returns_are_processed_by_one_task_for_the_batch(demo, monkeypatch, django_capture_on_commit_callbacks):
    calls = []
    monkeypatch.setattr("tsc.ledger.tasks.process_returns", SimpleNamespace(enqueue=calls.append))
    monkeypatch.setattr("tsc.ledger.tasks.process_return", SimpleNamespace(enqueue=calls.append))
    items = items_for(demo)
    with django_capture_on_commit_callbacks(execute=True):
        returns_file(actor=demo.admin, items=items)
    assert calls == [[items[0].tax_return.pk, items[4].tax_return.pk]]


def test_an_amount_too_large_for_the_column_is_a_problem_of_that_return_only(demo):
    items = items_for(demo)[:2]
    items[0].values = {"l1_c1": D("999999999999999.00")}
    returns_file(actor=demo.admin, items=items)
    assert "too large" in items[0].problem and items[0].tax_return is None
    assert items[1].tax_return is not None and not items[1].problem


def test_a_return_the_ledger_cannot_process_does_not_stop_the_others(demo, monkeypatch):
    from tsc.ledger import services as ledger
    from tsc.ledger.tasks import process_returns

    items = items_for(demo)
    returns_file(actor=demo.admin, items=items)  # no commit here: the task is run by hand below
    real = ledger.return_process

    def fails_on_the_first(*, tax_return, actor=None):
        if tax_return.pk == items[0].tax_return.pk:
            raise RuntimeError("a bad row")
        return real(tax_return=tax_return, actor=actor)

    monkeypatch.setattr(ledger, "return_process", fails_on_the_first)
    assert process_returns.call(tax_return_ids=[items[0].tax_return.pk, items[4].tax_return.pk]) == 1
    assert Assessment.objects.filter(tax_return=items[4].tax_return).exists()
    assert not Assessment.objects.filter(tax_return=items[0].tax_return).exists()  # in the work queue


def test_any_of_finds_what_an_in_list_finds_with_one_array_parameter_on_postgresql(demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tsc.filing.batch import any_of
    from tsc.taxpayers.models import FilingPeriod

    periods = list(FilingPeriod.objects.order_by("pk")[:5])
    wanted = [p.pk for p in periods[1:4]]
    ends = {p.period_end for p in periods}
    with CaptureQueriesContext(connection) as queries:
        found = list(
            FilingPeriod.objects.filter(any_of("pk", wanted), any_of("period_end", ends))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        by_join = FilingPeriod.objects.filter(
            any_of("registration__business_id", [periods[0].registration.business_id])
        )
        assert set(by_join) == set(
            FilingPeriod.objects.filter(registration__business_id=periods[0].registration.business_id)
        )
        assert not FilingPeriod.objects.filter(any_of("pk", [])).exists()  # nothing is among no values
    assert found == wanted
    sql = queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert sql.count("= ANY(") == 2 and " IN (" not in sql
    else:
        assert " IN (" in sql


def test_the_database_keeps_one_original_return_and_one_draft_per_period(db):
    from django.db import connection

    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TaxReturn._meta.db_table)
    for name in ("one_original_return_per_period", "one_draft_per_period"):
        assert name in found and found[name]["unique"] and found[name]["columns"] == ["period_id"], name


@pytest.mark.parametrize("listened", [False, True])
def test_the_returns_handed_back_are_the_rows_as_read_from_the_database(demo, listened, monkeypatch):
    """Made without Model.__init__ when nobody listens to a TaxReturn being made, with it else:
    either way the same fields, the data and lines deferred, and saved rows' state."""
    from django.db.models.signals import post_init

    from tsc.filing import batch

    made = []
    if listened:
        post_init.connect(receiver := lambda sender, instance, **kw: made.append(instance.pk), sender=TaxReturn)
    try:
        items = batch.returns_file(actor=demo.admin, items=items_for(demo))
    finally:
        post_init.disconnect(receiver, sender=TaxReturn) if listened else None
    handed = [i.tax_return for i in items]
    assert (len(made) >= len(handed)) == listened
    for r in handed:
        deferred = {"data", "full_lines", "line_amounts"}
        read = TaxReturn.objects.defer(*deferred).get(pk=r.pk)
        values = {
            f.attname: getattr(read, f.attname) for f in TaxReturn._meta.concrete_fields if f.name not in deferred
        }
        assert {name: getattr(r, name) for name in values} == values
        assert r.get_deferred_fields() == deferred and not r._state.adding and r._state.db == "default"
        assert r.lines == read.lines and r.data == read.data  # loaded when read


def test_any_of_an_array_written_as_text_finds_each_value_as_written(demo):
    """On PostgreSQL the values go as the text of an array cast to the column's type
    (`_array_text`): strings whatever they hold (quotes, commas, braces, backslashes, blanks, the
    word NULL), UUIDs, dates and ids are each found as themselves."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tsc.filing.batch import _array_text, any_of
    from tsc.taxpayers.models import Business, FilingPeriod

    names = ['a "quoted", {braced} name', "back\\slash\\", "", "NULL", " spaced ", "plain"]
    for i, name in enumerate(names):
        Business.objects.create(registration_number=f"99{i:05d}-000", legal_name=name)
    wanted = names[:5]
    with CaptureQueriesContext(connection) as queries:
        found = set(Business.objects.filter(any_of("legal_name", wanted)).values_list("legal_name", flat=True))
    assert found == set(wanted)
    if connection.vendor == "postgresql":
        assert "::varchar(120)[]" in queries[0]["sql"]
    periods = list(FilingPeriod.objects.order_by("pk")[:40])
    ends = {p.period_end for p in periods[:3]}
    assert set(FilingPeriod.objects.filter(any_of("period_end", ends)).values_list("period_end", flat=True)) == ends
    ids = [p.pk for p in periods[::7]]
    assert sorted(FilingPeriod.objects.filter(any_of("pk", ids)).values_list("pk", flat=True)) == ids
    filed = return_submit(actor=demo.admin, period=periods[0], values={}, submission_token=uuid.uuid4())
    tokens = [filed.submission_token, uuid.uuid4()]
    assert list(TaxReturn.objects.filter(any_of("submission_token", tokens))) == [filed]
    assert all(_array_text(v) is not None for v in (names, ids, tokens, list(ends)))
    assert _array_text([1, "1"]) is None and _array_text([D("1.5")]) is None  # mixed or other types: psycopg's


def test_insert_rows_stores_dates_and_times_as_given(demo):
    """COPY sends dates and times as their text (tsc/lib/bulk_insert.py): each is stored as the
    same instant, whatever its zone, microseconds or repeats (dates: the batch tests compare the
    returns' `filed_on` and the acknowledgements' period ends with those filed one by one)."""
    import zoneinfo
    from datetime import UTC, datetime

    from tsc.audit.models import AuditEvent
    from tsc.lib.bulk_insert import insert_rows

    new_york = zoneinfo.ZoneInfo("America/New_York")
    moments = [
        datetime(2026, 1, 20, 12, 0, tzinfo=UTC),
        datetime(2026, 1, 20, 12, 0, 0, 123456, tzinfo=UTC),
        datetime(2026, 7, 4, 23, 59, 59, 999999, tzinfo=new_york),
        datetime(2026, 1, 20, 7, 0, tzinfo=new_york),  # the first instant, written in another zone
        datetime(1999, 12, 31, 23, 59, tzinfo=UTC),
    ]
    moments += moments[:2]  # repeated, as a batch's rows share their timestamps
    names = ("at", "event", "target_type", "target_id", "ip", "data")
    with transaction.atomic():
        insert_rows(AuditEvent, names, [(m, f"t.{i}", "", "", None, "{}") for i, m in enumerate(moments)])
    stored = dict(AuditEvent.objects.filter(event__startswith="t.").values_list("event", "at"))
    assert [stored[f"t.{i}"] for i in range(len(moments))] == moments


def test_periods_at_finds_exactly_the_pairs_asked_for_with_every_field(demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tsc.filing.batch import periods_at
    from tsc.taxpayers.models import FilingPeriod

    sales = period(demo.nutmeg, "ST", date(2025, 12, 31)).registration
    withholding = period(demo.nutmeg, "WH", date(2025, 12, 31)).registration
    # Sales and Use's December and November, Withholding's fourth quarter: not Withholding's (no
    # such period) November, nor the other combinations of the registrations and the ends.
    wanted = {
        (sales.pk, date(2025, 12, 31)),
        (sales.pk, date(2025, 11, 30)),
        (withholding.pk, date(2025, 12, 31)),
        (withholding.pk, date(2025, 10, 31)),  # none ends there
    }
    with CaptureQueriesContext(connection) as queries:
        found = periods_at(wanted)
    assert len(queries) == 1
    names = [f.attname for f in FilingPeriod._meta.concrete_fields]
    expected = FilingPeriod.objects.filter(
        registration__in=[sales, withholding], period_end__in=[date(2025, 12, 31), date(2025, 11, 30)]
    ).exclude(registration=withholding, period_end=date(2025, 11, 30))
    assert sorted(tuple(getattr(p, n) for n in names) for p in found) == sorted(expected.values_list(*names))
    assert len(found) == 3 and all(isinstance(p, FilingPeriod) and not p._state.adding for p in found)
    assert periods_at(set()) == []
    if connection.vendor == "postgresql":
        assert "unnest(" in queries[0]["sql"]
