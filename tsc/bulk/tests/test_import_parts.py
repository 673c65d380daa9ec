"""A large File Import on PostgreSQL is split between processes by client (tsc/bulk/import_parts.py):
every row of a client in one process, in file order (the CT-941 credit carried, a period filed
twice refused), the same outcomes as in one process; a part that fails fails the run, and the
rerun files the rest once.

The child process runs on the real clock (no time travel here): the rows are for 2025's periods
and a payment date worked out from today."""

import zlib
from datetime import timedelta
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from tsc.accounts.acting import Acting
from tsc.accounts.models import Login
from tsc.audit.models import AuditEvent
from tsc.bulk import import_csv, import_parts, imports
from tsc.bulk.models import ImportRecord, ImportStatus
from tsc.filing.models import LineLayout, ReturnStatus, TaxReturn
from tsc.payments import services as payments
from tsc.payments.models import Payment

from .test_import_batches import ct941_row
from .test_imports import BAKERY, COLUMNS, FIRM, NUTMEG, by_record, csv_file, st

# The child process sees only what is committed; serialized like the other such tests of the suite.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
on_postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="parts: PostgreSQL only")
OUTSIDER = "9999999-000"


def pay_on() -> str:
    day = payments.earliest_payment_date(payments.today()) + timedelta(days=7)
    while payments.requested_date_problem(day):
        day += timedelta(days=1)
    return f"{day:%m/%d/%Y}"


def rows():
    on = pay_on()
    return [
        st(NUTMEG, end="01/31/2025", pay="10.00", on=on),  # 2
        ct941_row(BAKERY, "03/31/2025", "300.00", "500.00"),  # 3: pays 200 too much, Q2 takes the credit
        st(BAKERY, end="03/31/2025"),  # 4
        [OUTSIDER, "ST", "01/31/2025", "1.00", "", "", "", "", "", "", "", "", "", ""],  # 5: not a client
        ct941_row(BAKERY, "06/30/2025", "300.00"),  # 6
        st(NUTMEG, end="02/28/2025"),  # 7
        st(NUTMEG, end="01/31/2025", sales="5.00"),  # 8: filed at row 2
        st(BAKERY, end="06/30/2025", pay="5.00", on=on),  # 9: no banking on file
        st(NUTMEG, end="03/31/2025", pay="20.00", on=on),  # 10
        st(BAKERY, end="03/31/2025", sales="7.00"),  # 11: filed at row 4
    ]


@pytest.fixture
def received(demo, monkeypatch):
    """The import of rows(), received (not processed), in two parts from 1 row, 2 rows a batch."""
    monkeypatch.setattr(import_parts, "PARTS_ROWS", 1)
    monkeypatch.setattr(import_parts, "PROCESSES", 2)
    monkeypatch.setattr(import_csv, "BATCH", 2)  # in this process (the child files 1,000 a batch)
    ctx = Acting.for_login(Login.objects.get(business__registration_number=FIRM, user_id="prep1"))
    layout = imports.layout_save(ctx=ctx, name="Season", columns=COLUMNS, header_row=True)
    with monkeypatch.context() as queued:  # committed at once here: the task is run by the test
        queued.setattr("tsc.bulk.tasks.process_import", SimpleNamespace(enqueue=lambda token: None))
        return imports.import_receive(ctx=ctx, file=csv_file(rows()), kind="csv", layout=layout)


def watched(monkeypatch) -> dict:
    """What this process filed itself and what it handed to children (record numbers)."""
    seen = {"here": [], "children": []}
    real_file, real_hand = import_csv.file_rows, import_parts._hand

    def file_rows(bulk_import, rows, *args):
        seen["here"] += [r.number for r in rows]
        return real_file(bulk_import, rows, *args)

    def hand(child, bulk_import, rows):
        seen["children"].append([r.number for r in rows])
        return real_hand(child, bulk_import, rows)

    monkeypatch.setattr(import_csv, "file_rows", file_rows)
    monkeypatch.setattr(import_parts, "_hand", hand)
    return seen


def assert_filed_once(done):
    ack = by_record(done)
    assert list(ack) == list(range(2, 12))
    assert (done.status, done.accepted_count, done.rejected_count) == (ImportStatus.ACCEPTED_WITH_REJECTIONS, 6, 4)
    assert [n for n, r in ack.items() if r["outcome"] == "rejected"] == [5, 8, 9, 11]
    assert ack[4]["confirmation_number"] in ack[11]["reason"] and ack[2]["confirmation_number"] in ack[8]["reason"]
    assert "banking information" in ack[9]["reason"]
    q1, q2 = TaxReturn.objects.filter(business__registration_number=BAKERY, form="CT-941").order_by(
        "period__period_end"
    )
    assert next(ln["amount"] for ln in q2.lines if ln["number"] == "4") == "200.00" == str(q1.credit)
    assert q2.tax_due == D("100.00")
    assert TaxReturn.objects.filter(status=ReturnStatus.FILED).count() == 6
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [D("10.00"), D("20.00")]
    assert AuditEvent.objects.filter(event="return.filed").count() == 6
    assert not TaxReturn.objects.exclude(line_layout__in=LineLayout.objects.values("key")).exists()


def test_a_client_s_rows_are_all_in_one_part_whatever_the_run():
    for number in (NUTMEG, BAKERY, OUTSIDER, ""):
        assert import_parts.part_of(number, 2) == zlib.crc32(number.encode()) % 2
        assert import_parts.part_of(number, 1) == 0
    assert import_parts.part_of(NUTMEG, 2) != import_parts.part_of(BAKERY, 2)  # the test file has two parts


def test_one_process_on_sqlite_for_a_small_file_or_inside_a_transaction(received, monkeypatch):
    assert import_parts.parts_for(received) == (2 if connection.vendor == "postgresql" else 1)
    with transaction.atomic():  # a child would not see what this connection has not committed
        assert import_parts.parts_for(received) == 1
    monkeypatch.setattr(import_parts, "PARTS_ROWS", received.records_total + 1)
    assert import_parts.parts_for(received) == 1


@on_postgresql
def test_the_clients_are_filed_in_two_processes_with_the_outcomes_of_one(received, monkeypatch):
    seen = watched(monkeypatch)
    done = imports.import_process(str(received.token))
    assert seen == {"here": [2, 7, 8, 10], "children": [[3, 4, 5, 6, 9, 11]]}  # Nutmeg here, the rest there
    assert_filed_once(done)


@on_postgresql
def test_a_part_that_fails_fails_the_run_and_the_rerun_files_the_rest_once(received, monkeypatch):
    monkeypatch.setattr(import_parts, "CHILD", (import_parts.sys.executable, "-c", "import sys; sys.exit(3)"))
    with pytest.raises(import_parts.ImportPartError, match="exit 3"):
        imports.import_process(str(received.token))
    assert set(ImportRecord.objects.values_list("record_number", flat=True)) == {2, 7, 8, 10}  # this one's part
    monkeypatch.undo()
    monkeypatch.setattr(import_parts, "PARTS_ROWS", 1)
    seen = watched(monkeypatch)
    done = imports.import_process(str(received.token))
    assert seen == {"here": [], "children": [[3, 4, 5, 6, 9, 11]]}  # what was left
    assert_filed_once(done)


@on_postgresql
def test_when_this_process_fails_the_children_are_stopped_and_the_rerun_files_the_rest_once(received, monkeypatch):
    started = []
    real_spawn = import_parts._spawn
    monkeypatch.setattr(import_parts, "_spawn", lambda *a: started.append(real_spawn(*a)) or started[-1])

    def crash(*args):
        raise RuntimeError("this worker failed")

    monkeypatch.setattr(import_csv, "file_rows", crash)
    with pytest.raises(RuntimeError, match="worker failed"):
        imports.import_process(str(received.token))
    assert [child.returncode for child in started] != [None]  # stopped (or done), not left running
    monkeypatch.undo()
    monkeypatch.setattr(import_parts, "PARTS_ROWS", 1)
    done = imports.import_process(str(received.token))
    assert_filed_once(done)


@on_postgresql
def test_a_file_that_cannot_be_read_stops_the_children_started_before_it_was_read(received, monkeypatch):
    import csv

    started = []
    real_spawn = import_parts._spawn
    monkeypatch.setattr(import_parts, "_spawn", lambda *a: started.append(real_spawn(*a)) or started[-1])

    def damaged(bulk_import):
        assert started, "the children start before the rows are read"
        raise csv.Error("line contains NUL")
        yield

    monkeypatch.setattr(import_csv, "_rows", damaged)
    done = imports.import_process(str(received.token))
    assert [child.returncode for child in started] != [None]  # stopped, not left waiting for rows
    assert done.status == ImportStatus.REJECTED and "could not be read" in by_record(done)[0]["reason"]
    assert not TaxReturn.objects.exists()
