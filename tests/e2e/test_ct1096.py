"""CT-1096 in the browser: the upload status page updates in place while a file is checked, with
a progress bar and a live region (no <meta refresh>), and manual entry is reviewed before filing."""

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import Page, expect

from tsc.accounts.models import Login
from tsc.filing.models import TaxReturn
from tsc.filing.services import registration_for_filing
from tsc.filing.uploads import upload_process, upload_receive
from tsc.taxpayers.models import TaxType

from .conftest import axe_check, sign_in
from .test_filing import pub1220_file

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_status_page_follows_the_check_in_place(page: Page, demo, tmp_path):
    login = Login.objects.get(business__registration_number="1234567-000", user_id="filepay")
    non_wage = TaxType.objects.get(code=TaxType.WITHHOLDING_NON_WAGE)
    last_year = timezone.localdate().year - 1  # the year pub1220_file writes
    period = registration_for_filing(business=login.business, tax_type=non_wage).periods.get(period_end__year=last_year)
    path = pub1220_file(tmp_path, ["ANN A", "BOB B"])
    with open(path, "rb") as f, mock.patch("tsc.filing.tasks.check_upload"):  # the worker is "busy"
        upload = upload_receive(
            actor=login, period=period, kind="pub1220", file=SimpleUploadedFile("nec.txt", f.read())
        )
    sign_in(page, "filepay")
    page.goto(f"/uploads/{upload.token}/")
    expect(page.get_by_test_id("upload-status")).to_have_text("Received")
    expect(page.get_by_role("status").filter(has_text="records checked")).to_contain_text("0 of about 2")
    expect(page.locator("progress")).to_be_visible()
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    axe_check(page)
    upload_process(str(upload.token))  # the worker gets to it while the page is open
    expect(page.get_by_test_id("upload-status")).to_have_text("Checked: ready to submit")
    expect(page.get_by_role("button", name="Submit CT-1096")).to_be_visible()
    axe_check(page)


def test_manual_entry_review_then_submit(page: Page, demo):
    sign_in(page, "filepay")
    page.goto("/file/")
    page.locator("section", has_text="Withholding Non-Wage").get_by_role("link", name="Prepare return").first.click()
    page.get_by_role("link", name="Enter forms by hand").click()
    page.get_by_label("Payee name").fill("Ann Able")
    page.get_by_label("Payee TIN (SSN or EIN)").fill("123-45-6789")
    page.get_by_label("Street address").fill("1 Main St")
    page.get_by_label("City").fill("Hartford")
    page.get_by_label("State", exact=True).select_option("CT")
    page.get_by_label("ZIP code").fill("06103")
    page.get_by_label("Amount paid").fill("1000")
    page.get_by_label("Connecticut tax withheld").fill("69.90")
    page.get_by_role("button", name="Review CT-1096").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review your CT-1096")
    expect(page.locator("table.tsc-lines")).to_contain_text("$69.90")
    assert not TaxReturn.objects.filter(form="CT-1096").exists()
    axe_check(page)
    page.get_by_role("button", name="Submit CT-1096").click()
    expect(page.get_by_text("Your return was filed")).to_be_visible()
    assert TaxReturn.objects.get(form="CT-1096").record_count == 1
