"""Contact us: kept for staff, numbers the policy asks not to send removed and flagged, replies
by e-mail without account details."""

import pytest
from django.core import mail
from django.urls import reverse

from tsc.accounts.models import Login
from tsc.accounts.tests.twofactor_helpers import force_back_office_login
from tsc.contact import services
from tsc.contact.models import ContactMessage

FORM = {"name": "Pat Lee", "email": "Pat@Example.com", "subject": "Question", "message": "When is the OS-114 due?"}


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("my SSN is 123-45-6789", ["an SSN"]),
        ("SSN 123456789 please", ["an SSN"]),
        ("our FEIN 06-1234567", ["a FEIN"]),
        ("registration 1234567-000 thanks", ["a registration number"]),
        ("call 860-297-5962 or write", []),
    ],
)
def test_numbers_the_policy_asks_not_to_send_are_removed(text, kinds):
    redacted, found = services.redact(text)
    assert found == kinds
    assert ("[number removed]" in redacted) == bool(kinds)


def test_a_message_is_kept_without_the_numbers_and_flagged(client, db):
    response = client.post(reverse("contact:contact"), FORM | {"message": "Refund for SSN 123-45-6789?"})
    assert response.status_code == 302
    message = ContactMessage.objects.get()
    assert "123-45-6789" not in message.message and message.flags == ["an SSN"]
    assert message.email == "pat@example.com"
    html = client.get(response.url).content.decode()
    assert "we removed those numbers" in html


def test_bad_input_is_explained_and_kept(client, db):
    response = client.post(reverse("contact:contact"), FORM | {"email": "not-an-address"})
    html = response.content.decode()
    assert "Enter a valid email address." in html and "When is the OS-114 due?" in html
    assert not ContactMessage.objects.exists()


def test_staff_reply_by_e_mail_without_account_details(client, db, django_capture_on_commit_callbacks):
    message = services.message_receive(**FORM)
    clerk = Login.objects.create_superuser("clerk6", "Demo#2024")
    force_back_office_login(client, clerk)
    url = reverse("backoffice:contact_message", args=[message.pk])
    html = client.post(url, {"reply": "Your balance for 1234567-000 is $52.00."}).content.decode()
    assert "must not carry account details" in html and "Your balance for 1234567-000" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"reply": "The OS-114 is due the last day of the month after the period."})
    message.refresh_from_db()
    assert message.answered_by == clerk and len(mail.outbox) == 1 and mail.outbox[0].to == ["pat@example.com"]
    assert "we do not answer account inquiries by e-mail" in mail.outbox[0].body
