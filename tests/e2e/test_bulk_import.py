"""File Import in the browser: `prep1` of the demo firm defines a CSV layout, imports a file with
good and bad records, watches the progress update in place, reads the acknowledgement (accepted
records with confirmation numbers, rejected ones with reasons) and downloads it as CSV."""

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from .conftest import axe_check, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FIRM = "4444444-000"
COLUMNS = "registration_number, filler, tax_type, period_end, os114_l1_c1"


def _latest_sales_period_end(number: str) -> str:
    from tsc.taxpayers.models import FilingPeriod

    period = (
        FilingPeriod.objects.filter(
            registration__business__registration_number=number, registration__tax_type__code="ST"
        )
        .order_by("-period_end")
        .first()
    )
    return f"{period.period_end:%m/%d/%Y}"


def test_prep1_imports_a_file_and_reads_the_acknowledgement(demo, page: Page, monkeypatch):
    from tsc.bulk import imports, tasks
    from tsc.bulk.models import BulkImport
    from tsc.bulk.services import NOT_A_CLIENT

    sign_in(page, "prep1", number=FIRM)
    page.goto("/bulk/clients/")
    page.get_by_role("link", name="File Import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("File Import")
    axe_check(page)

    page.get_by_role("link", name="define a CSV layout").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("CSV layouts for File Import")
    page.get_by_label("Layout name").fill("Sales returns")
    page.get_by_label("Columns, in the order they appear in your file").fill(COLUMNS)
    page.get_by_label("The file starts with a header row (it is skipped)").check()
    page.get_by_role("button", name="Save layout").click()
    expect(page.get_by_text("Your layout Sales returns was saved")).to_be_visible()
    expect(page.get_by_role("table", name="Your saved layouts")).to_contain_text("Sales returns")
    axe_check(page)

    nutmeg_end = _latest_sales_period_end("1234567-000")
    rows = [
        ["registration_number", "note", "tax_type", "period_end", "sales"],
        ["1234567-000", "good", "ST", nutmeg_end, "1000.00"],
        ["3333333-000", "not a client", "ST", nutmeg_end, "1000.00"],
        ["7654321-000", "bad amount", "ST", _latest_sales_period_end("7654321-000"), "ten dollars"],
    ]
    out = io.StringIO()
    csv.writer(out).writerows(rows)

    # Keep the file unprocessed at first, to see the progress page; then process it.
    class _Later:
        @staticmethod
        def enqueue(token):
            return None

    monkeypatch.setattr(tasks, "process_import", _Later)
    page.goto("/bulk/import/")
    page.get_by_label("Your saved CSV layout").select_option(label="Sales returns")
    page.locator("input[type=file]").set_input_files(
        {"name": "clients.csv", "mimeType": "text/csv", "buffer": out.getvalue().encode()}
    )
    page.get_by_role("button", name="Upload and process").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your file")
    expect(page.get_by_test_id("import-status")).to_have_text("Received")
    expect(page.locator("progress#progress-bar")).to_be_visible()
    axe_check(page)

    imports.import_process(str(BulkImport.objects.get().token))
    # The page asks for progress by itself and shows the acknowledgement once it is done.
    expect(page.get_by_test_id("import-status")).to_have_text("Accepted with rejections", timeout=15_000)
    table = page.get_by_role("table", name="Records of this file")
    expect(table).to_contain_text("TSC-")
    expect(table).to_contain_text(NOT_A_CLIENT)
    expect(table).to_contain_text("enter dollars and cents")
    axe_check(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the acknowledgement (CSV)").click()
    with open(download.value.path(), encoding="utf-8") as saved:
        lines = list(csv.reader(saved))
    assert lines[0][:5] == ["record", "client", "tax_type", "period_end", "outcome"]
    assert [line[4] for line in lines[1:]] == ["accepted", "rejected", "rejected"]

    page.get_by_role("link", name="View File Upload Status").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("View File Upload Status")
    expect(page.get_by_role("link", name="clients.csv")).to_be_visible()
    axe_check(page)
