"""axe-core on the Add/Update Users and File Returns pages, including pages showing errors."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tsc.taxpayers.models import FilingPeriod

from .conftest import axe_check, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def latest_period(code: str) -> FilingPeriod:
    return (
        FilingPeriod.objects.filter(
            registration__business__registration_number="1234567-000", registration__tax_type__code=code
        )
        .order_by("-period_end")
        .first()
    )


def test_users_pages(demo, page: Page):
    sign_in(page, "admin1")
    for url, heading in [
        ("/users/", "Add/Update Users"),
        ("/users/add/", "Add User"),
        ("/users/activity/", "Recent user activity"),
    ]:
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        axe_check(page)
    page.goto("/users/add/")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".usa-error-message").first).to_be_visible()
    axe_check(page)
    page.goto("/users/")
    page.get_by_role("link", name="locked1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit User")
    axe_check(page)


def test_filing_pages(demo, page: Page):
    sign_in(page, "filepay")
    page.goto("/file/")
    axe_check(page)
    sales = latest_period("ST")
    page.goto(f"/file/{sales.pk}/")
    page.locator("[name=l1_c1]").fill("abc")
    page.get_by_role("button", name="Review return").click()
    expect(page.locator(".usa-error-message").first).to_be_visible()
    axe_check(page)
    page.locator("[name=l1_c1]").fill("1000")
    page.get_by_role("button", name="Review return").click()
    expect(page.get_by_role("button", name="Submit return")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Submit return").click()
    expect(page.get_by_text("Your return was filed")).to_be_visible()
    axe_check(page)
    non_wage = latest_period("WN")
    for url in [
        f"/file/{non_wage.pk}/1099/",
        f"/file/{non_wage.pk}/1099/manual/",
        f"/file/{non_wage.pk}/1099/upload/csv/",
        f"/file/{non_wage.pk}/1099/upload/pub1220/",
    ]:
        page.goto(url)
        axe_check(page)
    page.goto("/returns/history/")
    axe_check(page)
    today = timezone.localdate().strftime("%m/%d/%Y")
    page.get_by_label("Tax type").select_option(label="Sales and Use Tax")
    page.get_by_role("textbox", name="From").fill("01/01/2001")
    page.get_by_role("textbox", name="To").fill(today)
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".usa-error-message").first).to_contain_text("3 years")
    axe_check(page)
