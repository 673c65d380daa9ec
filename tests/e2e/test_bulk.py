"""Third Party Bulk Filing in the browser: a business authorizes the demo firm; `prep1` files for
a client, pays for an individual client by SSN, and sends combined withholding payments."""

import pytest
from playwright.sync_api import Page, expect

from .conftest import axe_check, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FIRM = "4444444-000"


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def test_a_business_authorizes_the_firm_which_then_files_for_it(demo, page: Page):
    sign_in(page, "admin3", number="3333333-000")
    page.get_by_role("link", name="Make Changes to the Business Profile").click()
    page.get_by_role("link", name="Authorize or withdraw a Third Party Bulk Filer").click()
    expect(heading(page)).to_have_text("Third Party Bulk Filers")
    axe_check(page)
    page.get_by_label("The firm's Connecticut Tax Registration Number").fill(FIRM)
    page.get_by_role("button", name="Authorize this firm").click()
    expect(page.get_by_role("status")).to_contain_text("Constitution Tax Services LLC may now file and pay")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "prep1", number=FIRM)
    page.get_by_role("link", name="Third Party Bulk Filing").click()
    expect(heading(page)).to_have_text("Third Party Bulk Filing")
    axe_check(page)
    page.get_by_role("button", name="File for Harbor Light Books LLC").click()
    expect(page.get_by_role("status")).to_contain_text("You are acting for Harbor Light Books LLC")
    expect(page.get_by_role("navigation", name="Your account")).to_contain_text("Harbor Light Books LLC")
    axe_check(page)
    page.get_by_role("button", name="Stop acting for this client").click()
    expect(heading(page)).to_have_text("Third Party Bulk Filing")


def test_prep1_pays_for_an_individual_client_by_ssn(demo, page: Page):
    sign_in(page, "prep1", number=FIRM)
    page.goto("/bulk/pay/")
    axe_check(page)
    page.get_by_label("Client's Social Security Number").fill("123-45-6789")
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Make a Payment for your Client")
    expect(page.get_by_text("SSN ending 6789")).to_be_visible()
    axe_check(page)
    page.get_by_label("Payment amount").fill("750.00")
    page.locator("#id_routing_number").fill("011000015")
    page.locator("#id_account_number").fill("8000111222")
    page.locator("#id_account_number2").fill("8000111222")
    page.locator("label", has_text="Checking").click()
    page.get_by_role("button", name="Submit payment").click()
    expect(page.get_by_role("status")).to_contain_text("The payment is scheduled")
    expect(page.locator("dl")).to_contain_text("Individual Income Tax")
    axe_check(page)


def test_prep1_sends_combined_withholding_payments(demo, page: Page):
    from tsc.payments.models import Payment

    sign_in(page, "prep1", number=FIRM)
    page.goto("/bulk/clients/")
    page.get_by_role("link", name="Key and Send – Combined Client Filing").click()
    axe_check(page)
    page.locator("#id_routing_number").fill("011000015")
    page.locator("#id_account_number").fill("8000111222")
    page.locator("#id_account_number2").fill("8000111222")
    page.locator("label", has_text="Checking").click()
    period = demo_period_end()
    page.get_by_label("Row 1: client's registration number").fill("1234567-000")
    page.get_by_label("Row 1: withholding period end").fill(period)
    page.get_by_label("Row 1: amount").fill("1,000.00")
    page.get_by_label("Row 2: client's registration number").fill("3333333-000")
    page.get_by_label("Row 2: withholding period end").fill(period)
    page.get_by_label("Row 2: amount").fill("20.00")
    page.get_by_role("button", name="Submit payments").click()
    expect(page.locator(".usa-alert--success")).to_contain_text("1 payment scheduled")
    expect(page.get_by_role("alert")).to_contain_text("1 row needs a correction")
    expect(page.get_by_label("Row 2: client's registration number")).to_have_value("3333333-000")
    axe_check(page)
    assert Payment.objects.filter(bulk_filer__isnull=False).count() == 1


def demo_period_end() -> str:
    """Nutmeg's latest ended withholding quarter."""
    from django.utils import timezone

    from tsc.taxpayers.models import FilingPeriod

    period = (
        FilingPeriod.objects.filter(
            registration__business__registration_number="1234567-000",
            registration__tax_type__code="WH",
            period_end__lt=timezone.localdate(),
        )
        .order_by("-period_end")
        .first()
    )
    return period.period_end.strftime("%m/%d/%Y")


def test_prep1_creates_an_api_token_that_the_api_accepts(demo, page: Page, live_server):
    sign_in(page, "prep1", number=FIRM)
    page.get_by_role("link", name="Third Party Bulk Filing").click()
    page.get_by_role("link", name="API tokens for your tax software").click()
    axe_check(page)
    page.get_by_role("link", name="Create").first.click()
    axe_check(page)
    page.get_by_label("Name").fill("Our tax software")
    page.locator("label", has_text="clients:read").click()
    page.get_by_role("button", name="Create the token").click()
    token = page.get_by_label("Token").input_value()
    axe_check(page)
    response = page.request.get(f"{live_server.url}/api/v1/clients", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200
    body = response.text()
    assert "1234567-000" in body and "3333333-000" not in body
    page.goto("/api/docs")
    axe_check(page)
