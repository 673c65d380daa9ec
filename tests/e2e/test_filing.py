"""File Returns in the browser: an OS-114 by `filer`, Pub 1220 uploads by `filepay`, history by `viewer`."""

import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tsc.filing.models import TaxReturn
from tsc.lib.formats import pub1220
from tsc.lib.formats.records import InformationReturn

from .conftest import axe_check, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
FEIN = "061234567"


def pub1220_file(tmp_path, names: list[str], *, bad_tin_at: int | None = None, other_state: str | None = None):
    """A Publication 1220 file of 1099-NECs, $2,500.00 paid and $125.00 withheld each; the payee
    named `other_state` is coded 06 (California)."""
    from decimal import Decimal

    year = timezone.localdate().year - 1
    records = [
        InformationReturn(
            form="1099-NEC",
            payer_tin=FEIN,
            payee_tin=f"{300000001 + i}",
            tin_type="2",
            payee_name=name,
            payee_address="1 Main St",
            payee_city="Hartford",
            payee_state="CT",
            payee_zip="06103",
            amounts=(("1", Decimal("2500.00")),),
            state_tax_withheld=Decimal("125.00"),
            state_code="06" if name == other_state else "08",
        )
        for i, name in enumerate(names)
    ]
    out = io.StringIO()
    pub1220.write(
        pub1220.Transmitter(
            year=year, tin=FEIN, tcc="12ABC", name="NUTMEG HARDWARE LLC", company_name="NUTMEG HARDWARE LLC"
        ),
        [
            (
                pub1220.Payer(
                    tin=FEIN,
                    name="NUTMEG HARDWARE LLC",
                    address="100 MAIN STREET",
                    city="HARTFORD",
                    state="CT",
                    zip="06103",
                    form="1099-NEC",
                ),
                records,
            )
        ],
        out,
    )
    lines = out.getvalue().split("\n")
    if bad_tin_at is not None:  # B records start on line 3 (T, A, B…)
        line = lines[1 + bad_tin_at]
        lines[1 + bad_tin_at] = line[:11] + "12345678X" + line[20:]
    path = tmp_path / "1099s.txt"
    path.write_text("\n".join(lines), encoding="ascii")
    return path


def test_filer_files_an_os114_and_gets_a_confirmation(page, demo):
    sign_in(page, "filer")
    page.get_by_role("link", name="File Returns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("File Returns")
    page.locator("section", has_text="Sales and Use Tax").get_by_role("link", name="Prepare return").first.click()
    page.get_by_label("Line 1, Column 1 General: gross receipts from sales of goods").fill("10,000.00")
    page.get_by_label("Line 4, Column 1 General: goods purchased by your business subject to use tax").fill("200")
    page.get_by_label("Line 8a, Column 1 General: deductions: sales for resale").fill("1000")
    page.get_by_label("Line 8d, Column 1 General: deductions: other nontaxable sales").fill("500")
    page.get_by_role("button", name="Review return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review your OS-114")
    expect(page.get_by_text("Total amount due: $552.45")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Submit return").click()
    expect(page.get_by_text("Your return was filed")).to_be_visible()
    filed = TaxReturn.objects.get(form="OS-114")
    expect(page.get_by_text(filed.confirmation_number).first).to_be_visible()
    assert filed.amount_due == 552.45 or str(filed.amount_due) == "552.45"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_os114_columns_stack_on_a_phone(phone_page, demo):
    page = phone_page
    sign_in(page, "filer")
    page.get_by_role("link", name="File Returns").click()
    page.locator("section", has_text="Sales and Use Tax").get_by_role("link", name="Prepare return").first.click()
    meals = page.get_by_label("Line 1, Column 2 Meals and beverages: gross receipts from sales of goods")
    expect(meals).to_be_visible()
    axe_check(page)
    # Stacked: each input spans the phone's width, below its column's name; nothing scrolls sideways.
    assert meals.bounding_box()["width"] > 250
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    meals.fill("10000")
    page.get_by_role("button", name="Review return").click()
    expect(page.get_by_text("Total amount due: $735.00")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375


def test_filepay_files_a_late_ct1096_by_upload_after_reviewing_it_and_viewer_finds_it(page, demo, tmp_path):
    sign_in(page, "filepay")
    page.get_by_role("link", name="File Returns").click()
    page.locator("section", has_text="Withholding Non-Wage").get_by_role("link", name="Prepare return").first.click()
    expect(page.get_by_text("Upload a 1099/W-2G file using the Standard file formatting")).to_be_visible()
    page.get_by_role("link", name="Upload a standard file").click()
    page.locator("input[type=file]").set_input_files(pub1220_file(tmp_path, ["ANN A", "BOB B", "CAL C"], bad_tin_at=2))
    page.get_by_role("button", name="Upload and check").click()
    # The page updates in place (no reload timer) until the check is over.
    expect(page.get_by_test_id("upload-status")).to_have_text("Rejected")
    expect(page.get_by_text("Rejected: nothing was filed")).to_be_visible()
    problem_row = page.locator("tbody tr").first
    expect(problem_row).to_contain_text("4")  # record 4 of the file (T, A, B, B…)
    expect(problem_row).to_contain_text("TIN")
    assert not TaxReturn.objects.filter(form="CT-1096").exists()

    page.get_by_role("link", name="Try again").click()
    page.get_by_role("link", name="Upload a standard file").click()
    page.locator("input[type=file]").set_input_files(
        pub1220_file(tmp_path, ["ANN A", "BOB B", "CAL C", "DEE D"], other_state="DEE D")
    )
    page.get_by_role("button", name="Upload and check").click()
    # Checked, not filed: the review comes first, with the totals and no penalty (it is late).
    expect(page.get_by_test_id("upload-status")).to_have_text("Checked: ready to submit")
    assert TaxReturn.objects.get(form="CT-1096").confirmation_number is None
    expect(page.get_by_role("heading", name="Review your CT-1096")).to_be_visible()
    totals = page.locator("table.tsc-lines")
    expect(totals).to_contain_text("Number of 1099 and W-2G forms attached")
    expect(totals.locator("tr", has_text="forms attached")).to_contain_text("3")
    expect(totals).to_contain_text("$7,500.00")
    expect(totals).to_contain_text("$375.00")  # DEE D's California tax is not counted
    expect(page.get_by_text("1 record coded for another state was left out")).to_be_visible()
    expect(page.get_by_text("no penalty or interest is charged on the CT-1096 itself")).to_be_visible()
    expect(totals).not_to_contain_text("Penalty")
    axe_check(page)
    page.get_by_role("button", name="Submit CT-1096").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CT-1096")
    filed = TaxReturn.objects.get(form="CT-1096")
    assert filed.record_count == 3 and filed.confirmation_number and filed.penalty == 0
    expect(page.get_by_text(filed.confirmation_number).first).to_be_visible()

    # Your uploads: both files, the rejected one findable again.
    page.goto("/file/")
    page.get_by_role("link", name="Your uploads").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your uploads")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Filed")
    expect(rows.first).to_contain_text(filed.confirmation_number)
    expect(rows.nth(1)).to_contain_text("Rejected")
    axe_check(page)
    rows.nth(1).get_by_role("link").click()
    expect(page.get_by_text("Rejected: nothing was filed")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "viewer")
    page.get_by_role("link", name="View Returns and Payment History").click()
    page.get_by_role("link", name="View Return History").click()
    page.get_by_label("Tax type").select_option(label="Withholding Non-Wage")
    page.get_by_text("by Filing Date Range", exact=True).click()
    today = timezone.localdate().strftime("%m/%d/%Y")
    page.get_by_role("textbox", name="From").fill(today)
    page.get_by_role("textbox", name="To").fill(today)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=filed.confirmation_number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CT-1096")
    expect(page.get_by_text("•••••0001")).to_be_visible()
