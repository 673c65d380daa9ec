"""A large upload is checked by a child process while this one stores it (upload_pipeline): the
outcome must be exactly what checking in one process gives."""

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine

from tsc.filing import tasks, uploads
from tsc.filing.models import InformationReturnRecord, ReturnStatus, TaxReturn, UploadStatus
from tsc.filing.services import registration_for_filing

from .test_upload_storage import receive
from .test_uploads import payee, pub1220_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _setup(monkeypatch, settings):
    settings.TSC_UPLOAD_PIPELINE_RECORDS = 1  # every upload of these tests goes through the child
    monkeypatch.setattr(uploads, "STAGE_BATCH", 3)
    # Outside a transaction the check would run as soon as the upload commits; the test runs it.
    monkeypatch.setattr(tasks, "check_upload", SimpleNamespace(enqueue=lambda token: None))
    with time_machine.travel("2026-01-20 12:00:00-05:00", tick=False):
        yield


@pytest.fixture
def period(demo):
    return registration_for_filing(business=demo.nutmeg, tax_type=demo.non_wage).periods.get(period_end__year=2025)


@pytest.fixture
def child_pids(monkeypatch, tmp_path):
    """The process ids that ran the checks (written to a file: the child's memory is its own)."""
    log = tmp_path / "pids"
    real = uploads.checked_batches

    def logged(checker):
        with open(log, "a") as out:
            out.write(f"{os.getpid()}\n")
        yield from real(checker)

    monkeypatch.setattr(uploads, "checked_batches", logged)
    return lambda: {int(p) for p in log.read_text().split()} if log.exists() else set()


def outcome(upload):
    upload.refresh_from_db()
    rows = list(
        InformationReturnRecord.objects.filter(tax_return__period=upload.period)
        .order_by("record_number")
        .values_list("record_number", "payee_tin", "payee_tin_last4", "payee_name", "amounts", "total_paid")
    )
    draft = upload.tax_return
    totals = (draft.record_count, draft.lines) if draft else None
    return upload.status, upload.records_checked, upload.problems, upload.notices, rows, totals


def both_ways(demo, period, content, settings):
    """Check the same file with the child and then without it; return both outcomes."""
    piped = receive(demo, period, content, name="piped.txt")
    uploads.upload_process(str(piped.token))
    with_child = outcome(piped)  # before the second file replaces its draft
    settings.TSC_UPLOAD_PIPELINE_RECORDS = 0
    alone = receive(demo, period, content + b"\n", name="alone.txt")  # another file (not the same SHA-256)
    uploads.upload_process(str(alone.token))
    return with_child, outcome(alone)


def test_a_good_file_is_stored_the_same_with_the_child(demo, period, settings, child_pids):
    records = [payee(n) for n in range(1, 11)] + [payee(11, state_code="06")]  # and another state's
    with_child, alone = both_ways(demo, period, pub1220_bytes(records), settings)
    pids = child_pids()
    assert len(pids) == 2 and os.getpid() in pids  # the first file was checked in another process
    assert with_child == alone
    status, checked, problems, notices, rows, _ = with_child
    assert status == UploadStatus.CHECKED and checked == 11 and problems == [] and len(notices) == 1
    assert [r[0] for r in rows] == list(range(1, 11)) and rows[0][1] == "200000001"  # decrypted on read


def test_a_bad_file_gets_the_same_problems_with_the_child(demo, period, settings):
    records = [payee(n) for n in range(1, 9)]
    bad = pub1220_bytes(records).replace(b"200000002", b"20000000X").replace(b"200000007", b"000000000")
    with_child, alone = both_ways(demo, period, bad, settings)
    assert with_child == alone
    status, _, problems, _, rows, _ = with_child
    assert status == UploadStatus.REJECTED and len(problems) == 2 and rows == []


def test_a_damaged_file_is_rejected_the_same_way(demo, period):
    upload = receive(demo, period)
    path = Path(upload.file.path)
    raw = bytearray(path.read_bytes())
    raw[60] ^= 1
    path.write_bytes(bytes(raw))
    uploads.upload_process(str(upload.token))
    upload.refresh_from_db()
    assert upload.status == UploadStatus.REJECTED
    assert upload.problems == [
        {"record": 0, "field": "File", "reason": "could not be read back from storage. Upload the file again."}
    ]
    assert not InformationReturnRecord.objects.exists()


def test_a_child_that_fails_fails_the_attempt_and_the_retry_cleans_up(demo, period, monkeypatch):
    real = uploads.checked_batches

    def dies_after_one_batch(checker):
        batches = real(checker)
        yield next(batches)
        raise MemoryError  # the child dies half way

    monkeypatch.setattr(uploads, "checked_batches", dies_after_one_batch)
    upload = receive(demo, period, pub1220_bytes([payee(n) for n in range(1, 8)]))
    with pytest.raises(RuntimeError, match="checking process failed"):
        uploads.upload_process(str(upload.token))
    staged = TaxReturn.objects.get(status=ReturnStatus.STAGING)
    assert InformationReturnRecord.objects.filter(tax_return=staged).count() == 3  # the first batch, committed
    monkeypatch.setattr(uploads, "checked_batches", real)
    uploads.upload_process(str(upload.token))  # the retry
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CHECKED and upload.record_count == 7
    assert not TaxReturn.objects.filter(status=ReturnStatus.STAGING).exists()
    assert InformationReturnRecord.objects.count() == 7


def test_small_files_and_transactions_stay_in_one_process(demo, period, settings, child_pids):
    from django.db import transaction

    settings.TSC_UPLOAD_PIPELINE_RECORDS = 1000
    upload = receive(demo, period)  # 5 records
    uploads.upload_process(str(upload.token))
    settings.TSC_UPLOAD_PIPELINE_RECORDS = 1
    second = receive(demo, period, pub1220_bytes([payee(n) for n in range(1, 4)]), name="second.txt")
    with transaction.atomic():  # a child cannot see what this transaction has not committed
        uploads.upload_process(str(second.token))
    assert child_pids() == {os.getpid()}
