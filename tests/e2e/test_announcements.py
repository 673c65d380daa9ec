"""Announcements in the browser: a clerk publishes one from the back office; it shows on the
Welcome page between its dates only; a visitor asks for announcements by e-mail."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from .conftest import axe_check
from .test_account import clerk_signs_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_announcement_shows_between_its_dates_only(demo, page: Page, browser, live_server):
    from tsc.notices.services import announcement_publish

    today = timezone.localdate()
    clerk_signs_in(page, "/backoffice/announcements/")
    axe_check(page)
    page.get_by_label("Title").fill("Highway Use Fee")
    page.get_by_label("Announcement").fill("Motor carriers file the Highway Use Fee return monthly.")
    page.get_by_label("Show from").fill(today.strftime("%m/%d/%Y"))
    page.get_by_label("Show until").fill((today + timedelta(days=7)).strftime("%m/%d/%Y"))
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".usa-alert--success")).to_contain_text("The announcement is published.")
    announcement_publish(
        actor=None,
        title="Not yet",
        body="Shown from tomorrow.",
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=9),
    )

    visitor = browser.new_context(base_url=live_server.url).new_page()
    visitor.goto("/")
    banner = visitor.get_by_role("region", name="Announcement: Highway Use Fee")
    expect(banner).to_contain_text("Motor carriers file the Highway Use Fee return monthly.")
    expect(visitor.get_by_role("region", name="Announcement: Not yet")).to_have_count(0)
    axe_check(visitor)
    visitor.get_by_role("link", name="Announcements", exact=True).first.click()
    visitor.get_by_label("E-mail address").fill("pat@example.com")
    visitor.locator("label", has_text="Yes, send me DRS Taxpayer Service Center announcements").click()
    visitor.get_by_role("button", name="Send me announcements").click()
    expect(visitor.locator(".usa-alert--success")).to_contain_text("Check your e-mail")
    axe_check(visitor)
