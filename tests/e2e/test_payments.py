"""Payments in the browser: `payer` schedules a payment, sees when it is sent to the bank,
cancels it and finds it under Cancelled; `admin1` changes the banking information for all tax
types and sees only the last 4 digits; `viewer` has no Make Payments."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import axe_check, menu_cards, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_payer_schedules_then_cancels_a_payment(demo, page: Page):
    from tsc.payments.models import Payment, PaymentStatus

    sign_in(page, "payer")
    page.get_by_role("link", name="Make Payments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a Payment")
    axe_check(page)
    select = page.get_by_label("Tax type and filing period")
    select.select_option(index=1)
    page.get_by_label("Payment amount").fill("1,234.56")
    expect(page.get_by_label("The bank account on file for this tax type")).to_be_checked()
    page.get_by_role("button", name="Review the payment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review your payment")
    expect(page.get_by_text("1 banking day before the requested date")).to_be_visible()
    expect(page.get_by_text("Checking account ending 3456 (on file)")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Submit payment").click()
    expect(page.get_by_role("status")).to_contain_text("Your payment is scheduled")
    payment = Payment.objects.get()
    expect(page.get_by_role("status")).to_contain_text(payment.confirmation_number)
    axe_check(page)

    page.get_by_role("link", name="Cancel this payment").click()
    page.get_by_role("button", name="Yes, cancel this payment").click()
    expect(page.get_by_role("status")).to_contain_text("Your payment is cancelled")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELLED

    page.goto("/payments/cancelled/")
    page.locator("label", has_text="by Filing Date Range").click()
    today = payment.made_on.strftime("%m/%d/%Y")
    page.get_by_role("textbox", name="From").fill(today)
    page.get_by_role("textbox", name="To").fill(today)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=payment.confirmation_number)).to_be_visible()
    axe_check(page)


def test_admin_changes_banking_for_all_tax_types(demo, page: Page):
    sign_in(page, "admin1")
    page.get_by_role("link", name="Make Changes to the Business Profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make Changes to the Business Profile")
    axe_check(page)
    page.get_by_role("link", name="Change banking information for all tax types").click()
    expect(page.get_by_label("Tax type")).to_have_value("all")
    page.get_by_label("Routing number").fill("021000021")
    page.get_by_label("Account number", exact=True).fill("77778888999")
    page.get_by_label("Type the account number again").fill("77778888999")
    page.locator("label", has_text="Savings").click()
    axe_check(page)
    page.get_by_role("button", name="Save banking information").click()
    expect(page).to_have_url("/business-profile/")
    expect(page.get_by_text("Savings account ending 8999")).to_have_count(3)
    assert "77778888999" not in page.content()


def test_viewer_has_no_make_payments(demo, page: Page):
    sign_in(page, "viewer")
    expect(menu_cards(page)).to_have_text(["View Returns and Payment History"])
    response = page.goto("/payments/")
    assert response.status == 403
    page.goto("/history/")
    expect(page.get_by_role("link", name="View Processed Payments/Credits")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Make"))).to_have_count(0)


def test_close_tax_types_pages_are_accessible(demo, page: Page):
    sign_in(page, "admin1")
    page.goto("/business-profile/close/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Close Business or Tax Types")
    axe_check(page)
    page.locator("label", has_text="Withholding Non-Wage").click()
    page.get_by_role("textbox", name="Closing date").fill("12/31/2026")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close 1 tax type?")
    axe_check(page)
    page.get_by_role("button", name="Yes, close them").click()
    expect(page.get_by_text("Withholding Non-Wage: closed from 12/31/2026")).to_be_visible()
