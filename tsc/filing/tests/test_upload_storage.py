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
    forms = {tin for tin in TINS} | {f"{t[:3]}-{t[3:5]}-{t[5:]}" for t in TINS}
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
    real = uploads.insert_records

    def watch(*args):
        depths.append(len(transaction.get_connection().atomic_blocks))
        return real(*args)

    monkeypatch.setattr(uploads, "insert_records", watch)
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
