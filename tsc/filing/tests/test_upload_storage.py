"""Uploaded files at rest (ADR 0002: a copy of the storage reveals no TIN): sealed, 0600, never
served back, deleted after their retention; and a file already accepted is not taken twice."""

import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from tsc.filing.models import Upload, UploadStatus
from tsc.filing.services import ct1096_submit_upload, registration_for_filing
from tsc.filing.uploads import upload_process, upload_receive, uploads_purge
from tsc.lib.errors import ServiceError

from .test_uploads import payee, pub1220_bytes

TINS = [f"{200000000 + n}" for n in range(1, 6)]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-01-20 12:00:00-05:00", tick=False):
        yield


@pytest.fixture
def period(demo):
    return registration_for_filing(business=demo.nutmeg, tax_type=demo.non_wage).periods.get(period_end__year=2025)


def receive(demo, period, content=None, name="payees.txt"):
    content = content or pub1220_bytes([payee(n) for n in range(1, 6)])
    return upload_receive(actor=demo.filepay, period=period, kind="pub1220", file=SimpleUploadedFile(name, content))


def storage_dir() -> Path:
    return Path(Upload._meta.get_field("file").storage.location)


def test_a_copy_of_the_storage_and_the_database_reveals_no_tin(demo, period, settings):
    upload = receive(demo, period)
    upload_process(str(upload.token))
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CHECKED
    forms = _tin_forms()
    files = [p for p in storage_dir().rglob("*") if p.is_file()]
    assert files, "the upload is kept"
    for path in files:
        raw = path.read_bytes()
        found = [tin for tin in forms if tin.encode() in raw]
        assert not found, f"{path} holds plaintext TINs {found}"
        assert b"Payee Number" not in raw  # nothing of the file is readable
    with connection.cursor() as cursor:
        for model in apps.get_models():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            dump = str(cursor.fetchall())
            found = [tin for tin in forms if tin in dump]
            assert not found, f"{model._meta.db_table} holds plaintext TINs {found}"


def _tin_forms() -> set[str]:
    return set(TINS) | {f"{t[:3]}-{t[3:5]}-{t[5:]}" for t in TINS}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_file_and_the_var_folder_reveal_no_tin(demo, period, settings):
    """The bytes on disk, committed: the SQLite file and its write-ahead log (free pages and
    deleted staging rows included), the uploads and everything else under VAR_DIR."""
    upload = receive(demo, period)
    upload_process(str(upload.token))
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CHECKED
    paths = [p for p in [*storage_dir().rglob("*"), *Path(settings.VAR_DIR).rglob("*")] if p.is_file()]
    if connection.vendor == "sqlite":
        database = Path(connection.settings_dict["NAME"])
        paths += [p for p in (database, Path(f"{database}-wal")) if p.exists()]
        assert database in paths
    assert any(p.suffix == ".dat" for p in paths), "the sealed upload is among the files scanned"
    for path in paths:
        raw = path.read_bytes()
        found = [tin for tin in _tin_forms() if tin.encode() in raw]
        assert not found, f"{path} holds plaintext TINs {found}"


def test_a_file_sealed_under_the_previous_key_is_checked_after_rotation(demo, period, settings):
    import base64

    old_kid = settings.TSC_PII_KEYS.split(":", 1)[0]
    upload = receive(demo, period)
    assert Path(upload.file.path).read_bytes()[9 : 9 + len(old_kid)] == old_kid.encode()
    new_key = base64.b64encode(b"n" * 32).decode()
    settings.TSC_PII_KEYS = f"new2:{new_key},{settings.TSC_PII_KEYS}"  # a new key first; the old one still listed
    upload_process(str(upload.token))
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CHECKED and upload.record_count == 5
    newer = receive(demo, period, pub1220_bytes([payee(7)]), name="newer.txt")
    assert b"new2" in Path(newer.file.path).read_bytes()[:16]  # new files are sealed under the new key


def test_a_stored_file_damaged_at_rest_is_rejected_not_retried_forever(demo, period):
    from tsc.filing.models import InformationReturnRecord, TaxReturn

    upload = receive(demo, period)
    path = Path(upload.file.path)
    raw = bytearray(path.read_bytes())
    raw[60] ^= 1  # one bit flipped inside the first chunk
    path.write_bytes(bytes(raw))
    upload_process(str(upload.token))
    upload.refresh_from_db()
    assert upload.status == UploadStatus.REJECTED
    assert upload.problems == [
        {"record": 0, "field": "File", "reason": "could not be read back from storage. Upload the file again."}
    ]
    assert not TaxReturn.objects.filter(period=period).exists() and not InformationReturnRecord.objects.exists()


def test_files_stored_in_plaintext_before_sealing_are_sealed_by_the_command(demo, period):
    from io import StringIO

    from django.core.management import call_command

    upload = receive(demo, period)
    path = Path(upload.file.path)
    plain = pub1220_bytes([payee(n) for n in range(1, 6)])
    path.write_bytes(plain)  # as an upload stored before files were sealed
    out = StringIO()
    call_command("seal_uploads", stdout=out)
    assert "Sealed 1 file(s)." in out.getvalue()
    assert TINS[0].encode() not in path.read_bytes()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with upload.file.open("rb") as stream:
        assert stream.read() == plain
    call_command("seal_uploads", stdout=out)  # again: nothing left to seal
    assert out.getvalue().endswith("Sealed 0 file(s).\n")


def test_files_are_readable_by_the_service_alone(demo, period):
    upload = receive(demo, period)
    path = Path(upload.file.path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    with upload.file.open("rb") as stream:
        assert stream.read(1) == b"T"  # the service reads it back, unsealed


def test_no_url_serves_an_uploaded_file(demo, period, signed_in):
    upload = receive(demo, period)
    client = signed_in(demo.filepay)
    html = client.get(f"/uploads/{upload.token}/").content.decode()
    assert upload.file.name not in html and ".dat" not in html
    assert client.get(f"/media/{upload.file.name}").status_code == 404
    assert client.get(f"/uploads/{upload.file.name}").status_code == 404


def test_no_url_pattern_serves_files_from_disk():
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.views import static

    def views(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from views(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                yield pattern.callback

    served = [view for view in views(get_resolver().url_patterns) if view is static.serve]
    assert not served


def test_files_are_deleted_after_their_retention(demo, period, settings):
    settings.TSC_UPLOAD_RETENTION_DAYS = 90
    kept = receive(demo, period)
    upload_process(str(kept.token))
    bad = pub1220_bytes([payee(n) for n in range(1, 3)]).replace(b"200000001", b"20000000X")
    rejected = receive(demo, period, bad, name="bad.txt")
    upload_process(str(rejected.token))
    waiting = receive(demo, period, pub1220_bytes([payee(9)]), name="again.txt")  # not checked: never purged
    paths = [Path(u.file.path) for u in (kept, rejected, waiting)]
    assert uploads_purge() == 0
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        assert uploads_purge() == 2
        assert uploads_purge() == 0  # again: nothing more
    assert [p.exists() for p in paths] == [False, False, True]
    kept.refresh_from_db()
    assert kept.purged_at is not None and not kept.file and kept.record_count == 5  # the row stays


def test_the_nightly_task_purges_and_the_retention_is_a_setting(demo, period, settings):
    from tsc.filing.tasks import purge_old_uploads

    settings.TSC_UPLOAD_RETENTION_DAYS = 10
    upload = receive(demo, period)
    upload_process(str(upload.token))
    with time_machine.travel(timezone.now() + timedelta(days=9)):
        assert purge_old_uploads.call_local() == 0
    with time_machine.travel(timezone.now() + timedelta(days=11)):
        assert purge_old_uploads.call_local() == 1
    upload.refresh_from_db()
    assert upload.purged_at is not None and upload.file.name == ""


def test_the_same_file_accepted_for_the_period_is_refused(demo, period):
    first = receive(demo, period)
    upload_process(str(first.token))
    first.refresh_from_db()
    with pytest.raises(ServiceError, match="already") as info:
        receive(demo, period, name="copy.txt")
    assert info.value.field == "file"
    ct1096_submit_upload(actor=demo.filepay, upload=first)
    with pytest.raises(ServiceError, match="already"):
        receive(demo, period, name="copy2.txt")


def test_records_are_staged_in_short_transactions(demo, period, monkeypatch):
    """No transaction spans the whole file: each batch of records commits on its own."""
    from django.db import transaction

    from tsc.filing import uploads

    monkeypatch.setattr(uploads, "STAGE_BATCH", 2)
    depths = []
    real = uploads.insert_rows

    def watch(*args):
        depths.append(len(transaction.get_connection().atomic_blocks))
        return real(*args)

    monkeypatch.setattr(uploads, "insert_rows", watch)
    upload = receive(demo, period)
    outer = len(transaction.get_connection().atomic_blocks)  # the test's own transaction
    upload_process(str(upload.token))
    assert depths == [outer + 1] * 3  # 5 records in batches of 2: three short transactions
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CHECKED and upload.tax_return.record_count == 5


def test_a_crash_half_way_is_cleaned_up_by_the_retry(demo, period, monkeypatch):
    from tsc.filing import uploads
    from tsc.filing.models import InformationReturnRecord, ReturnStatus, TaxReturn

    monkeypatch.setattr(uploads, "STAGE_BATCH", 2)
    real = uploads._stage
    calls = []

    def crash_on_second(*args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the worker died")
        return real(*args)

    monkeypatch.setattr(uploads, "_stage", crash_on_second)
    upload = receive(demo, period)
    with pytest.raises(RuntimeError):
        upload_process(str(upload.token))
    assert TaxReturn.objects.filter(status=ReturnStatus.STAGING).count() == 1  # half staged
    monkeypatch.setattr(uploads, "_stage", real)
    upload_process(str(upload.token))  # the retry (a stalled upload is re-enqueued)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CHECKED
    assert not TaxReturn.objects.filter(status=ReturnStatus.STAGING).exists()
    assert InformationReturnRecord.objects.filter(tax_return__period=period).count() == 5


def test_a_rejected_file_leaves_no_staged_records(demo, period, monkeypatch):
    from tsc.filing import uploads
    from tsc.filing.models import InformationReturnRecord, TaxReturn

    monkeypatch.setattr(uploads, "STAGE_BATCH", 2)
    records = [payee(n) for n in range(1, 8)]
    bad = pub1220_bytes(records).replace(b"200000006", b"20000000X")  # the sixth record, after 2 batches
    upload = receive(demo, period, bad, name="bad.txt")
    upload_process(str(upload.token))
    upload.refresh_from_db()
    assert upload.status == UploadStatus.REJECTED and upload.problem_count == 1
    assert not TaxReturn.objects.filter(period=period).exists()
    assert not InformationReturnRecord.objects.exists()


def test_a_newer_file_replaces_the_draft_and_its_records_go_in_batches(demo, period, monkeypatch):
    from tsc.filing import uploads
    from tsc.filing.models import InformationReturnRecord, ReturnStatus, TaxReturn

    monkeypatch.setattr(uploads, "STAGE_BATCH", 2)
    first = receive(demo, period)
    upload_process(str(first.token))
    second = receive(demo, period, pub1220_bytes([payee(n) for n in range(10, 13)]), name="newer.txt")
    upload_process(str(second.token))
    first.refresh_from_db(), second.refresh_from_db()
    assert first.status == UploadStatus.SUPERSEDED and second.status == UploadStatus.CHECKED
    assert list(TaxReturn.objects.filter(period=period).values_list("status", flat=True)) == [ReturnStatus.DRAFT]
    assert InformationReturnRecord.objects.filter(tax_return__period=period).count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_committed_batches_of_a_crashed_check_are_cleaned_up_by_the_retry(demo, period, monkeypatch):
    """As in the worker, with nothing around it: each batch commits on its own, so a crash
    leaves staged records behind for real; the retry deletes them first and stores each record
    once."""
    from types import SimpleNamespace

    from tsc.filing import tasks, uploads
    from tsc.filing.models import InformationReturnRecord, ReturnStatus, TaxReturn

    monkeypatch.setattr(uploads, "STAGE_BATCH", 2)
    real = uploads.insert_rows
    calls = []

    def crash_on_second(*args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the worker died")
        return real(*args)

    monkeypatch.setattr(uploads, "insert_rows", crash_on_second)
    # Outside a transaction the check would run as soon as the upload commits (tasks run at
    # once in the tests): here the test runs it.
    monkeypatch.setattr(tasks, "check_upload", SimpleNamespace(enqueue=lambda token: None))
    upload = receive(demo, period)
    with pytest.raises(RuntimeError, match="the worker died"):
        upload_process(str(upload.token))
    staged = TaxReturn.objects.get(status=ReturnStatus.STAGING)
    assert InformationReturnRecord.objects.filter(tax_return=staged).count() == 2  # committed
    upload_process(str(upload.token))  # the retry (a stalled upload is re-enqueued)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CHECKED and upload.record_count == 5
    assert not TaxReturn.objects.filter(status=ReturnStatus.STAGING).exists()
    numbers = InformationReturnRecord.objects.filter(tax_return__period=period).values_list("record_number", flat=True)
    assert sorted(numbers) == [1, 2, 3, 4, 5]


def test_records_stored_in_bulk_read_back_as_the_orm_stores_them(demo, period):
    from decimal import Decimal

    from tsc.filing.models import InformationReturnRecord

    upload = receive(demo, period)
    upload_process(str(upload.token))
    first = InformationReturnRecord.objects.get(tax_return__period=period, record_number=1)
    assert first.payee_tin == TINS[0] and first.payee_tin_last4 == TINS[0][-4:]
    assert first.amounts == {"1": "2500.00"}
    assert first.total_paid == Decimal("2500.00") and first.ct_tax_withheld == Decimal("150.00")
