"""Add/Update Users in the browser: add a File Only user, unlock locked1, transfer the role."""

import re

import pytest
from playwright.sync_api import expect

from tsc.accounts.models import Login, LoginStatus

from .conftest import enter_registration_number, menu_cards, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_users(page):
    page.get_by_role("link", name="Add/Update Users").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add/Update Users")


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url("/signed-out/")


def test_administrator_adds_a_file_only_user_who_sets_a_password(page, demo):
    sign_in(page, "admin1")
    open_users(page)
    page.get_by_role("link", name="Add User").click()
    page.get_by_label("User ID").fill("smithj")
    page.get_by_label("User Name").fill("Jane Smith")
    for tax_type in ["Sales and Use Tax", "Withholding", "Withholding Non-Wage"]:
        page.get_by_label(tax_type, exact=True).select_option(label="File Only")
    page.get_by_role("button", name="Generate Temporary Password and Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("User smithj was added")
    temporary = page.get_by_test_id("temporary-password").inner_text().strip()
    assert re.fullmatch(r"[A-Za-z0-9]{10}", temporary)
    sign_out(page)

    enter_registration_number(page, "1234567-000")
    page.get_by_label("User ID").fill("smithj")
    page.get_by_label("Password", exact=True).fill(temporary)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url("/first-sign-in/")
    page.goto("/menu/")  # nothing else until the password is set
    expect(page).to_have_url("/first-sign-in/")
    page.get_by_label("New password", exact=True).fill("Jane#2026")
    page.get_by_label("Type the new password again").fill("Jane#2026")
    page.get_by_label("Identity question 1").select_option(label="What was the name of your first pet?")
    page.get_by_label("Answer 1").fill("Rex")
    page.get_by_label("Identity question 2").select_option(label="In what city were you born?")
    page.get_by_label("Answer 2").fill("Hartford")
    for label, value in [
        ("Name", "Jane Smith"),
        ("Title", "Bookkeeper"),
        ("Phone number", "860-555-0142"),
        ("Email address", "jane@example.com"),
        ("Street address", "100 Main Street"),
        ("City", "Hartford"),
        ("ZIP code", "06103"),
    ]:
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("State", exact=True).select_option("CT")
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url("/menu/")
    expect(menu_cards(page)).to_have_text(["File Returns"])


def test_administrator_unlocks_locked1_with_a_temporary_password(page, demo):
    sign_in(page, "admin1")
    open_users(page)
    page.get_by_role("link", name="locked1", exact=True).click()
    expect(page.get_by_text('change the status from "locked" to "active"')).to_be_visible()
    page.get_by_label("Status").select_option(label="active")
    page.locator("label[for=id_set_temporary_password]").click()
    page.get_by_role("textbox", name="Temporary password").fill("Unlock42")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("temporary-password")).to_have_text("Unlock42")
    login = Login.objects.get(business__registration_number="1234567-000", user_id="locked1")
    assert login.status == LoginStatus.ACTIVE and login.must_change_password
    sign_out(page)

    enter_registration_number(page, "1234567-000")
    page.get_by_label("User ID").fill("locked1")
    page.get_by_label("Password", exact=True).fill("Unlock42")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url("/first-sign-in/")


def test_administrator_transfers_the_role_and_loses_add_update_users(page, demo):
    sign_in(page, "admin1")
    open_users(page)
    page.get_by_role("link", name="filepay", exact=True).click()
    page.locator("label[for=id_is_administrator]").click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make filepay the TSC Administrator?")
    expect(page.get_by_text("you will no longer have those rights")).to_be_visible()
    page.get_by_role("button", name="Yes, make filepay the Administrator").click()
    expect(page).to_have_url("/menu/")
    expect(menu_cards(page)).to_have_text(["File Returns", "View Returns and Payment History", "Make Payments"])
    assert Login.objects.get(business__registration_number="1234567-000", is_administrator=True).user_id == "filepay"
    page.goto("/users/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this page")
