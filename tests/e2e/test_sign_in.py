"""Signing in, out, lockout, forgotten password and first-time profile, in a real browser."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import (
    DEMO_PASSWORD,
    MYSTIC,
    MYSTIC_ENROLLMENT_CODE,
    NUTMEG,
    enter_registration_number,
    menu_cards,
    sign_in,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FILE = "File Returns"
HISTORY = "View Returns and Payment History"
PAY = "Make Payments"
BUSINESS_PROFILE = "Make Changes to the Business Profile"
USERS = "Add/Update Users"
ALL_ENTRIES = [FILE, HISTORY, PAY, BUSINESS_PROFILE, USERS]

NO_RIGHTS = "Your login has no access rights for any tax type yet."
BAD_CREDENTIALS = "The User ID or password is not correct."


def _try_password(page: Page, user_id: str, password: str) -> None:
    """Submit the sign-in form and wait for the answer: the page that comes back never echoes
    the password, so an empty password field means the response has arrived."""
    page.get_by_label("User ID").fill(user_id)
    password_field = page.get_by_label("Password", exact=True)
    password_field.fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(password_field).to_have_value("")
    expect(page).to_have_url("/sign-in/")


def test_sign_in_menu_and_sign_out(demo, page: Page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to the Taxpayer Service Center")
    page.get_by_label("Tax Registration Number").fill("1234567000")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url("/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("main")).to_contain_text(f"Tax Registration Number {NUTMEG}")
    page.get_by_label("User ID").fill("filepay")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url("/menu/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Main Menu")
    expect(page.get_by_role("navigation", name="Your account")).to_contain_text("Signed in as filepay")
    expect(menu_cards(page)).to_have_text([FILE, HISTORY, PAY])
    for label in (FILE, HISTORY, PAY):
        expect(page.get_by_role("link", name=label, exact=True)).to_be_visible()
    for label in (BUSINESS_PROFILE, USERS):
        expect(page.get_by_role("link", name=label, exact=True)).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url("/signed-out/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are signed out")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    page.goto("/menu/")
    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to the Taxpayer Service Center")


def test_three_wrong_passwords_lock_the_login(demo, page: Page):
    from tsc.accounts.models import Login, LoginStatus

    enter_registration_number(page, NUTMEG)
    expect(page).to_have_url("/sign-in/")
    alert = page.get_by_role("alert")

    for _ in range(2):
        _try_password(page, "filer", "Wrong#2024")
        expect(alert).to_contain_text(BAD_CREDENTIALS)

    # The third failure locks, but answers like the others (a stranger must not learn the ID exists).
    _try_password(page, "filer", "Wrong#2024")
    expect(alert).to_contain_text(BAD_CREDENTIALS)
    expect(alert).to_contain_text("a login is locked")

    # The right password no longer gets in; its owner learns why.
    _try_password(page, "filer", DEMO_PASSWORD)
    expect(alert).to_contain_text("This login is locked")
    expect(alert).to_contain_text("TSC Administrator")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    login = Login.objects.get(business__registration_number=NUTMEG, user_id="filer")
    assert login.status == LoginStatus.LOCKED
    assert login.failed_logins == 3


def test_a_locked_login_is_refused_with_the_right_password(demo, page: Page):
    enter_registration_number(page, NUTMEG)
    _try_password(page, "locked1", DEMO_PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("This login is locked")


@pytest.mark.parametrize(
    ("user_id", "entries"),
    [
        ("viewer", [HISTORY]),
        ("payer", [HISTORY, PAY]),
        ("admin1", ALL_ENTRIES),
    ],
)
def test_main_menu_follows_the_rights(demo, page: Page, user_id, entries):
    sign_in(page, user_id)
    expect(menu_cards(page)).to_have_text(entries)
    for label in ALL_ENTRIES:
        link = page.get_by_role("link", name=label, exact=True)
        if label in entries:
            expect(link).to_be_visible()
        else:
            expect(link).to_have_count(0)
    expect(page.get_by_text(NO_RIGHTS)).to_have_count(0)


def test_main_menu_without_rights(demo, page: Page):
    sign_in(page, "noaccess")
    expect(menu_cards(page)).to_have_count(0)
    expect(page.get_by_role("status")).to_have_text(NO_RIGHTS)
    for label in ALL_ENTRIES:
        expect(page.get_by_role("link", name=label, exact=True)).to_have_count(0)


def test_forgot_password(demo, page: Page):
    enter_registration_number(page, NUTMEG)
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page).to_have_url("/forgot-password/")
    page.get_by_label("User ID").fill("payer")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url("/forgot-password/answers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Answer your identity questions")
    # Answers compare without regard to case or surrounding spaces.
    page.get_by_label("In what city were you born?").fill("  hartford ")
    page.get_by_label("What was the name of your first pet?").fill("REX")
    page.get_by_label("New password", exact=True).fill("New#Pass1")
    page.get_by_label("Type the new password again").fill("New#Pass1")
    page.get_by_role("button", name="Change password").click()

    expect(page).to_have_url("/sign-in/")
    expect(page.get_by_role("status")).to_have_text("Your password was changed. Sign in with your new password.")

    _try_password(page, "payer", DEMO_PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text(BAD_CREDENTIALS)

    page.get_by_label("User ID").fill("payer")
    page.get_by_label("Password", exact=True).fill("New#Pass1")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url("/menu/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Main Menu")
    expect(page.get_by_role("navigation", name="Your account")).to_contain_text("Signed in as payer")


def test_first_time_profile_makes_the_tsc_administrator(demo, page: Page):
    enter_registration_number(page, MYSTIC)
    expect(page).to_have_url("/sign-in/")
    page.get_by_role("link", name="First time here? Create your profile").click()

    expect(page).to_have_url("/first-time/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your profile")
    page.get_by_label("Enrollment code", exact=True).fill(MYSTIC_ENROLLMENT_CODE)
    page.get_by_label("Name", exact=True).fill("Mia Mystic")
    page.get_by_label("Title", exact=True).fill("Owner")
    page.get_by_label("Phone number", exact=True).fill("860-555-0199")
    page.get_by_label("Email address", exact=True).fill("mia@example.com")
    page.get_by_label("Street address", exact=True).fill("75 Greenmanville Avenue")
    page.get_by_label("City", exact=True).fill("Mystic")
    page.get_by_label("State", exact=True).select_option("CT")
    page.get_by_label("ZIP code", exact=True).fill("06355")
    page.get_by_label("User ID", exact=True).fill("mia.admin")
    page.get_by_label("New password", exact=True).fill("Seaport#24")
    page.get_by_label("Type the new password again", exact=True).fill("Seaport#24")
    page.get_by_label("Identity question 1", exact=True).select_option(label="In what city were you born?")
    page.get_by_label("Answer 1", exact=True).fill("Mystic")
    page.get_by_label("Identity question 2", exact=True).select_option(label="What was the name of your first pet?")
    page.get_by_label("Answer 2", exact=True).fill("Skipper")
    page.get_by_role("button", name="Create profile").click()

    expect(page).to_have_url("/menu/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Main Menu")
    expect(page.get_by_role("status").first).to_contain_text("You are the TSC Administrator for Mystic Seaport Goods")
    expect(page.get_by_role("navigation", name="Your account")).to_contain_text(
        "Signed in as mia.admin (TSC Administrator)"
    )
    expect(page.get_by_role("link", name=USERS, exact=True)).to_be_visible()
    expect(menu_cards(page)).to_have_text(ALL_ENTRIES)


def test_unknown_registration_number(demo, page: Page):
    enter_registration_number(page, "9999999-000")

    expect(page).to_have_url("/")
    field = page.get_by_label("Tax Registration Number")
    expect(field).to_have_value("9999999-000")
    group = page.locator(".usa-form-group").filter(has=field)
    expect(group).to_have_class(re.compile(r"\busa-form-group--error\b"))
    expect(group.locator(".usa-error-message")).to_contain_text(
        "We could not find a business registered with DRS under that Tax Registration Number"
    )


def test_a_locked_out_administrator_unlocks_with_a_recovery_code(demo, page: Page):
    from tsc.accounts.models import Login, LoginStatus
    from tsc.accounts.recovery import recovery_code_issue

    from .conftest import axe_check

    enter_registration_number(page, NUTMEG)
    for _ in range(3):
        _try_password(page, "admin1", "Wrong#2024")
    assert Login.objects.get(user_id="admin1").status == LoginStatus.LOCKED
    staff = Login.objects.create_superuser("clerk9", DEMO_PASSWORD)
    from tsc.taxpayers.models import Business

    nutmeg = Business.objects.get(registration_number=NUTMEG)
    code = recovery_code_issue(business=nutmeg, actor=staff)  # what the clerk mails

    page.get_by_role("link", name="TSC Administrator locked out?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unlock the TSC Administrator")
    axe_check(page)
    page.get_by_label("User ID").fill("admin1")
    page.get_by_label("Administrator recovery code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Answer your identity questions")
    axe_check(page)
    page.get_by_label("In what city were you born?").fill("hartford")
    page.get_by_label("What was the name of your first pet?").fill("Rex")
    page.get_by_label("New password", exact=True).fill("Back#2024")
    page.get_by_label("Type the new password again").fill("Back#2024")
    page.get_by_role("button", name="Unlock and change password").click()
    expect(page).to_have_url("/sign-in/")
    expect(page.get_by_role("status").or_(page.locator(".usa-alert--success"))).to_contain_text("unlocked")
    page.get_by_label("User ID").fill("admin1")
    page.get_by_label("Password", exact=True).fill("Back#2024")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url("/menu/")
