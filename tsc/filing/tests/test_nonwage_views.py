import csv
import io
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from tsc.filing.models import TaxReturn, Upload, UploadStatus
from tsc.filing.services import registration_for_filing
from tsc.filing.uploads import upload_receive
from tsc.lib.formats import nonwage_csv

from .test_uploads import payee, pub1220_bytes


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-01-20 12:00:00-05:00", tick=False):
        yield


@pytest.fixture
def period(demo):
    return registration_for_filing(business=demo.nutmeg, tax_type=demo.non_wage).periods.get(
        period_end=date(2025, 12, 31)
    )


def row(i: int, **overrides) -> dict:
    values = {
        "form": "1099-NEC",
        "payee_name": f"Payee {i}",
        "payee_tin": f"123-45-{6000 + i}",
        "tin_type": "2",
        "payee_address": "1 Main St",
        "payee_city": "Hartford",
        "payee_state": "CT",
        "payee_zip": "06103",
        "amount": "2,500.00",
        "ct_tax_withheld": "125.00",
    } | overrides
    return {f"form-{i}-{k}": v for k, v in values.items()}


def manual_post(n: int, action="submit", **extra) -> dict:
    data = {
        "form-TOTAL_FORMS": str(n),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "1",
        "form-MAX_NUM_FORMS": "50",
        "action": action,
        "submission_token": "5f1d7c1e-2b8a-4e0f-9a64-0c8f3b6f2a11",
    }
    for i in range(n):
        data |= row(i)
    return data | extra


def test_the_three_options_are_offered(demo, signed_in, period):
    html = signed_in(demo.filer).get(f"/file/{period.pk}/1099/").content.decode()
    for option in [
        "Manually enter my 1099/W-2G information (maximum 50)",
        "Upload a file containing 1099/W-2G information",
        "Upload a 1099/W-2G file using the Standard file formatting",
    ]:
        assert option in html


def test_the_prepare_link_leads_to_the_options(demo, signed_in, period):
    assert signed_in(demo.filer).get(f"/file/{period.pk}/").url == f"/file/{period.pk}/1099/"


def test_manual_entry_is_reviewed_before_it_is_filed(demo, signed_in, period):
    client = signed_in(demo.filer)
    url = f"/file/{period.pk}/1099/manual/"
    html = client.post(url, manual_post(3, action="review")).content.decode()
    assert not TaxReturn.objects.exists()  # the review files nothing
    assert "Review your CT-1096" in html and "Submit CT-1096" in html
    assert "$7,500.00" in html and "$375.00" in html and "Nothing is paid with Form CT-1096" in html
    assert "•••••6000" in html and 'name="form-2-payee_name" value="Payee 2"' in html
    response = client.post(url, manual_post(3))
    filed = TaxReturn.objects.get(period=period)
    assert response.url == f"/returns/{filed.pk}/?filed=1"
    assert filed.record_count == 3 and filed.amount_due == 0 and filed.penalty == 0
    stored = filed.records.get(record_number=1)
    assert stored.payee_tin == "123456000" and stored.payee_state == "CT" and stored.amounts == {"1": "2500.00"}
    html = client.get(response.url).content.decode()
    assert "•••••6000" in html and "123-45-6000" not in html and "123456000" not in html


def test_a_late_ct1096_shows_no_penalty_at_review(demo, signed_in, period):
    with time_machine.travel("2026-03-20 12:00:00-04:00", tick=False):
        html = (
            signed_in(demo.filer)
            .post(f"/file/{period.pk}/1099/manual/", manual_post(1, action="review"))
            .content.decode()
        )
    assert "no penalty or interest is charged" in html and "Penalty" not in html


def test_manual_entry_saved_as_a_draft_reopens_with_what_was_typed(demo, signed_in, period):
    client = signed_in(demo.filer)
    url = f"/file/{period.pk}/1099/manual/"
    response = client.post(url, manual_post(2, action="save"))
    assert response.status_code == 302
    draft = TaxReturn.objects.get(period=period)
    assert draft.status == "draft" and draft.record_count == 2 and draft.confirmation_number is None
    html = client.get(url).content.decode()
    assert "This is your draft" in html and 'value="Payee 1"' in html and 'value="123456001"' in html
    assert "You have a draft CT-1096 with 2 forms" in client.get(f"/file/{period.pk}/1099/").content.decode()


def test_a_form_can_be_removed(demo, signed_in, period):
    html = (
        signed_in(demo.filer)
        .post(f"/file/{period.pk}/1099/manual/", manual_post(3, action="remove-1"))
        .content.decode()
    )
    assert 'value="Payee 0"' in html and 'value="Payee 2"' in html and 'value="Payee 1"' not in html
    assert "Form 3" not in html and not TaxReturn.objects.exists()


def test_state_is_a_choice_of_usps_codes(demo, signed_in, period):
    data = manual_post(1) | row(0, payee_state="Connecticut")
    html = signed_in(demo.filer).post(f"/file/{period.pk}/1099/manual/", data).content.decode()
    assert "Select a valid choice" in html and not TaxReturn.objects.exists()


def test_the_51st_form_is_refused_with_a_pointer_to_the_uploads(demo, signed_in, period):
    client = signed_in(demo.filer)
    html = client.post(f"/file/{period.pk}/1099/manual/", manual_post(50, action="add")).content.decode()
    assert "at most 50 forms" in html and "Upload a file containing 1099/W-2G information" in html
    assert html.count("<legend") >= 50 and "Form 51" not in html
    html = client.post(f"/file/{period.pk}/1099/manual/", manual_post(51)).content.decode()
    assert "at most 50 forms" in html
    assert not TaxReturn.objects.exists()


def test_adding_a_form_keeps_what_was_typed_without_errors(demo, signed_in, period):
    html = signed_in(demo.filer).post(f"/file/{period.pk}/1099/manual/", manual_post(1, action="add")).content.decode()
    assert 'value="Payee 0"' in html and "Form 2" in html and "This field is required" not in html


def test_manual_bad_input_is_shown_per_field(demo, signed_in, period):
    data = manual_post(2) | row(1, payee_tin="12345", ct_tax_withheld="3000")
    html = signed_in(demo.filer).post(f"/file/{period.pk}/1099/manual/", data).content.decode()
    assert "Enter the payee&#x27;s 9-digit SSN or EIN" in html
    assert "cannot be more than the amount paid" in html and 'value="Payee 1"' in html
    assert not TaxReturn.objects.exists()


@pytest.mark.parametrize(
    ("field", "typed", "reason"),
    [
        ("payee_name", "=HYPERLINK(1)", "must not start with =, +, - or @"),
        ("payee_city", "Hart\tford", "no accented letters, symbols or tabs"),
        ("payee_address", "1 Rue Céleste", "no accented letters, symbols or tabs"),
        ("payee_name", "12345", "is all digits"),
    ],
)
def test_forms_entered_by_hand_get_the_same_record_checks_as_uploads(demo, signed_in, period, field, typed, reason):
    for action in ("review", "submit", "save"):
        data = manual_post(2, action=action) | row(1, **{field: typed})
        html = signed_in(demo.filer).post(f"/file/{period.pk}/1099/manual/", data).content.decode()
        assert reason in html, action
        assert not TaxReturn.objects.exists()


def test_blank_extra_rows_are_ignored(demo, signed_in, period):
    data = manual_post(1) | {"form-TOTAL_FORMS": "2"}
    response = signed_in(demo.filer).post(f"/file/{period.pk}/1099/manual/", data)
    assert response.status_code == 302 and TaxReturn.objects.get().record_count == 1


def test_upload_page_to_status_page_review_and_submit(demo, signed_in, period, django_capture_on_commit_callbacks):
    client = signed_in(demo.filepay)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/file/{period.pk}/1099/upload/pub1220/",
            {"file": SimpleUploadedFile("f.txt", pub1220_bytes([payee(1), payee(2, state_code="06")]))},
        )
    upload = Upload.objects.get()
    assert response.url == f"/uploads/{upload.token}/"
    html = client.get(response.url).content.decode()
    assert upload.status == UploadStatus.CHECKED and "Checked: ready to submit" in html
    assert "Form CT-1096 for tax year 2025, due 02/02/2026" in html
    assert "Submit CT-1096" in html and "$150.00" in html and "coded for another state" in html
    assert 'http-equiv="refresh"' not in html
    assert upload.tax_return.confirmation_number is None  # nothing filed before the click
    response = client.post(response.url, {"action": "submit"})
    filed = TaxReturn.objects.get(period=period)
    assert filed.confirmation_number and response.url == f"/returns/{filed.pk}/?filed=1"
    html = client.get(f"/uploads/{upload.token}/").content.decode()
    assert "Filed" in html and filed.confirmation_number in html


def test_the_status_page_updates_in_place_without_meta_refresh(demo, signed_in, period):
    upload = upload_receive(
        actor=demo.filepay,
        period=period,
        kind="pub1220",
        file=SimpleUploadedFile("f.txt", pub1220_bytes([payee(n) for n in range(1, 4)])),
    )  # not committed: still waiting to be checked
    client = signed_in(demo.filepay)
    html = client.get(f"/uploads/{upload.token}/").content.decode()
    assert 'http-equiv="refresh"' not in html and 'aria-live="polite"' in html and "<progress" in html
    assert "0 of about 3 records checked" in html and "js/upload-status.js" in html
    progress = client.get(f"/uploads/{upload.token}/progress/")
    assert progress.json() == {"status": "received", "label": "Received", "checked": 0, "total": 3, "finished": False}
    assert "no-store" in progress["Cache-Control"]
    assert signed_in(demo.outsider).get(f"/uploads/{upload.token}/progress/").status_code == 404


def test_your_uploads_lists_every_file_and_finds_a_rejected_one_again(
    demo, signed_in, period, django_capture_on_commit_callbacks
):
    client = signed_in(demo.filepay)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/file/{period.pk}/1099/upload/pub1220/", {"file": SimpleUploadedFile("bad.txt", b"T" * 10)})
    rejected = Upload.objects.get()
    assert rejected.status == UploadStatus.REJECTED
    html = client.get("/uploads/").content.decode()
    assert "bad.txt" in html and "Rejected" in html and f"/uploads/{rejected.token}/" in html
    assert "bad.txt" in client.get(f"/uploads/?period={period.pk}").content.decode()
    assert "Your uploads" in client.get("/file/").content.decode()
    assert "bad.txt" in client.get(f"/file/{period.pk}/1099/").content.decode()
    assert "bad.txt" not in signed_in(demo.outsider).get("/uploads/").content.decode()
    assert signed_in(demo.viewer).get("/uploads/").status_code == 403


def test_rejected_upload_lists_every_problem(demo, signed_in, period, django_capture_on_commit_callbacks):
    client = signed_in(demo.filepay)
    content = pub1220_bytes([payee(1)]).replace(b"\n", b"X\n", 1)  # the T record is 751 characters
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/file/{period.pk}/1099/upload/pub1220/", {"file": SimpleUploadedFile("f.txt", content)}
        )
    html = client.get(response.url).content.decode()
    assert "Rejected: nothing was filed" in html and "751" in html


def test_the_status_page_of_another_business_is_not_found(demo, signed_in, period):
    upload = Upload.objects.create(
        token="5f1d7c1e-2b8a-4e0f-9a64-0c8f3b6f2a12",
        business=demo.nutmeg,
        period=period,
        kind="csv",
        original_name="x.csv",
        size=1,
        sha256="0" * 64,
    )
    assert signed_in(demo.outsider).get(f"/uploads/{upload.token}/").status_code == 404
    assert signed_in(demo.viewer).get(f"/uploads/{upload.token}/").status_code == 403


def test_the_csv_template_has_the_header(demo, signed_in):
    response = signed_in(demo.filer).get("/file/1099-template.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert tuple(rows[0]) == nonwage_csv.HEADER and len(rows) == 2
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("who", ["viewer", "payer", "noaccess"])
def test_no_file_right_no_1099_pages(demo, signed_in, period, who):
    client = signed_in(getattr(demo, who))
    for url in [
        f"/file/{period.pk}/1099/",
        f"/file/{period.pk}/1099/manual/",
        f"/file/{period.pk}/1099/upload/csv/",
        "/file/1099-template.csv",
    ]:
        assert client.get(url).status_code == 403


def test_an_unknown_upload_kind_is_not_found(demo, signed_in, period):
    assert signed_in(demo.filer).get(f"/file/{period.pk}/1099/upload/xml/").status_code == 404


def test_your_uploads_needs_the_file_right_on_withholding_non_wage(demo, signed_in, period):
    from tsc.accounts.models import AccessLevel, UserRight

    client = signed_in(demo.filer)
    assert client.get("/uploads/").status_code == 200
    UserRight.objects.update_or_create(
        login=demo.filer, tax_type=demo.non_wage, defaults={"level": AccessLevel.NO_ACCESS}
    )
    assert client.get("/uploads/").status_code == 403  # File on other tax types is not enough
