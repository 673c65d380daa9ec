"""Statistics in the browser: visits made through the live server are loaded by the worker's
task, and a clerk opens the back office's Statistics and sees them as charts and tables."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from .conftest import axe_check
from .test_account import clerk_signs_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_open_the_statistics_and_see_charts(demo, page: Page, phone_page: Page):
    from tsc.visits.services import visits_load

    # A visitor looks at a few pages (one of them missing), then the hour "ends" and the log is loaded.
    for path in ("/", "/privacy/", "/privacy/?page=2&ssn=123-45-6789", "/no-such-page/"):
        page.goto(path)
    assert visits_load(now=timezone.now() + timedelta(hours=2)).visits >= 4

    clerk_signs_in(page, "/backoffice/statistics/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistics")
    expect(page.get_by_role("link", name="Statistics", exact=True)).to_have_attribute("aria-current", "page")
    chart = page.locator("svg[role=img]").first
    expect(chart).to_be_visible()
    expect(page.get_by_role("img", name="Busiest hours")).to_be_visible()
    most = page.get_by_role("table", name="Most visited pages")
    expect(most).to_contain_text("/privacy/")
    expect(page.get_by_role("table", name="Visits by HTTP status, with their share of all visits")).to_contain_text(
        "404"
    )
    expect(page.locator("body")).not_to_contain_text("123-45-6789")
    axe_check(page)

    # A range with a mistake: the message next to the field, the typed value kept.
    page.get_by_role("textbox", name="To").fill("13/45/2026")
    page.get_by_role("button", name="Show statistics").click()
    expect(page.locator(".usa-error-message")).to_contain_text("That date does not exist")
    expect(page.get_by_role("textbox", name="To")).to_have_value("13/45/2026")
    axe_check(page)

    # On a phone too, in the same session (a TOTP code works once).
    phone_page.context.add_cookies(page.context.cookies())
    phone_page.goto("/backoffice/statistics/")
    expect(phone_page.locator("svg[role=img]").first).to_be_visible()
    axe_check(phone_page)
