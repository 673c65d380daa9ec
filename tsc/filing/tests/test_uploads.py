"""Uploads: kept first, checked record by record in a task into a draft CT-1096 (all records or
none), then filed when the user submits it."""

import io
import uuid
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from tsc.filing.models import InformationReturnRecord, ReturnStatus, TaxReturn, Upload, UploadStatus
from tsc.filing.services import ct1096_file, ct1096_submit_upload, registration_for_filing
from tsc.filing.uploads import upload_process, upload_receive
from tsc.lib.errors import ServiceError
from tsc.lib.formats import nonwage_csv, pub1220
from tsc.lib.formats.records import InformationReturn

FEIN = "061234567"  # Nutmeg Hardware's FEIN in the demo data


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-01-20 12:00:00-05:00", tick=False):
        yield


def payee(n: int, withheld="150.00", **overrides) -> InformationReturn:
    values = dict(
        form="1099-NEC",
        payer_tin=FEIN,
        payee_tin=f"{200000000 + n}",
        tin_type="2",
        payee_name=f"Payee Number {n}",
        payee_address=f"{n} Main St",
        payee_city="Hartford",
        payee_state="CT",
        payee_zip="06103",
        amounts=(("1", D("2500.00")),),
        state_tax_withheld=D(withheld),
    )
    return InformationReturn(**(values | overrides))


def pub1220_bytes(records, year=2025) -> bytes:
    out = io.StringIO()
    transmitter = pub1220.Transmitter(
        year=year, tin=FEIN, tcc="12ABC", name="Nutmeg Hardware LLC", company_name="Nutmeg Hardware LLC"
    )
    payer = pub1220.Payer(
        tin=FEIN,
        name="Nutmeg Hardware LLC",
        address="100 Main Street",
        city="Hartford",
        state="CT",
        zip="06103",
        form="1099-NEC",
    )
    pub1220.write(transmitter, [(payer, list(records))], out)
    return out.getvalue().encode("ascii")


def csv_bytes(records) -> bytes:
    out = io.StringIO()
    nonwage_csv.write(records, out)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def period(demo):
    registration = registration_for_filing(business=demo.nutmeg, tax_type=demo.non_wage)
    return registration.periods.get(period_end=date(2025, 12, 31))


def receive(demo, period, content: bytes, kind="pub1220", name="1099s.txt"):
    return upload_receive(actor=demo.filepay, period=period, kind=kind, file=SimpleUploadedFile(name, content))


def test_a_good_pub1220_file_waits_for_submit_then_is_filed_with_every_record(
    demo, period, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload = receive(demo, period, pub1220_bytes([payee(n) for n in range(1, 8)]))
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CHECKED and upload.record_count == 7 and upload.problem_count == 0
    assert upload.expected_records == 7
    draft = upload.tax_return
    assert draft.status == ReturnStatus.DRAFT and draft.confirmation_number is None  # nothing filed yet
    assert draft.form == "CT-1096" and draft.record_count == 7 and draft.records.count() == 7
    # The transmittal: forms, amounts paid, Connecticut tax withheld; nothing due.
    assert [ln["amount"] for ln in draft.lines] == ["7", "17500.00", "1050.00"]
    filed = ct1096_submit_upload(actor=demo.filepay, upload=upload)
    assert filed.pk == draft.pk and filed.status == ReturnStatus.FILED and filed.confirmation_number
    assert filed.amount_due == D("0.00") and filed.penalty == D("0.00")
    upload.refresh_from_db()
    assert upload.status == UploadStatus.ACCEPTED
    # A second click files nothing new.
    assert ct1096_submit_upload(actor=demo.filepay, upload=upload).pk == filed.pk
    assert TaxReturn.objects.filter(period=period).count() == 1


def test_records_for_other_states_are_left_out_with_a_notice(demo, period, django_capture_on_commit_callbacks):
    records = [payee(1, state_code="08"), payee(2, withheld="900.00", state_code="06"), payee(3, state_code="")]
    with django_capture_on_commit_callbacks(execute=True):
        upload = receive(demo, period, pub1220_bytes(records))
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CHECKED and upload.records_checked == 3 and upload.record_count == 2
    assert upload.tax_return.records.count() == 2
    assert upload.tax_return.lines[2]["amount"] == "300.00"  # California's 900.00 is not Connecticut tax
    assert upload.notices and "06 (CA): 1" in upload.notices[0] and "not Connecticut tax" in upload.notices[0]


def test_a_file_of_other_states_only_is_rejected(demo, period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload = receive(demo, period, pub1220_bytes([payee(1, state_code="06")]))
    upload.refresh_from_db()
    assert upload.status == UploadStatus.REJECTED and "no Connecticut records" in upload.problems[0]["reason"]


def test_a_newer_upload_replaces_the_draft_of_an_older_one(demo, period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = receive(demo, period, pub1220_bytes([payee(1)]))
        second = receive(demo, period, pub1220_bytes([payee(2), payee(3)]))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == UploadStatus.SUPERSEDED and first.tax_return is None
    assert second.status == UploadStatus.CHECKED and TaxReturn.objects.filter(period=period).count() == 1
    with pytest.raises(ServiceError, match="replaced it"):
        ct1096_submit_upload(actor=demo.filepay, upload=first)


def test_a_csv_file_sent_to_the_standard_format_upload_is_named_for_what_it_is(demo, period):
    with pytest.raises(ServiceError, match="This looks like a CSV file"):
        receive(demo, period, csv_bytes([payee(1)]), name="1099s.csv")
    with pytest.raises(ServiceError, match="This looks like a Publication 1220"):
        receive(demo, period, pub1220_bytes([payee(1)]), kind="csv")
    assert not Upload.objects.exists()


def test_the_file_is_kept_before_it_is_checked(demo, period):
    upload = receive(demo, period, b"garbage")  # not committed: the task has not run
    assert upload.status == UploadStatus.RECEIVED
    with upload.file.open("rb") as stored:
        assert stored.read() == b"garbage"
    assert "1099s" not in upload.file.name  # the user's file name is not used on disk
    assert len(upload.sha256) == 64


def test_one_bad_record_rejects_the_file_and_files_nothing(demo, period, django_capture_on_commit_callbacks):
    content = bytearray(pub1220_bytes([payee(n) for n in range(1, 5)]))
    lines = content.split(b"\n")
    third_b = lines[4]  # T, A, B1, B2, B3 …
    lines[4] = third_b[:11] + b"12345ABCD" + third_b[20:]  # payee TIN of record 5 no longer digits
    with django_capture_on_commit_callbacks(execute=True):
        upload = receive(demo, period, b"\n".join(lines))
    upload.refresh_from_db()
    assert upload.status == UploadStatus.REJECTED
    assert any(p["record"] == 5 and "TIN" in p["field"] for p in upload.problems), upload.problems
    assert not TaxReturn.objects.filter(period=period).exists()
    assert not InformationReturnRecord.objects.exists()


def test_the_payer_must_be_this_business(demo, period, django_capture_on_commit_callbacks):
    records = [payee(1, payer_tin="069999999")]
    out = io.StringIO()
    transmitter = pub1220.Transmitter(year=2025, tin="069999999", tcc="12ABC", name="X", company_name="X")
    payer = pub1220.Payer(
        tin="069999999", name="Someone Else", address="1 St", city="Hartford", state="CT", zip="06103", form="1099-NEC"
    )
    pub1220.write(transmitter, [(payer, records)], out)
    with django_capture_on_commit_callbacks(execute=True):
        upload = receive(demo, period, out.getvalue().encode())
    upload.refresh_from_db()
    assert upload.status == UploadStatus.REJECTED
    assert upload.problems[0]["field"] == "Payer TIN" and "FEIN" in upload.problems[0]["reason"]


def test_a_good_csv_file(demo, period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload = receive(demo, period, csv_bytes([payee(n) for n in range(1, 4)]), kind="csv", name="a.csv")
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CHECKED and upload.tax_return.records.count() == 3


def test_a_bad_csv_row_is_reported_by_row_and_field(demo, period, django_capture_on_commit_callbacks):
    content = csv_bytes([payee(1), payee(2)]).decode().replace("Payee Number 2", "").encode()
    with django_capture_on_commit_callbacks(execute=True):
        upload = receive(demo, period, content, kind="csv", name="a.csv")
    upload.refresh_from_db()
    assert upload.status == UploadStatus.REJECTED
    assert upload.problems[0]["record"] == 3 and "name" in upload.problems[0]["field"].lower()


def test_processing_again_changes_nothing(demo, period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload = receive(demo, period, pub1220_bytes([payee(1)]))
    upload_process(str(upload.token))
    # A crash after storing but before the status was written: the retry stores nothing twice.
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.VALIDATING)
    again = upload_process(str(upload.token))
    assert again.status == UploadStatus.CHECKED
    assert TaxReturn.objects.filter(period=period).count() == 1 and InformationReturnRecord.objects.count() == 1


def test_a_period_already_filed_is_rejected(demo, period, django_capture_on_commit_callbacks):
    ct1096_file(actor=demo.filepay, period=period, records=[payee(9)], submission_token=uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        second = receive(demo, period, pub1220_bytes([payee(2)]))
    second.refresh_from_db()
    assert second.status == UploadStatus.REJECTED and "already filed" in second.problems[0]["reason"]
    assert TaxReturn.objects.filter(period=period).count() == 1


def test_an_empty_file_is_refused_at_once(demo, period):
    from tsc.lib.errors import ServiceError

    with pytest.raises(ServiceError, match="empty"):
        receive(demo, period, b"")
    assert not Upload.objects.exists()


def test_the_wrong_year_is_reported(demo, period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload = receive(demo, period, pub1220_bytes([payee(1)], year=2024))
    upload.refresh_from_db()
    assert upload.status == UploadStatus.REJECTED and any("2025" in p["reason"] for p in upload.problems)


def test_stalled_uploads_are_picked_up_again(demo, period):
    from tsc.filing.uploads import uploads_requeue_stalled

    stalled = receive(demo, period, pub1220_bytes([payee(1)]))  # its task never ran (no commit)
    Upload.objects.filter(pk=stalled.pk).update(status=UploadStatus.VALIDATING)
    assert uploads_requeue_stalled() == 0  # too recent: may still be running
    with time_machine.travel("2026-01-20 13:00:00-05:00", tick=False):
        assert uploads_requeue_stalled() == 1
    stalled.refresh_from_db()
    assert stalled.status == UploadStatus.CHECKED and stalled.tax_return.records.count() == 1
