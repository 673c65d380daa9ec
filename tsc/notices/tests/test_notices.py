"""Announcements: shown between their dates only, published and withdrawn by staff (audited),
e-mailed once to confirmed subscribers; explicit opt-in and one-click unsubscribe."""

import re
from datetime import date

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from tsc.accounts.models import Login
from tsc.accounts.tests.twofactor_helpers import force_back_office_login
from tsc.audit.models import AuditEvent
from tsc.notices import services
from tsc.notices.models import Announcement, Subscriber


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-24 10:00:00-05:00", tick=False):
        yield


def publish(**overrides):
    values = {
        "actor": None,
        "title": "Highway Use Fee",
        "body": "The Highway Use Fee applies to heavy trucks from January 1, 2023.",
        "starts_on": date(2026, 11, 20),
        "ends_on": date(2026, 11, 30),
    } | overrides
    return services.announcement_publish(**values)


def test_an_announcement_shows_on_the_welcome_page_between_its_dates_only(client, db):
    publish()
    publish(title="Later", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 31))
    publish(title="Over", starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 23))
    html = client.get(reverse("site:welcome")).content.decode()
    assert ">Highway Use Fee</h2>" in html and ">Later</h2>" not in html and ">Over</h2>" not in html
    with time_machine.travel("2026-12-01 09:00:00-05:00", tick=False):
        html = client.get(reverse("site:welcome")).content.decode()
    assert ">Highway Use Fee</h2>" not in html and ">Later</h2>" in html


def test_it_shows_on_the_main_menu_and_a_withdrawn_one_does_not(signed_in, demo):
    announcement = publish()
    client = signed_in(demo.viewer)
    assert ">Highway Use Fee</h2>" in client.get(reverse("accounts:menu")).content.decode()
    services.announcement_withdraw(actor=None, announcement=announcement)
    assert ">Highway Use Fee</h2>" not in client.get(reverse("accounts:menu")).content.decode()


def test_opt_in_is_explicit_and_confirmed_and_unsubscribing_is_one_click(
    client, db, django_capture_on_commit_callbacks
):
    url = reverse("notices:announcements")
    response = client.post(url, {"email": "pat@example.com"})
    assert "Tick the box" in response.content.decode() and not Subscriber.objects.exists()
    client.post(url, {"email": "Pat@Example.com", "consent": "on"})
    assert len(mail.outbox) == 1 and "confirm" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        publish()
    assert len(mail.outbox) == 1  # not confirmed: nothing sent
    confirm = re.search(r"http\S+/announcements/confirm/\S+/", mail.outbox[0].body).group(0)
    client.get(confirm.split("8000", 1)[1])
    with django_capture_on_commit_callbacks(execute=True):
        publish(title="Second")
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["pat@example.com"]
    assert services.announcement_email(Announcement.objects.get(title="Second").pk) == 0  # once
    stop = re.search(r"http\S+/announcements/unsubscribe/\S+/", mail.outbox[1].body).group(0)
    assert "not receive" in client.get(stop.split("8000", 1)[1]).content.decode()
    assert not Subscriber.objects.exists()


def test_staff_publish_and_withdraw_from_the_back_office(client, db):
    clerk = Login.objects.create_superuser("clerk5", "Demo#2024")
    force_back_office_login(client, clerk)
    url = reverse("backoffice:announcements")
    response = client.post(
        url, {"title": "myconneCT", "body": "New system.", "starts_on": "11/30/2026", "ends_on": "11/01/2026"}
    )
    assert "The last day must be on or after the first day." in response.content.decode()
    assert 'value="11/30/2026"' in response.content.decode()
    client.post(url, {"title": "myconneCT", "body": "New system.", "starts_on": "11/24/2026", "ends_on": "12/31/2026"})
    announcement = Announcement.objects.get()
    assert AuditEvent.objects.get(event="announcement.published").actor == clerk
    client.post(reverse("backoffice:announcement_withdraw", args=[announcement.pk]))
    announcement.refresh_from_db()
    assert announcement.withdrawn_at is not None
