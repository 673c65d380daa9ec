"""API tokens: the firm's TSC Administrator creates one (shown once, stored as a hash), lists
them with their last use, and revokes them; every create and revoke is audited."""

import hashlib
import re

import pytest
from django.urls import reverse

from tsc.accounts.acting import Acting
from tsc.accounts.models import Login
from tsc.api import services
from tsc.api.models import ApiToken
from tsc.audit.models import AuditEvent
from tsc.lib.errors import ServiceError

from .conftest import FIRM, Api

TOKEN = re.compile(r"tsc_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


def signed_in(client, login):
    client.force_login(login, backend="tsc.accounts.backends.LoginBackend")
    return client


def test_the_token_is_shown_once_and_only_its_hash_is_kept(client, prep):
    signed_in(client, prep)
    assert client.get(reverse("api_tokens:create")).status_code == 200
    response = client.post(reverse("api_tokens:create"), {"name": "  Season   software ", "scopes": ["clients:read"]})
    html = response.content.decode()
    shown = TOKEN.findall(html)
    assert response.status_code == 200 and len(set(shown)) == 1 and "shown only once" in html
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    full = shown[0]
    token = ApiToken.objects.get()
    secret = full.split("_", 2)[2]
    assert token.name == "Season software" and token.scopes == ["clients:read"]
    assert full == f"tsc_{token.prefix}_{secret}"
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values().get())
    listing = client.get(reverse("api_tokens:list")).content.decode()
    assert f"tsc_{token.prefix}_" in listing and secret not in listing and "Never" in listing
    assert Api(full).get("/clients").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    event = AuditEvent.objects.get(event="api_token.created")
    assert event.actor == prep and event.business.registration_number == FIRM
    assert secret not in str(event.data) and event.data["prefix"] == token.prefix


def test_a_bad_form_keeps_what_was_typed_and_says_why(client, prep):
    signed_in(client, prep)
    html = client.post(reverse("api_tokens:create"), {"name": "Mine", "scopes": []}).content.decode()
    assert "Choose at least one thing the token may do." in html and 'value="Mine"' in html
    html = client.post(reverse("api_tokens:create"), {"name": "", "scopes": ["nothing:at_all"]}).content.decode()
    assert "This field is required." in html and "is not one of the available choices" in html
    assert not ApiToken.objects.exists()


def test_revoking_stops_the_token_at_once(client, prep, make_token):
    token, full = make_token("clients:read")
    assert Api(full).get("/clients").status_code == 200
    signed_in(client, prep)
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]))
    assert response.status_code == 302 and response.url == reverse("api_tokens:list")
    assert Api(full).get("/clients").status_code == 401
    assert "Revoked" in client.get(reverse("api_tokens:list")).content.decode()
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 302  # again: nothing more
    assert AuditEvent.objects.filter(event="api_token.revoked", target_id=str(token.pk)).count() == 1


def test_only_the_firms_administrator_manages_tokens(client, demo, prep, make_token):
    from tsc.bulk.services import bulk_filer_of

    token, _ = make_token()
    helper = Login.objects.create(business=prep.business, user_id="prep2")
    for login in (helper, demo.admin):  # the firm's sub-user; a business's own administrator
        signed_in(client, login)
        assert client.get(reverse("api_tokens:list")).status_code == 403
        assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 403
    with pytest.raises(ServiceError):
        services.api_token_create(ctx=Acting.for_login(helper), name="x", scopes=["clients:read"])
    # Another firm's administrator does not see this firm's token: 404, and nothing changes.
    from tsc.bulk.services import bulk_filer_designate

    bulk_filer_designate(firm=demo.bakery, actor=None)
    assert bulk_filer_of(demo.bakery.pk) is not None
    signed_in(client, demo.outsider)
    assert client.get(reverse("api_tokens:list")).status_code == 200
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_anonymous_visitors_go_to_the_welcome_page(client, demo, make_token):
    token, _ = make_token()
    for url in (reverse("api_tokens:list"), reverse("api_tokens:create")):
        assert client.get(url).url == "/"
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).url == "/"
