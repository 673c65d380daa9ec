"""The account in the browser, end to end: a clerk processes a late return; the business sees
its tax, penalty and interest, pays the tax and interest, and asks for the penalty to be waived;
the clerk posts the payment and approves the waiver; the balance is $0.00, a status letter is
issued, and the public verification page confirms it. Also: an individual's refund status."""

import uuid
from decimal import Decimal

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from .conftest import DEMO_PASSWORD, axe_check, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HARBOR = "3333333-000"


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def clerk_signs_in(page: Page, next_url: str) -> None:
    from tsc.site.demo_account import DEMO_CLERK_TOTP_SECRET

    page.goto(f"/drs-admin/login/?next={next_url}")
    page.locator("#id_username").fill("clerk")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url("/sign-in/code/")
    page.get_by_label("6-digit code").fill(pyotp.TOTP(DEMO_CLERK_TOTP_SECRET).now())
    page.get_by_role("button", name="Continue").or_(page.get_by_role("button", name="Sign in")).first.click()
    expect(page).to_have_url(next_url)


@pytest.fixture
def harbor_late(demo):
    """Harbor Light Books: every period due filed on time and paid, except the latest, filed
    late today (a return of $10,000 of sales: $635.00 tax) and waiting for a clerk."""
    from tsc.accounts.models import Login
    from tsc.filing.services import return_submit
    from tsc.site.demo_account import good_standing_ensure
    from tsc.taxpayers.models import Business

    today = timezone.localdate()
    harbor = Business.objects.get(registration_number=HARBOR)
    admin = Login.objects.get(business=harbor, user_id="admin3")
    period = harbor.registrations.get().periods.filter(due_date__lt=today).order_by("-period_end").first()
    late = return_submit(actor=admin, period=period, values={"l1_c1": Decimal("10000")}, submission_token=uuid.uuid4())
    good_standing_ensure(harbor, admin, today)
    return late


def test_late_return_to_status_letter(demo, harbor_late, browser, live_server):
    from tsc.payments import batch as bank
    from tsc.payments.models import Payment

    clerk = browser.new_context(base_url=live_server.url).new_page()
    taxpayer = browser.new_context(base_url=live_server.url).new_page()

    # The clerk processes the late return from the work queue.
    clerk_signs_in(clerk, "/backoffice/returns/")
    expect(heading(clerk)).to_have_text("Returns to process")
    axe_check(clerk)
    row = clerk.get_by_role("row").filter(has_text=harbor_late.confirmation_number)
    expect(row).to_contain_text("Late")
    row.get_by_role("button", name="Process").click()
    expect(clerk.get_by_role("status")).to_contain_text(f"Processed OS-114 {harbor_late.confirmation_number}")

    # The business sees tax, penalty and interest.
    sign_in(taxpayer, "admin3", number=HARBOR)
    taxpayer.get_by_role("link", name="View Returns and Payment History").click()
    taxpayer.get_by_role("link", name="View Account Period Details").click()
    expect(heading(taxpayer)).to_have_text("View Account Period Details")
    axe_check(taxpayer)
    period_end = harbor_late.period.period_end.strftime("%m/%d/%Y")
    row = taxpayer.get_by_role("row").filter(has_text=period_end)
    expect(row).to_contain_text("$635.00")
    expect(row).to_contain_text("$95.25")  # 15 % of the tax
    interest = row.get_by_role("cell").nth(3).inner_text()  # 1 % a month from the due date
    assert interest.startswith("$") and Decimal(interest[1:]) > 0

    # Pays the tax and interest (not the penalty) from the bill's link.
    row.get_by_role("link", name="Pay").click()
    expect(heading(taxpayer)).to_have_text("Make a Payment")
    balance = Decimal(taxpayer.get_by_label("Payment amount").input_value().replace(",", ""))
    taxpayer.get_by_label("Payment amount").fill(f"{balance - Decimal('95.25'):.2f}")
    taxpayer.locator("label", has_text="Another bank account, for this payment only").click()
    taxpayer.locator("#id_routing_number").fill("011000015")
    taxpayer.locator("#id_account_number").fill("7000123456")
    taxpayer.locator("#id_account_number2").fill("7000123456")
    taxpayer.locator("label", has_text="Checking").click()
    taxpayer.get_by_role("button", name="Review the payment").click()
    taxpayer.get_by_role("button", name="Submit payment").click()
    expect(taxpayer.get_by_role("status")).to_contain_text("Your payment is scheduled")

    # A waiver cannot be asked while the payment is only scheduled.
    taxpayer.goto(f"/account/periods/{harbor_late.period_id}/")
    taxpayer.get_by_role("link", name="Request a penalty waiver").click()
    expect(taxpayer.get_by_role("alert")).to_contain_text("still due for this period")
    axe_check(taxpayer)

    # The night's bank batch sends it; the clerk posts the batch.
    payment = Payment.objects.get(period=harbor_late.period, tax_return__isnull=True)
    bank.payment_batch_send(day=payment.send_date)
    clerk.get_by_role("link", name="Bank batches and returns").click()
    axe_check(clerk)
    clerk.get_by_role("button", name="Post").first.click()
    expect(clerk.get_by_role("status")).to_contain_text("Posted 1 payment")

    # Now the waiver request goes in.
    taxpayer.reload()
    taxpayer.get_by_label("Why should the penalty be waived?").fill("Our bookkeeper was in hospital all month.")
    taxpayer.get_by_role("button", name="Submit penalty waiver request").click()
    expect(taxpayer.get_by_role("status")).to_contain_text("Your penalty waiver request was received")
    expect(taxpayer.get_by_text("860-297-4944")).to_be_visible()
    axe_check(taxpayer)

    # The clerk approves it with a reply.
    clerk.get_by_role("link", name="Penalty waivers").click()
    clerk.get_by_role("row").filter(has_text="Harbor Light Books").get_by_role("link").click()
    axe_check(clerk)
    clerk.get_by_label("Reply to the taxpayer").fill("Reasonable cause shown. The penalty is waived.")
    clerk.get_by_role("button", name="Approve: waive the penalty").click()
    expect(clerk.get_by_role("status")).to_contain_text("decided")

    # The balance is $0.00 (interest to the payment date was paid with it).
    taxpayer.reload()
    expect(taxpayer.get_by_text("Reasonable cause shown. The penalty is waived.")).to_be_visible()
    taxpayer.goto(f"/account/periods/{harbor_late.period_id}/")
    expect(taxpayer.locator("dl")).to_contain_text("Balance due$0.00")

    # A status letter is issued, and the public page confirms it.
    taxpayer.goto("/status-letter/")
    axe_check(taxpayer)
    taxpayer.get_by_role("button", name="Request a status letter").click()
    expect(heading(taxpayer)).to_have_text("Status letter")
    letter_id = taxpayer.locator("dd.tsc-code").inner_text().strip()
    axe_check(taxpayer)
    public = browser.new_context(base_url=live_server.url).new_page()
    public.goto("/verify-status-letter/")
    public.get_by_label("Letter ID").fill(letter_id.lower().replace("-", ""))
    public.get_by_role("button", name="Verify").click()
    expect(public.get_by_role("main")).to_contain_text("Harbor Light Books LLC")
    expect(public.get_by_role("status")).to_contain_text("Valid.")
    axe_check(public)


def test_an_individual_checks_a_refund(demo, page: Page):
    page.goto("/refund-status/")
    expect(heading(page)).to_have_text("Refund Status")
    axe_check(page)
    page.get_by_label("Social Security Number").fill("123-45-6789")
    page.get_by_label("Refund amount expected").fill("1234.00")
    page.get_by_role("button", name="Check refund status").click()
    expect(page.get_by_role("alert")).to_contain_text("We could not find a refund")
    expect(page.get_by_label("Refund amount expected")).to_have_value("1234.00")
    page.get_by_label("Refund amount expected").fill("1234.56")
    page.get_by_role("button", name="Check refund status").click()
    expect(page.get_by_role("status")).to_contain_text("UNDER REVIEW")
    axe_check(page)


def test_every_back_office_page_passes_axe(demo, page: Page):
    from tsc.taxpayers.models import Business

    clerk_signs_in(page, "/backoffice/")
    expect(heading(page)).to_have_text("Today's work")
    axe_check(page)
    nutmeg = Business.objects.get(registration_number="1234567-000")
    for url, title in (
        ("/backoffice/returns/", "Returns to process"),
        ("/backoffice/batches/", "Bank batches and returns"),
        ("/backoffice/penalty-waivers/", "Penalty waivers"),
        ("/backoffice/refunds/?status=under_review", "Refunds"),
        ("/backoffice/taxpayers/?q=nutmeg", "Look up a taxpayer"),
        (f"/backoffice/taxpayers/{nutmeg.pk}/", "Nutmeg Hardware LLC"),
        (
            "/backoffice/taxpayers/" + str(Business.objects.get(registration_number="4444444-000").pk) + "/",
            "Constitution Tax Services LLC",
        ),
        ("/backoffice/announcements/", "Announcements"),
    ):
        page.goto(url)
        expect(heading(page)).to_have_text(title)
        axe_check(page)
    page.set_viewport_size({"width": 375, "height": 740})  # on a phone
    page.goto("/backoffice/refunds/?status=under_review")
    axe_check(page)
