"""An upload's records are checked in runs and stored a batch at a time as text (bulk.batch_rows,
Rows): what lands in the table must be exactly what storing the same records one by one
(bulk.insert_records, the path a CT-1096 typed by hand takes) puts there. The files are written
by hand from the IRS layout (lib/formats/tests/test_pub1220_by_hand), never by our writer."""

import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tsc.filing import bulk, uploads
from tsc.filing.models import InformationReturnRecord, ReturnStatus, TaxReturn, UploadStatus
from tsc.filing.services import registration_for_filing
from tsc.filing.uploads import upload_process, upload_receive
from tsc.lib import bulk_insert, pii
from tsc.lib.formats import pub1220
from tsc.lib.formats.tests.test_pub1220_by_hand import file_of
from tsc.lib.formats.tests.test_pub1220_runs import filing, payees


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-01-20 12:00:00-05:00", tick=False):
        yield


@pytest.fixture
def period(demo):
    return registration_for_filing(business=demo.nutmeg, tax_type=demo.non_wage).periods.get(period_end__year=2025)


def awkward_filing():
    """Amounts of every shape: cents only, zero, the largest that fits, several codes per
    record, a backslash and blanks in the names, records for other states and uncoded ones."""
    nec = payees(7)
    nec[0].put(55, 66, "000000000005")  # five cents
    nec[1].put(55, 66, "999999999999").put(723, 734, "000000000099")  # the largest amount
    nec[2].put(55, 66, "000000000000").put(723, 734, "000000000000")  # nothing paid at all
    nec[3].put(288, 327, "  Leading Blanks \\ Co  ").put(21, 40, "").put(490, 498, "061031234")
    nec[4].put(747, 748, "06")  # California's: left out
    nec[5].put(747, 748, "  ")  # uncoded: Connecticut's
    nec[6].put(11, 11, " ").put(544, 544, "1")  # no TIN type; second TIN notice
    misc = payees(5, "1AJ", start=20)
    misc[1].put(55, 66, "000000000000")  # one of three codes zero
    misc[2].put(55, 66, "000000000000").put(175, 186, "000000000000").put(259, 270, "000000000000")
    return filing([("NE", "1", nec), ("A ", "1AJ", misc)])


def raw_rows(tax_return_id: int) -> list[tuple]:
    """The table's rows of a return as the database holds them, TINs decrypted."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT record_number, form, payee_tin, payee_tin_last4, tin_type, payee_name, payee_address, "
            "payee_city, payee_state, payee_zip, account_number, amounts, total_paid, ct_tax_withheld "
            "FROM filing_informationreturnrecord WHERE tax_return_id = %s ORDER BY record_number",
            [tax_return_id],
        )
        return [(row[0], row[1], pii.decrypt(row[2]), *row[3:]) for row in cursor.fetchall()]


def stored_one_by_one(period, data: bytes) -> list[tuple]:
    """The file's Connecticut records stored as a CT-1096 typed by hand stores them."""
    records = [p.record for p in pub1220.read(io.BytesIO(data), year=2025) if isinstance(p, pub1220.Parsed)]
    assert len(records) > 10
    other = TaxReturn.objects.create(
        business=period.registration.business,
        tax_type=period.registration.tax_type,
        period=period,
        form="CT-1096",
        status=ReturnStatus.STAGING,
        data={},
    )
    bulk.insert_records(other.pk, enumerate((r for r in records if r.is_connecticut), 1))
    return raw_rows(other.pk)


@pytest.mark.parametrize(("ending", "per_statement"), [("\n", 3), ("\r\n", 100)])
def test_an_upload_stores_exactly_what_storing_record_by_record_stores(
    demo, period, ending, per_statement, monkeypatch
):
    monkeypatch.setattr(uploads, "STAGE_BATCH", 4)  # batches cut runs in two
    monkeypatch.setattr(bulk_insert, "ROWS_PER_STATEMENT", per_statement)  # SQLite: whole INSERTs and the rest
    data = file_of(awkward_filing(), ending)
    upload = upload_receive(actor=demo.filepay, period=period, kind="pub1220", file=SimpleUploadedFile("f.txt", data))
    upload_process(str(upload.token))
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CHECKED, upload.problems
    stored = raw_rows(upload.tax_return_id)
    assert len(stored) == 11 and stored == stored_one_by_one(period, data)
    assert [r[11] for r in stored][:3] == ['{"1": "0.05"}', '{"1": "9999999999.99"}', "{}"]


def test_batches_made_from_runs_and_from_records_are_the_same(monkeypatch):
    data = file_of(awkward_filing(), "\n")
    items = [i for i in pub1220.read_runs(io.BytesIO(data), year=2025) if not isinstance(i, pub1220.Problem)]
    assert any(isinstance(i, pub1220.Run) for i in items)
    records = [p.record for item in items for p in (item.parsed() if isinstance(item, pub1220.Run) else [item])]
    pieces = [item if isinstance(item, pub1220.Run) else item.record for item in items]
    from_runs, paid, withheld = bulk.batch_rows(7, pieces)
    from_records, paid_, withheld_ = bulk.batch_rows(7, records)
    assert (paid, withheld) == (paid_, withheld_) and str(paid) == str(paid_)
    assert sum(r.total_paid for r in records) == paid
    for rows in (from_runs, from_records):
        assert "Sons" not in repr(rows) and rows.count == 12

    def clear(rows):  # the TINs decrypted: each encryption draws its own nonce
        if rows.copy is not None:
            lines = [line.split("\t") for line in rows.copy.split("\n")[:-1]]
            return [[*line[:2], pii.decrypt(line[2]), *line[3:]] for line in lines]
        columns = [c.split("\n") if isinstance(c, str) else c for c in rows.columns]
        columns[1] = [pii.decrypt(t) for t in columns[1]]
        return columns

    assert clear(from_runs) == clear(from_records)
    assert (from_runs.copy is None) == (connection.vendor != "postgresql")


def test_a_value_with_a_line_break_or_a_tab_is_still_stored_as_it_is(demo, period):
    """Checked values never hold one, but a batch does not count on it."""
    record = next(
        p.record for p in pub1220.read(io.BytesIO(file_of(awkward_filing(), "\n")), year=2025) if hasattr(p, "record")
    )
    odd = [
        type(record)(**{**{f: getattr(record, f) for f in record.__slots__}, "payee_name": n})
        for n in ("a\nb", "c\td", "e\\f")
    ]
    rows, _, _ = bulk.batch_rows(1, odd)
    staged = TaxReturn.objects.create(
        business=period.registration.business,
        tax_type=period.registration.tax_type,
        period=period,
        form="CT-1096",
        status=ReturnStatus.STAGING,
        data={},
    )
    bulk.insert_rows(staged.pk, rows)
    assert list(InformationReturnRecord.objects.filter(tax_return=staged).values_list("payee_name", flat=True)) == [
        "a\nb",
        "c\td",
        "e\\f",
    ]


def test_the_first_batch_is_smaller_so_storing_starts_sooner(demo, period, monkeypatch):
    monkeypatch.setattr(uploads, "STAGE_BATCH", 4)
    monkeypatch.setattr(uploads, "FIRST_STAGE_BATCH", 2)
    sizes = []
    real = uploads.insert_rows

    def counting(tax_return_id, rows):
        sizes.append((rows.first, len(rows)))
        return real(tax_return_id, rows)

    monkeypatch.setattr(uploads, "insert_rows", counting)
    data = file_of(awkward_filing(), "\n")
    upload = upload_receive(actor=demo.filepay, period=period, kind="pub1220", file=SimpleUploadedFile("f.txt", data))
    upload_process(str(upload.token))
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CHECKED and upload.tax_return.record_count == 11
    assert sizes == [(1, 2), (3, 4), (7, 4), (11, 1)]
    assert raw_rows(upload.tax_return_id) == stored_one_by_one(period, data)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_staging_batch_and_its_progress_commit_together_without_waiting_for_the_disk(demo, period, monkeypatch):
    """On PostgreSQL a staging transaction does not wait for its commit to reach the disk (the
    final step's commit does, for all of them); the setting ends with the transaction. Inside a
    caller's transaction nothing is changed: it would last until the caller's commit."""
    from types import SimpleNamespace

    from django.db import transaction

    from tsc.filing import tasks

    monkeypatch.setattr(tasks, "check_upload", SimpleNamespace(enqueue=lambda token: None))

    seen = []
    real = uploads.insert_rows

    def watching(tax_return_id, rows):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SHOW synchronous_commit")
                seen.append(cursor.fetchone()[0])
            else:
                seen.append("off")
        seen.append(len(transaction.get_connection().atomic_blocks))
        return real(tax_return_id, rows)

    monkeypatch.setattr(uploads, "insert_rows", watching)
    monkeypatch.setattr(uploads, "STAGE_BATCH", 6)
    data = file_of(awkward_filing(), "\n")
    upload = upload_receive(actor=demo.filepay, period=period, kind="pub1220", file=SimpleUploadedFile("f.txt", data))
    outer = len(transaction.get_connection().atomic_blocks)
    upload_process(str(upload.token))
    assert seen == ["off", outer + 1, "off", outer + 1]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CHECKED and upload.records_checked == 12
    seen.clear()
    again = upload_receive(
        actor=demo.filepay, period=period, kind="pub1220", file=SimpleUploadedFile("g.txt", data + b"\n")
    )
    with transaction.atomic():  # a caller's transaction: batches are savepoints in it
        upload_process(str(again.token))
        expected = "on" if connection.vendor == "postgresql" else "off"
        assert seen == [expected, outer + 2, expected, outer + 2]
