"""axe-core (WCAG 2.0/2.1 A and AA) on the pages of the sign-in journey, and a phone-sized check."""

import pytest
from playwright.sync_api import Page, expect

from .conftest import MYSTIC, NUTMEG, USWDS_LOADING, axe_check, enter_registration_number, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def test_welcome(demo, page: Page):
    page.goto("/")
    _heading(page, "Welcome to the Taxpayer Service Center")
    axe_check(page)


def test_welcome_with_an_error(demo, page: Page):
    enter_registration_number(page, "9999999-000")
    expect(page.locator(".usa-error-message")).to_be_visible()
    axe_check(page)


def test_welcome_with_a_malformed_number(demo, page: Page):
    enter_registration_number(page, "12-34")
    expect(page.locator(".usa-error-message")).to_contain_text("like 1234567-000")
    axe_check(page)


def test_sign_in(demo, page: Page):
    enter_registration_number(page, NUTMEG)
    _heading(page, "Sign in")
    axe_check(page)


def test_sign_in_with_an_error(demo, page: Page):
    enter_registration_number(page, NUTMEG)
    page.get_by_label("User ID").fill("filepay")
    page.get_by_label("Password", exact=True).fill("Wrong#2024")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The User ID or password is not correct.")
    axe_check(page)


def test_main_menu(demo, page: Page):
    sign_in(page, "admin1")
    expect(page.locator(".tsc-menu").get_by_role("heading", level=2)).to_have_count(5)
    axe_check(page)


def test_update_password_profile(demo, page: Page):
    sign_in(page, "admin1")
    page.get_by_role("link", name="Update Password/Profile").click()
    expect(page).to_have_url("/profile/")
    _heading(page, "Update Password/Profile")
    axe_check(page)


def test_change_password_with_errors(demo, page: Page):
    sign_in(page, "admin1")
    page.goto("/profile/password/")
    _heading(page, "Change your password")
    page.get_by_label("Current password").fill("Wrong#2024")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Type the new password again").fill("other")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".usa-error-message").first).to_be_visible()
    axe_check(page)


def test_first_time_profile(demo, page: Page):
    enter_registration_number(page, MYSTIC)
    page.get_by_role("link", name="First time here? Create your profile").click()
    _heading(page, "Create your profile")
    axe_check(page)


def test_first_time_profile_with_errors(demo, page: Page):
    enter_registration_number(page, MYSTIC)
    page.get_by_role("link", name="First time here? Create your profile").click()
    page.get_by_role("button", name="Create profile").click()
    expect(page.get_by_role("alert").first).to_contain_text("Please correct the")
    axe_check(page)


def test_privacy_policy(demo, page: Page):
    page.goto("/")
    page.get_by_role("link", name="Privacy Policy").click()
    expect(page).to_have_url("/privacy/")
    _heading(page, "Privacy Policy")
    axe_check(page)


def test_signed_out(demo, page: Page):
    sign_in(page, "viewer")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url("/signed-out/")
    _heading(page, "You are signed out")
    axe_check(page)


def test_stylesheets_and_scripts_are_served(demo, page: Page):
    """The checks above are only meaningful with the USWDS styles applied (colour contrast), and
    the strict Content-Security-Policy must not block any of the site's own files."""
    static_failures, csp_errors = [], []
    page.on(
        "response",
        lambda r: static_failures.append(f"{r.status} {r.url}") if "/static/" in r.url and r.status >= 400 else None,
    )
    page.on("requestfailed", lambda r: static_failures.append(f"failed {r.url}") if "/static/" in r.url else None)
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto("/")
    page.wait_for_load_state("load")
    # USWDS's primary button: white text on blue (#005ea2), not the browser's grey default.
    expect(page.get_by_role("button", name="Continue")).to_have_css("background-color", "rgb(0, 94, 162)")
    # uswds.min.js ran (it sets this flag; uswds-init.min.js then removes <html class="usa-js-loading">).
    assert page.evaluate("() => window.uswdsPresent === true")
    expect(page.locator("html")).not_to_have_class(USWDS_LOADING)
    assert static_failures == []
    assert csp_errors == []


def _assert_no_sideways_scrolling(page: Page) -> None:
    widths = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["inner"] == 375
    assert widths["scroll"] <= widths["inner"], f"the page scrolls sideways on a phone: {widths}"


def test_phone_layout(demo, phone_page: Page):
    page = phone_page
    page.goto("/")
    _heading(page, "Welcome to the Taxpayer Service Center")
    _assert_no_sideways_scrolling(page)
    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    expect(page.get_by_role("button", name="Continue")).to_be_in_viewport()

    page.get_by_label("Tax Registration Number").fill(NUTMEG)
    page.get_by_role("button", name="Continue").click()
    _heading(page, "Sign in")
    _assert_no_sideways_scrolling(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()

    page.get_by_label("User ID").fill("admin1")
    page.get_by_label("Password", exact=True).fill("Demo#2024")
    page.get_by_role("button", name="Sign in").click()
    _heading(page, "Main Menu")
    _assert_no_sideways_scrolling(page)
    # The page heading comes first on a phone; the account sidebar follows the page.
    heading_top = page.get_by_role("heading", level=1).bounding_box()["y"]
    sidebar_top = page.get_by_role("navigation", name="Your account").bounding_box()["y"]
    assert heading_top < 260 < sidebar_top, (heading_top, sidebar_top)
    expect(page.get_by_role("link", name="Add/Update Users")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_status_letter_refused(demo, page: Page):
    sign_in(page, "admin1")
    page.goto("/status-letter/")
    _heading(page, "Request a Status Letter")
    page.get_by_role("button", name="Request a status letter").click()
    expect(page.get_by_role("alert")).to_contain_text("A status letter cannot be issued today")
    axe_check(page)


def test_verify_a_status_letter(demo, page: Page):
    page.goto("/verify-status-letter/")
    _heading(page, "Verify a Status Letter")
    axe_check(page)
    page.get_by_label("Letter ID").fill("k7qm 3xtr 9pwd")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("No status letter has this ID.")
    axe_check(page)
    from datetime import date

    from tsc.letters.models import StatusLetter
    from tsc.taxpayers.models import Business

    bakery = Business.objects.get(registration_number="7654321-000")
    letter = StatusLetter.objects.create(business=bakery, entity_name=bakery.legal_name, issued_on=date.today())
    page.goto(f"/verify-status-letter/{letter.letter_id}/")
    expect(page.get_by_role("status")).to_contain_text("Valid.")
    axe_check(page)
