"""A date typed in the wrong format stays in its box next to the error (the USWDS date picker
would otherwise clear it)."""

import pytest
from playwright.sync_api import Page, expect

from .conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_wrongly_typed_date_is_shown_back_with_its_error(page: Page, demo):
    sign_in(page, "viewer")
    page.goto("/returns/history/")
    page.get_by_label("Tax type").select_option(label="Sales and Use Tax")
    page.get_by_role("textbox", name="From").fill("2024-01-05")
    page.get_by_role("textbox", name="To").fill("13/45/2024")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Enter the date as mm/dd/yyyy")).to_be_visible()
    expect(page.get_by_text("That date does not exist")).to_be_visible()
    expect(page.get_by_role("textbox", name="From")).to_have_value("2024-01-05")
    expect(page.get_by_role("textbox", name="To")).to_have_value("13/45/2024")
