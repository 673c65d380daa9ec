"""A large File Import on PostgreSQL checks the next batch in a second thread while one is filed
(tsc/bulk/import_csv.py, `_process_pipelined`): the same outcomes, in file order, as one thread;
what depends on the batches before (periods filed, the CT-941 credit) is read after they commit;
an error in either thread stops both, and a rerun files nothing twice."""

import sys
import threading
from datetime import date
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection, transaction

from tsc.bulk import import_csv, imports
from tsc.bulk.models import ImportRecord, ImportStatus
from tsc.filing.models import ReturnStatus, TaxReturn
from tsc.payments.models import Payment

from .test_import_batches import ct941_row
from .test_imports import BAKERY, COLUMNS, NUTMEG, by_record, csv_file, st

# The checking thread sees only what is committed; serialized like the other such tests of the suite.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
on_postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the second thread: PostgreSQL only")

MONTHS = [f"{m:02d}/{d}/2025" for m, d in ((1, 31), (2, 28), (3, 31), (4, 30), (5, 31), (6, 30), (7, 31))]
ROWS = [
    st(NUTMEG, end=MONTHS[0], pay="10.00", on="01/23/2026"),
    ct941_row(NUTMEG, "03/31/2025", "300.00", "500.00"),  # Q1 pays 200 too much: Q2 takes the credit
    st(NUTMEG, end=MONTHS[1]),
    ["9999999-000", "ST", MONTHS[0], "1.00", "", "", "", "", "", "", "", "", "", ""],  # not a client
    ct941_row(NUTMEG, "06/30/2025", "300.00"),  # a later batch than Q1's
    st(NUTMEG, end=MONTHS[2]),
    st(NUTMEG, end=MONTHS[1], sales="5.00"),  # its period filed two batches before
    st(BAKERY, end="03/31/2025"),
    st(NUTMEG, end=MONTHS[3], pay="20.00", on="01/23/2026"),
]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-01-20 12:00:00-05:00", tick=False):
        yield


@pytest.fixture
def received(ctx, monkeypatch):
    """The import of ROWS, received (not processed), 2 rows a batch, the second thread from 1 row."""
    monkeypatch.setattr(import_csv, "BATCH", 2)
    monkeypatch.setattr(import_csv, "PIPELINE_ROWS", 1)
    layout = imports.layout_save(ctx=ctx, name="Season", columns=COLUMNS, header_row=True)
    with monkeypatch.context() as queued:  # committed at once here: the task is run by the test
        queued.setattr("tsc.bulk.tasks.process_import", SimpleNamespace(enqueue=lambda token: None))
        return imports.import_receive(ctx=ctx, file=csv_file(ROWS), kind="csv", layout=layout)


def pipelined(monkeypatch) -> list:
    calls = []
    real = import_csv._process_pipelined
    monkeypatch.setattr(import_csv, "_process_pipelined", lambda *a: calls.append(1) or real(*a))
    return calls


def checkers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("import-check-")]


@on_postgresql
def test_a_pipelined_import_gives_each_row_the_outcome_one_thread_gives_it(received, monkeypatch):
    calls = pipelined(monkeypatch)
    before, real, intervals = sys.getswitchinterval(), import_csv._Batch.file, []
    monkeypatch.setattr(import_csv._Batch, "file", lambda self: intervals.append(sys.getswitchinterval()) or real(self))
    done = imports.import_process(str(received.token))
    assert calls and not checkers()
    # The filer's turn comes back soon after each answer from the database; the default after.
    assert set(intervals) == {min(before, import_csv.SWITCH_INTERVAL)} and sys.getswitchinterval() == before
    ack = by_record(done)
    assert list(ack) == list(range(2, 11))  # every row, in file order
    assert (done.status, done.accepted_count, done.rejected_count) == (ImportStatus.ACCEPTED_WITH_REJECTIONS, 7, 2)
    assert ack[5]["outcome"] == "rejected" and ack[8]["outcome"] == "rejected"
    assert "already filed" in ack[8]["reason"] and ack[4]["confirmation_number"] in ack[8]["reason"]
    q1, q2 = TaxReturn.objects.filter(business__registration_number=NUTMEG, form="CT-941").order_by(
        "period__period_end"
    )
    assert next(ln["amount"] for ln in q2.lines if ln["number"] == "4") == "200.00" == str(q1.credit)
    assert q2.tax_due == D("100.00")
    january = TaxReturn.objects.get(business__registration_number=NUTMEG, period__period_end=date(2025, 1, 31))
    assert january.data == {"l1_c1": "10000.00"} and january.lines[0]["amount"] == "10000.00"
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [D("10.00"), D("20.00")]
    assert all(ack[n]["payment_confirmation_number"] for n in (2, 10))


@on_postgresql
def test_an_error_while_checking_stops_both_threads_and_a_rerun_files_the_rest_once(received, monkeypatch):
    pipelined(monkeypatch)
    real, seen = import_csv._Batch.check_rows, []

    def fails_third(self):
        seen.append(1)
        if len(seen) == 3:
            raise RuntimeError("the checking thread failed")
        real(self)

    monkeypatch.setattr(import_csv._Batch, "check_rows", fails_third)
    with pytest.raises(RuntimeError, match="checking thread"):
        imports.import_process(str(received.token))
    assert not checkers()
    assert ImportRecord.objects.filter(bulk_import=received).count() == 4  # the two batches before
    monkeypatch.setattr(import_csv._Batch, "check_rows", real)
    done = imports.import_process(str(received.token))
    assert (done.accepted_count, done.rejected_count) == (7, 2)
    assert TaxReturn.objects.filter(status=ReturnStatus.FILED).count() == 7 and Payment.objects.count() == 2


@on_postgresql
def test_an_error_while_filing_stops_the_checking_thread(received, monkeypatch):
    pipelined(monkeypatch)

    def crash(*args, **kwargs):
        raise RuntimeError("the worker died before the acknowledgement was kept")

    monkeypatch.setattr(import_csv, "store", crash)
    with pytest.raises(RuntimeError, match="worker died"):
        imports.import_process(str(received.token))
    assert not checkers()
    monkeypatch.undo()
    done = imports.import_process(str(received.token))  # the rerun: the filed batch found by its tokens
    assert (done.accepted_count, done.rejected_count) == (7, 2)
    assert TaxReturn.objects.filter(status=ReturnStatus.FILED).count() == 7 and Payment.objects.count() == 2


def test_one_thread_on_sqlite_for_a_small_file_or_inside_a_transaction(received, monkeypatch):
    assert import_csv._pipelined(received) == (connection.vendor == "postgresql")
    with transaction.atomic():  # a second connection would not see what this one has not committed
        assert not import_csv._pipelined(received)
    monkeypatch.setattr(import_csv, "PIPELINE_ROWS", received.records_total + 1)
    assert not import_csv._pipelined(received)


def test_the_switch_interval_is_restored_when_the_last_of_several_pipelines_ends():
    before = sys.getswitchinterval()
    import_csv._switch_often(True)
    import_csv._switch_often(True)  # a second import in another thread of the worker
    import_csv._switch_often(False)
    assert sys.getswitchinterval() == min(before, import_csv.SWITCH_INTERVAL)
    import_csv._switch_often(False)
    assert sys.getswitchinterval() == before
