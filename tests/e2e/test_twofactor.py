"""Two-factor sign-in in the browser: a demo user turns it on with a code computed from the
secret shown on the page (PyOTP standing in for the phone's authenticator app), signs out, and
signs in again with a code; the TSC Administrator requires it for the business."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from .conftest import DEMO_PASSWORD, NUTMEG, axe_check, enter_registration_number, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def test_a_user_turns_on_two_factor_and_signs_in_with_a_code(demo, page: Page):
    sign_in(page, "filepay")
    page.get_by_role("link", name="Update Password/Profile").click()
    page.get_by_role("link", name="Two-factor sign-in (authenticator app)").click()
    expect(page).to_have_url("/profile/two-factor/")
    expect(heading(page)).to_have_text("Two-factor sign-in")
    expect(page.get_by_role("region", name="Status")).to_contain_text("Two-factor sign-in is off")
    axe_check(page)

    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page).to_have_url("/profile/two-factor/setup/")
    expect(heading(page)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    axe_check(page)

    # What a person types into the authenticator app instead of scanning the QR code.
    secret = page.get_by_test_id("two-factor-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    totp = pyotp.TOTP(secret)
    confirm_step = int(time.time()) // 30
    page.get_by_label("6-digit code").fill(totp.generate_otp(confirm_step))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(heading(page)).to_have_text("Two-factor sign-in is on")
    expect(page.get_by_test_id("recovery-code")).to_have_count(10)
    axe_check(page)
    page.get_by_role("link", name="I have saved my recovery codes — continue").click()
    expect(page.get_by_role("region", name="Status")).to_contain_text("10 unused recovery codes")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url("/signed-out/")

    enter_registration_number(page, NUTMEG)
    page.get_by_label("User ID").fill("filepay")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url("/sign-in/code/")
    expect(heading(page)).to_have_text("Enter the 6-digit code")
    page.goto("/menu/")  # not signed in until the code is entered
    expect(page).to_have_url("/")
    page.go_back()
    expect(page).to_have_url("/sign-in/code/")
    axe_check(page)

    # The code used to turn it on is accepted once only: use the next time step's code.
    code = totp.generate_otp(max(int(time.time()) // 30, confirm_step + 1))
    page.get_by_label("6-digit code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url("/menu/")
    expect(heading(page)).to_have_text("Main Menu")
    expect(page.get_by_role("navigation", name="Your account")).to_contain_text("Signed in as filepay")


def test_a_wrong_code_is_explained_next_to_the_field(demo, page: Page):
    from tsc.accounts import twofactor
    from tsc.accounts.models import Login

    filer = Login.objects.get(business__registration_number=NUTMEG, user_id="filer")
    device = twofactor.twofactor_setup_start(login=filer)
    twofactor.twofactor_confirm(login=filer, code=pyotp.TOTP(device.secret).now())

    enter_registration_number(page, NUTMEG)
    page.get_by_label("User ID").fill("filer")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url("/sign-in/code/")
    field = page.get_by_label("6-digit code")
    field.fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".usa-error-message")).to_contain_text("That code is not right")
    expect(field).to_have_value("")
    axe_check(page)


def test_the_administrator_requires_two_factor_for_all_users(demo, page: Page):
    sign_in(page, "admin1")
    page.get_by_role("link", name="Add/Update Users").click()
    page.get_by_role("link", name="Two-factor sign-in").click()
    expect(heading(page)).to_have_text("Two-factor sign-in for your users")
    axe_check(page)
    page.get_by_text("Require two-factor sign-in for all users of this business").click()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Two-factor sign-in is now required for all users.")
    page.get_by_role("button", name="Sign out").click()

    # A user without it is sent to set it up right after the password.
    enter_registration_number(page, NUTMEG)
    page.get_by_label("User ID").fill("viewer")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url("/sign-in/two-factor-setup/")
    expect(page.get_by_role("region", name="Why you are asked")).to_contain_text("requires two-factor sign-in")
    axe_check(page)
    secret = page.get_by_test_id("two-factor-secret").inner_text().replace(" ", "")
    page.get_by_label("6-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_test_id("recovery-code")).to_have_count(10)
    page.get_by_role("link", name="I have saved my recovery codes — continue").click()
    expect(page).to_have_url("/menu/")
