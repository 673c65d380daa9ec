import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher

from tsc.accounts.passwords import TscArgon2PasswordHasher

ROOT = Path(__file__).resolve().parent.parent


def test_passwords_are_hashed_with_argon2id_in_production():
    import tsc.settings as configured  # the module, untouched by the fast-hashing test fixture

    assert configured.PASSWORD_HASHERS[0] == "tsc.accounts.passwords.TscArgon2PasswordHasher"
    hasher = TscArgon2PasswordHasher()
    assert isinstance(hasher, Argon2PasswordHasher)
    assert hasher.encode("Demo#2024", hasher.salt()).startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_pages_carry_a_content_security_policy_and_refuse_framing(client, db):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_forms_need_the_csrf_token(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.post("/", {"registration_number": "1234567-000"}).status_code == 403


def production_settings(**env) -> dict:
    """Import tsc.settings in a fresh interpreter with DEBUG off and return some values."""
    code = (
        "import json, tsc.settings as s; print(json.dumps({k: getattr(s, k) for k in "
        "['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT', "
        "'SESSION_COOKIE_HTTPONLY', 'DEBUG']}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TSC_", "DJANGO_", "SECRET_KEY", "DEBUG"))}
    result = subprocess.run(
        [sys.executable, "-c", code], env=base | env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    return {"returncode": result.returncode, "stdout": result.stdout, "stderr": result.stderr}


def test_cookies_are_secure_and_hsts_is_on_when_debug_is_off():
    import json

    result = production_settings(
        SECRET_KEY="s" * 50,
        TSC_PII_KEYS="k1:" + "A" * 43 + "=",
        TSC_PII_INDEX_KEY="B" * 43 + "=",
        TSC_VAR_DIR="/tmp/tsc-prod-check",
    )
    assert result["returncode"] == 0, result["stderr"]
    values = json.loads(result["stdout"])
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_SSL_REDIRECT"]


@pytest.mark.parametrize("missing", ["SECRET_KEY", "TSC_PII_KEYS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {
        "SECRET_KEY": "s" * 50,
        "TSC_PII_KEYS": "k1:" + "A" * 43 + "=",
        "TSC_PII_INDEX_KEY": "B" * 43 + "=",
        "TSC_VAR_DIR": "/tmp/tsc-prod-check",
    }
    del env[missing]
    result = production_settings(**env)
    assert result["returncode"] != 0 and "ImproperlyConfigured" in result["stderr"]


PRODUCTION_ENV = {
    "SECRET_KEY": "s" * 50,
    "TSC_PII_KEYS": "k1:" + "A" * 43 + "=",
    "TSC_PII_INDEX_KEY": "B" * 43 + "=",
    "TSC_VAR_DIR": "/tmp/tsc-prod-check",
}


@pytest.mark.parametrize("typo", ["ture", "2", "enabled", "off!"])
def test_a_switch_that_is_neither_true_nor_false_stops_the_start(typo):
    result = production_settings(**PRODUCTION_ENV, DEBUG=typo)
    assert result["returncode"] != 0 and "DEBUG must be true or false" in result["stderr"]


@pytest.mark.parametrize(("spelling", "on"), [("1", True), ("TRUE", True), ("yes", True), ("0", False), ("off", False)])
def test_true_and_false_spellings_are_accepted(spelling, on):
    import json

    result = production_settings(**PRODUCTION_ENV, SECURE_SSL_REDIRECT=spelling)
    assert result["returncode"] == 0, result["stderr"]
    assert json.loads(result["stdout"])["SECURE_SSL_REDIRECT"] is on


def test_the_production_settings_know_no_testing_mode():
    # A test-only switch in production settings is one environment variable away from turning
    # off HTTPS, the secret checks and the background worker in production.
    source = (ROOT / "tsc" / "settings.py").read_text()
    assert "TESTING" not in source and "TSC_TESTING" not in source
    result = production_settings(**PRODUCTION_ENV, TSC_TESTING="1")
    import json

    assert json.loads(result["stdout"])["SESSION_COOKIE_SECURE"] is True
    del_key = dict(PRODUCTION_ENV)
    del del_key["SECRET_KEY"]
    assert production_settings(**del_key, TSC_TESTING="1")["returncode"] != 0


def test_secrets_may_come_from_files(tmp_path):
    import json

    (tmp_path / "secret").write_text("f" * 50 + "\n")
    result = production_settings(
        SECRET_KEY_FILE=str(tmp_path / "secret"),
        TSC_PII_KEYS="k1:" + "A" * 43 + "=",
        TSC_PII_INDEX_KEY="B" * 43 + "=",
        TSC_VAR_DIR="/tmp/tsc-prod-check",
    )
    assert result["returncode"] == 0, result["stderr"]
    assert json.loads(result["stdout"])["DEBUG"] is False


def test_taxpayer_logins_cannot_enter_the_back_office(demo, signed_in):
    client = signed_in(demo.admin)
    response = client.get("/drs-admin/")
    assert response.status_code == 302 and "/drs-admin/login/" in response.url


def test_drs_staff_sign_in_to_the_back_office(db, client):
    from tsc.accounts.models import Login
    from tsc.accounts.tests.twofactor_helpers import next_code

    clerk = Login.objects.create_superuser("clerk7", "Clerk#2024x")
    response = client.post("/drs-admin/login/", {"username": "clerk7", "password": "Clerk#2024x"})
    # Staff always use two-factor sign-in: the first time, they set it up before anything else.
    assert response.status_code == 302 and response.url == "/sign-in/two-factor-setup/"
    assert client.get("/drs-admin/").status_code == 302
    assert client.post("/sign-in/two-factor-setup/", {"code": next_code(clerk)}).status_code == 200
    assert client.get("/drs-admin/").status_code == 200
    assert client.get("/drs-admin/taxpayers/business/").status_code == 200


def test_drs_staff_cannot_sign_in_to_a_business(demo, client):
    from tsc.accounts.models import Login

    Login.objects.create_superuser("clerk7", "Clerk#2024x")
    client.post("/", {"registration_number": "1234567-000"})
    response = client.post("/sign-in/", {"user_id": "clerk7", "password": "Clerk#2024x"})
    assert response.status_code == 200 and "not correct" in response.content.decode()


def test_no_password_reaches_the_logs(demo, client, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    client.post("/", {"registration_number": "1234567-000"})
    client.post("/sign-in/", {"user_id": "filer", "password": "Wrong#Secret1"})
    client.post("/sign-in/", {"user_id": "filer", "password": "Demo#2024"})
    assert "Wrong#Secret1" not in caplog.text and "Demo#2024" not in caplog.text


def test_the_access_helper_answers_404_to_outsiders_and_403_to_the_wrong_right(demo):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from tsc.accounts.access import load
    from tsc.accounts.acting import Acting
    from tsc.accounts.rights import Action

    def check(login, actions):
        return load(Acting.for_login(login), "object", business_id=demo.nutmeg.pk, tax_type=demo.sales, actions=actions)

    with pytest.raises(Http404):
        check(demo.outsider, (Action.VIEW_RETURNS,))
    with pytest.raises(PermissionDenied):
        check(demo.filer, (Action.VIEW_RETURNS,))
    assert check(demo.filer, (Action.SUBMIT_RETURN,)) == "object"


def test_back_office_edits_are_audited(demo, client):
    from tsc.accounts.models import Login
    from tsc.accounts.tests.twofactor_helpers import back_office_sign_in
    from tsc.audit.models import AuditEvent

    Login.objects.create_superuser("clerk7", "Clerk#2024x")
    back_office_sign_in(client, "clerk7", "Clerk#2024x")
    url = f"/drs-admin/taxpayers/business/{demo.nutmeg.pk}/change/"
    data = {
        "registration_number": "1234567-000",
        "legal_name": "Nutmeg Hardware Inc",
        "dba_name": "",
        "fein": "06-1234567",
        "street": "100 Main Street",
        "street2": "",
        "city": "Hartford",
        "state": "CT",
        "zip_code": "06103",
        "registrations-TOTAL_FORMS": "0",
        "registrations-INITIAL_FORMS": "0",
        "registrations-MIN_NUM_FORMS": "0",
        "registrations-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(event="business.changed_by_drs")
    assert event.actor.user_id == "clerk7" and event.data["fields"] == ["legal_name"]
    assert event.data["acting"] == {"relationship": "staff", "for_business": None}
    assert event.ip == "127.0.0.1"


def test_drs_staff_cannot_unlock_or_change_taxpayer_users(demo, client):
    from tsc.accounts.models import Login, LoginStatus
    from tsc.accounts.tests.twofactor_helpers import back_office_sign_in

    Login.objects.create_superuser("clerk7", "Clerk#2024x")
    back_office_sign_in(client, "clerk7", "Clerk#2024x")
    url = f"/drs-admin/accounts/login/{demo.locked.pk}/change/"
    assert client.get(url).status_code == 200  # can look
    client.post(url, {"status": "active", "user_id": "locked1"})
    assert Login.objects.get(pk=demo.locked.pk).status == LoginStatus.LOCKED
    assert client.post(f"/drs-admin/accounts/login/{demo.locked.pk}/delete/", {"post": "yes"}).status_code == 403


def test_an_expired_form_gets_a_plain_page(db):
    from django.test import Client

    html = Client(enforce_csrf_checks=True).post("/", {"registration_number": "1"}).content.decode()
    assert "This page has expired" in html and "Nothing was saved" in html


def test_signed_in_pages_and_pdfs_are_never_stored(demo, signed_in, file_return):
    tax_return = file_return(demo.filepay)
    client = signed_in(demo.filepay)
    for url in ("/menu/", "/file/", f"/returns/{tax_return.pk}/", f"/returns/{tax_return.pk}/pdf/", "/profile/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], url
    # The public Welcome page may be cached as usual.
    client.logout()
    assert "no-store" not in client.get("/").get("Cache-Control", "")
