"""The help centre in the browser: a visitor searches help, narrows it to an area and opens the
first result; a signed-in user follows "Help for this page"; axe on every help page."""

import pytest
from playwright.sync_api import Page, expect

from .conftest import axe_check, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def help_topics(transactional_db):
    """The topics (migration 0003 loads them; an earlier browser test's flush empties the table)."""
    from tsc.help.services import topics_load

    topics_load()


def test_a_visitor_searches_help_and_opens_the_first_result(help_topics, page: Page):
    page.goto("/")
    page.get_by_role("link", name="Help for this page").click()
    expect(page).to_have_url("/help/create-update-profile/")
    page.get_by_role("link", name="Search all help topics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Help: Filtered Topic Search")
    axe_check(page)

    page.get_by_label("Words to search for").fill("unlock")
    page.get_by_role("button", name="Search").click()
    results = page.locator(".tsc-help-results > li")
    expect(results.first.get_by_role("heading", level=3)).to_have_text("Unlock User")
    expect(results.first.locator("mark").first).to_have_text("unlock", ignore_case=True)
    expect(results.first.locator(".usa-tag")).to_have_text("Users")
    expect(page.get_by_label("Words to search for")).to_have_value("unlock")
    axe_check(page)

    results.first.get_by_role("link", name="Unlock User").click()
    expect(page).to_have_url("/help/unlock-user/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Unlock User")
    expect(page.get_by_role("listitem").filter(has_text="Write down the temporary password")).to_be_visible()
    axe_check(page)


def test_the_area_filter_and_no_match(help_topics, page: Page):
    page.goto("/help/")
    page.get_by_label("Words to search for").fill("unlock")
    page.get_by_label("Area").select_option(label="Refunds")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("No topic matches “unlock” in Refunds")
    expect(page.get_by_label("Area")).to_have_value("refunds")
    axe_check(page)
    page.get_by_label("Area").select_option(label="All areas")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".tsc-help-results > li")).to_have_count(1)


def test_help_for_a_portal_page(demo, help_topics, page: Page):
    sign_in(page, "admin1")
    page.get_by_role("link", name="Help for this page").click()
    expect(page).to_have_url("/help/main-menu/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Main Menu")
    axe_check(page)


def test_help_on_a_phone(help_topics, phone_page: Page):
    phone_page.goto("/help/?q=status+letter")
    expect(phone_page.locator(".tsc-help-results > li").first).to_contain_text("What is a status letter?")
    axe_check(phone_page)
