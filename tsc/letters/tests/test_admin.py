"""The back office revokes status letters with an action that asks for the reason."""

import pytest
from django.urls import reverse

from tsc.accounts.acting import Acting
from tsc.accounts.models import Login
from tsc.accounts.tests.twofactor_helpers import force_back_office_login
from tsc.audit.models import AuditEvent
from tsc.letters import services
from tsc.letters.models import StatusLetter

from .helpers import good_standing_business


@pytest.fixture
def letter(demo):
    _, admin = good_standing_business(demo, services.today())
    return services.status_letter_request(ctx=Acting.for_login(admin))


def test_staff_revoke_a_letter_after_giving_the_reason(letter, client):
    force_back_office_login(client, Login.objects.create_superuser("clerk1", "Demo#2024"))
    url = reverse("admin:letters_statusletter_changelist")
    asked = client.post(url, {"action": "revoke", "_selected_action": [letter.pk]})
    assert asked.status_code == 200 and "Reason for revoking" in asked.content.decode()
    client.post(url, {"action": "revoke", "_selected_action": [letter.pk], "apply": "1", "reason": ""})
    letter.refresh_from_db()
    assert not letter.revoked
    client.post(url, {"action": "revoke", "_selected_action": [letter.pk], "apply": "1", "reason": "Issued in error"})
    letter.refresh_from_db()
    assert letter.revoked and letter.revoked_reason == "Issued in error"
    assert AuditEvent.objects.filter(event="status_letter.revoked", target_id=str(letter.pk)).count() == 1


def test_the_back_office_cannot_add_change_or_delete_letters(letter, client):
    force_back_office_login(client, Login.objects.create_superuser("clerk1", "Demo#2024"))
    assert client.get(reverse("admin:letters_statusletter_add")).status_code == 403
    change = client.post(reverse("admin:letters_statusletter_change", args=[letter.pk]), {"entity_name": "Other"})
    assert change.status_code in (200, 403)
    letter.refresh_from_db()
    assert letter.entity_name == "Thimble Islands Kayak Co." and StatusLetter.objects.count() == 1
