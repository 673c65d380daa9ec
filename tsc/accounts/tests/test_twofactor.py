"""Two-factor sign-in (twofactor.py, twofactor_views.py): set-up, the code step, recovery codes,
the TSC Administrator's requirement and reset, and DRS staff in the back office.

Codes are computed with PyOTP from the stored secret (twofactor_helpers), an implementation
independent of the one under test, and checked against RFC 6238's published test values."""

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from django.db import connection

from tsc.accounts import twofactor
from tsc.accounts.models import Login, LoginStatus, TwoFactorDevice, TwoFactorRecoveryCode
from tsc.accounts.services import CurrentPasswordWrong, ServiceError, sign_in_check
from tsc.accounts.twofactor import CodeOutcome, SecondStep
from tsc.accounts.twofactor_views import PENDING, VERIFIED
from tsc.audit.models import AuditEvent
from tsc.lib.testing import run_at_once

from .twofactor_helpers import back_office_sign_in, force_back_office_login, next_code

NOW = datetime(2026, 3, 2, 15, 0, 10, tzinfo=UTC)  # 10 s into a 30-second step


def code_at(login, when: datetime) -> str:
    return pyotp.TOTP(TwoFactorDevice.objects.get(login=login).secret).at(when)


def turn_on(login) -> list[str]:
    """Two-factor sign-in on for `login`, confirmed with the code of the current step."""
    twofactor.twofactor_setup_start(login=login)
    return twofactor.twofactor_confirm(login=login, code=code_at(login, datetime.now(UTC)))


def events(name):
    return AuditEvent.objects.filter(event=name)


@pytest.fixture
def staff(db):
    return Login.objects.create_superuser("clerk1", "Demo#2024")


# ---- services ---------------------------------------------------------------------------


class TestCodes:
    def test_it_computes_rfc_6238_codes(self):
        # RFC 6238 appendix B, SHA-1, secret "12345678901234567890": the last six of the eight digits.
        secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        for unix_time, eight_digits in [(59, "94287082"), (1111111109, "07081804"), (1234567890, "89005924")]:
            assert twofactor.code_at(secret, unix_time // 30) == eight_digits[-6:]


class TestSetUp:
    def test_it_starts_with_a_new_secret_encrypted_at_rest(self, demo):
        device = twofactor.twofactor_setup_start(login=demo.filer)
        assert not device.confirmed and not twofactor.enabled_for(demo.filer)
        assert len(device.secret) == 32 and re.fullmatch(r"[A-Z2-7]+", device.secret)
        with connection.cursor() as cursor:
            cursor.execute("SELECT secret FROM accounts_twofactordevice WHERE id = %s", [device.pk])
            stored = cursor.fetchone()[0]
        assert device.secret not in stored and stored.count(":") == 1  # 'kid:' + ciphertext (tsc/lib/pii.py)
        assert events("two_factor.setup_started").get().target_id == str(demo.filer.pk)

    def test_starting_again_replaces_an_unconfirmed_secret(self, demo):
        first = twofactor.twofactor_setup_start(login=demo.filer).secret
        second = twofactor.twofactor_setup_start(login=demo.filer).secret
        assert first != second and TwoFactorDevice.objects.filter(login=demo.filer).count() == 1

    def test_a_wrong_first_code_does_not_turn_it_on_and_is_not_counted(self, demo):
        twofactor.twofactor_setup_start(login=demo.filer)
        with pytest.raises(ServiceError) as error:
            twofactor.twofactor_confirm(login=demo.filer, code="000000")
        assert error.value.field == "code"
        assert not twofactor.enabled_for(demo.filer)
        assert Login.objects.get(pk=demo.filer.pk).failed_logins == 0

    def test_a_right_first_code_turns_it_on_with_ten_hashed_recovery_codes(self, demo):
        codes = turn_on(demo.filer)
        assert twofactor.enabled_for(demo.filer)
        assert len(codes) == 10 and len(set(codes)) == 10
        assert all(re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", c) for c in codes)
        stored = list(TwoFactorRecoveryCode.objects.values_list("code_hash", flat=True))
        assert len(stored) == 10 and not any(c.replace("-", "") in h for c in codes for h in stored)
        assert events("two_factor.turned_on").count() == 1
        with pytest.raises(ServiceError):
            twofactor.twofactor_setup_start(login=demo.filer)  # already on

    def test_the_qr_code_is_inline_svg_with_the_otpauth_uri(self, demo):
        device = twofactor.twofactor_setup_start(login=demo.filer)
        shown = twofactor.provisioning(device)
        assert shown.uri.startswith("otpauth://totp/") and f"secret={device.secret}" in shown.uri
        assert "1234567-000" in shown.uri and "filer" in shown.uri
        assert shown.qr_svg.startswith('<svg role="img" aria-label=') and "style" not in shown.qr_svg
        assert shown.secret.replace(" ", "") == device.secret


class TestVerify:
    def test_a_right_code_signs_in_once_and_resets_the_count(self, demo):
        with time_machine.travel(NOW, tick=False):
            turn_on(demo.filer)
        Login.objects.filter(pk=demo.filer.pk).update(failed_logins=2)
        with time_machine.travel(NOW + timedelta(seconds=30), tick=False):
            code = code_at(demo.filer, NOW + timedelta(seconds=30))
            assert twofactor.twofactor_verify(login=demo.filer, code=code).outcome == CodeOutcome.OK
            assert Login.objects.get(pk=demo.filer.pk).failed_logins == 0
            assert events("login.signed_in").filter(target_id=str(demo.filer.pk)).exists()
            assert events("two_factor.verified").get().data["with"] == "app"
            # The same code again (replayed, or typed twice) is refused, and counted.
            assert twofactor.twofactor_verify(login=demo.filer, code=code).outcome == CodeOutcome.WRONG
            assert Login.objects.get(pk=demo.filer.pk).failed_logins == 1

    def test_the_code_used_to_confirm_cannot_sign_in(self, demo):
        with time_machine.travel(NOW, tick=False):
            turn_on(demo.filer)
            code = code_at(demo.filer, NOW)
            assert twofactor.twofactor_verify(login=demo.filer, code=code).outcome == CodeOutcome.WRONG

    def test_one_step_of_clock_drift_is_allowed_and_no_more(self, demo):
        with time_machine.travel(NOW - timedelta(minutes=5), tick=False):
            turn_on(demo.filer)
        with time_machine.travel(NOW, tick=False):
            too_old = code_at(demo.filer, NOW - timedelta(seconds=60))
            assert twofactor.twofactor_verify(login=demo.filer, code=too_old).outcome == CodeOutcome.WRONG
            ahead = code_at(demo.filer, NOW + timedelta(seconds=30))
            assert twofactor.twofactor_verify(login=demo.filer, code=ahead).outcome == CodeOutcome.OK
            # Now the current step's code is older than the one accepted: refused.
            now = code_at(demo.filer, NOW)
            assert twofactor.twofactor_verify(login=demo.filer, code=now).outcome == CodeOutcome.WRONG

    def test_a_recovery_code_works_once_instead_of_a_code(self, demo):
        codes = turn_on(demo.filer)
        typed = codes[3].lower().replace("-", " ")  # as copied from paper
        result = twofactor.twofactor_verify(login=demo.filer, code=typed)
        assert result.outcome == CodeOutcome.OK and result.used_recovery_code and result.recovery_codes_left == 9
        assert events("two_factor.verified").get().data == {"with": "recovery_code", "recovery_codes_left": 9}
        assert twofactor.twofactor_verify(login=demo.filer, code=codes[3]).outcome == CodeOutcome.WRONG
        assert twofactor.recovery_codes_left(demo.filer) == 9

    def test_three_wrong_codes_lock_the_login_like_wrong_passwords(self, demo):
        turn_on(demo.filer)
        outcomes = [twofactor.twofactor_verify(login=demo.filer, code="123456").outcome for _ in range(3)]
        assert outcomes == [CodeOutcome.WRONG, CodeOutcome.WRONG, CodeOutcome.LOCKED]
        login = Login.objects.get(pk=demo.filer.pk)
        assert login.status == LoginStatus.LOCKED and login.failed_logins == 3
        assert list(events("login.failed").values_list("data__reason", flat=True)) == ["two_factor_code"] * 3
        assert events("login.locked").count() == 1
        # Locked: even the right code does not get in, and nothing more is counted.
        result = twofactor.twofactor_verify(login=demo.filer, code=next_code(demo.filer))
        assert result.outcome == CodeOutcome.LOCKED and Login.objects.get(pk=demo.filer.pk).failed_logins == 3

    def test_a_right_password_does_not_reset_the_count_of_wrong_codes(self, demo):
        turn_on(demo.filer)
        twofactor.twofactor_verify(login=demo.filer, code="123456")
        twofactor.twofactor_verify(login=demo.filer, code="654321")
        assert sign_in_check(business=demo.nutmeg, user_id="filer", password="Demo#2024").login is not None
        assert Login.objects.get(pk=demo.filer.pk).failed_logins == 2  # the next wrong code locks
        assert twofactor.twofactor_verify(login=demo.filer, code="111111").outcome == CodeOutcome.LOCKED

    def test_without_two_factor_a_password_signs_in_as_before(self, demo):
        assert twofactor.second_step_for(demo.filer) is None
        turn_on(demo.filer)
        assert twofactor.second_step_for(demo.filer) == SecondStep.CODE


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_code_sent_twice_at_once_is_accepted_once(demo):
    codes = turn_on(demo.filer)
    code = next_code(demo.filer)

    def send(typed):
        login = Login.objects.get(pk=demo.filer.pk)  # each thread its own connection and objects
        return twofactor.twofactor_verify(login=login, code=typed).outcome.value

    assert sorted(run_at_once(send, [(code,), (code,)])) == ["ok", "wrong"]
    assert sorted(run_at_once(send, [(codes[0],), (codes[0],)])) == ["ok", "wrong"]


class TestOwnChanges:
    def test_turning_it_off_needs_the_current_password(self, demo):
        turn_on(demo.filer)
        with pytest.raises(CurrentPasswordWrong):
            twofactor.twofactor_turn_off(login=demo.filer, current_password="Wrong#2024")
        assert twofactor.enabled_for(demo.filer) and Login.objects.get(pk=demo.filer.pk).failed_logins == 1
        twofactor.twofactor_turn_off(login=demo.filer, current_password="Demo#2024")
        assert not TwoFactorDevice.objects.filter(login=demo.filer).exists()
        assert not TwoFactorRecoveryCode.objects.exists()
        assert events("two_factor.turned_off").get().actor_id == demo.filer.pk

    def test_new_recovery_codes_replace_the_old_ones(self, demo):
        old = turn_on(demo.filer)
        new = twofactor.recovery_codes_replace(login=demo.filer, current_password="Demo#2024")
        assert set(old).isdisjoint(new) and twofactor.recovery_codes_left(demo.filer) == 10
        assert twofactor.twofactor_verify(login=demo.filer, code=old[0]).outcome == CodeOutcome.WRONG
        assert twofactor.twofactor_verify(login=demo.filer, code=new[0]).outcome == CodeOutcome.OK
        assert events("two_factor.recovery_codes_replaced").count() == 1

    def test_no_secret_or_code_reaches_the_audit_trail(self, demo):
        codes = turn_on(demo.filer)
        twofactor.twofactor_verify(login=demo.filer, code=codes[0])
        secret = TwoFactorDevice.objects.get(login=demo.filer).secret
        trail = str(list(AuditEvent.objects.values_list("data", flat=True)))
        assert secret not in trail and not any(c in trail for c in codes)


class TestAdministrator:
    def test_the_administrator_requires_it_for_all_users(self, demo):
        twofactor.twofactor_requirement_set(actor=demo.admin, required=True)
        assert twofactor.required_for(demo.filer) and twofactor.required_for(demo.admin)
        assert not twofactor.required_for(demo.outsider)  # another business
        assert twofactor.second_step_for(demo.filer) == SecondStep.SETUP
        event = events("two_factor.requirement_changed").get()
        assert event.actor_id == demo.admin.pk and event.data["required"] is True
        twofactor.twofactor_requirement_set(actor=demo.admin, required=True)  # no change: no new row
        assert events("two_factor.requirement_changed").count() == 1
        twofactor.twofactor_requirement_set(actor=demo.admin, required=False)
        assert not twofactor.required_for(demo.filer)

    def test_only_the_administrator_sets_the_requirement(self, demo):
        with pytest.raises(ServiceError):
            twofactor.twofactor_requirement_set(actor=demo.filepay, required=True)
        assert not twofactor.required_for(demo.filer)

    def test_when_required_it_cannot_be_turned_off(self, demo):
        turn_on(demo.filer)
        twofactor.twofactor_requirement_set(actor=demo.admin, required=True)
        with pytest.raises(ServiceError, match="requires two-factor"):
            twofactor.twofactor_turn_off(login=demo.filer, current_password="Demo#2024")
        assert twofactor.enabled_for(demo.filer)

    def test_the_administrator_resets_a_users_lost_device(self, demo):
        turn_on(demo.filer)
        twofactor.twofactor_reset(actor=demo.admin, login_id=demo.filer.pk)
        assert not TwoFactorDevice.objects.filter(login=demo.filer).exists()
        event = events("two_factor.reset").get()
        assert (event.actor_id, event.target_id, event.business_id) == (
            demo.admin.pk,
            str(demo.filer.pk),
            demo.nutmeg.pk,
        )
        with pytest.raises(ServiceError, match="not on"):
            twofactor.twofactor_reset(actor=demo.admin, login_id=demo.filer.pk)

    def test_a_reset_is_refused_to_others_across_businesses_and_for_oneself(self, demo):
        turn_on(demo.filer)
        turn_on(demo.admin)
        for actor, target in [(demo.filepay, demo.filer), (demo.outsider, demo.filer), (demo.admin, demo.admin)]:
            with pytest.raises(ServiceError):
                twofactor.twofactor_reset(actor=actor, login_id=target.pk)
        assert twofactor.enabled_for(demo.filer) and twofactor.enabled_for(demo.admin)


class TestStaff:
    def test_drs_staff_always_use_it(self, staff):
        assert twofactor.required_for(staff) and twofactor.second_step_for(staff) == SecondStep.SETUP
        turn_on(staff)
        with pytest.raises(ServiceError, match="DRS staff"):
            twofactor.twofactor_turn_off(login=staff, current_password="Demo#2024")


# ---- pages --------------------------------------------------------------------------------


def at_sign_in(client, number="1234567-000"):
    client.post("/", {"registration_number": number})
    return client


def password_step(client, user_id="filer", password="Demo#2024", number="1234567-000"):  # noqa: S107
    return at_sign_in(client, number).post("/sign-in/", {"user_id": user_id, "password": password})


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


class TestCodeStep:
    def test_a_right_password_leads_to_the_code_step_not_signed_in(self, demo, client):
        turn_on(demo.filer)
        response = password_step(client)
        assert response.status_code == 302 and response.url == "/sign-in/code/"
        assert not is_signed_in(client) and client.session[PENDING]["login"] == demo.filer.pk
        assert client.get("/menu/").url == "/"  # nothing else before the code
        html = client.get("/sign-in/code/").content.decode()
        assert "Enter the 6-digit code" in html and 'autocomplete="one-time-code"' in html
        before = client.session.session_key
        response = client.post("/sign-in/code/", {"code": next_code(demo.filer)})
        assert response.status_code == 302 and response.url == "/menu/"
        assert is_signed_in(client) and client.session[VERIFIED] == demo.filer.pk
        assert PENDING not in client.session and client.session.session_key != before
        assert client.get("/menu/").status_code == 200

    def test_a_wrong_code_is_not_echoed_and_the_third_locks(self, demo, client):
        turn_on(demo.filer)
        password_step(client)
        for _ in range(2):
            response = client.post("/sign-in/code/", {"code": "123456"})
            html = response.content.decode()
            assert response.status_code == 200 and "That code is not right" in html
            assert 'value="123456"' not in html and 'aria-invalid="true"' in html
        response = client.post("/sign-in/code/", {"code": "123456"})
        assert response.status_code == 302 and response.url == "/sign-in/"
        assert "This login is locked" in client.get("/sign-in/").content.decode()
        assert Login.objects.get(pk=demo.filer.pk).status == LoginStatus.LOCKED
        assert PENDING not in client.session and not is_signed_in(client)

    def test_a_recovery_code_signs_in_and_says_how_many_are_left(self, demo, client):
        codes = turn_on(demo.filer)
        password_step(client)
        response = client.post("/sign-in/code/", {"code": codes[0]}, follow=True)
        assert response.redirect_chain[-1][0] == "/menu/"
        assert "9 recovery codes are left" in response.content.decode()

    def test_without_a_pending_password_it_goes_back_to_welcome(self, demo, client):
        assert client.get("/sign-in/code/").url == "/"
        assert client.post("/sign-in/code/", {"code": "123456"}).url == "/"
        assert client.get("/sign-in/two-factor-setup/").url == "/"

    def test_the_code_must_follow_the_password_within_ten_minutes(self, demo, client):
        turn_on(demo.filer)
        with time_machine.travel(datetime.now(UTC)):
            password_step(client)
        with time_machine.travel(datetime.now(UTC) + timedelta(minutes=11)):
            response = client.post("/sign-in/code/", {"code": next_code(demo.filer)})
        assert response.status_code == 302 and response.url == "/sign-in/"
        assert not is_signed_in(client) and PENDING not in client.session

    def test_choosing_another_business_drops_the_pending_login(self, demo, client):
        turn_on(demo.filer)
        password_step(client)
        at_sign_in(client, "7654321-000")
        assert client.post("/sign-in/code/", {"code": next_code(demo.filer)}).status_code == 302
        assert not is_signed_in(client)

    def test_the_code_step_is_throttled_with_the_password_step(self, demo, client, settings):
        settings.TSC_THROTTLE_PER_LOGIN = 2
        turn_on(demo.filer)
        password_step(client, password="Wrong#2024")  # one failure of this login at the password step
        Login.objects.filter(pk=demo.filer.pk).update(failed_logins=0)
        password_step(client)
        client.post("/sign-in/code/", {"code": "123456"})
        response = client.post("/sign-in/code/", {"code": next_code(demo.filer)})
        assert response.status_code == 429 and not is_signed_in(client)


class TestRequiredSetUp:
    def test_a_user_without_it_sets_it_up_before_any_other_page(self, demo, client):
        twofactor.twofactor_requirement_set(actor=demo.admin, required=True)
        response = password_step(client)
        assert response.url == "/sign-in/two-factor-setup/" and not is_signed_in(client)
        assert client.get("/menu/").url == "/"
        html = client.get("/sign-in/two-factor-setup/").content.decode()
        assert "requires two-factor sign-in for all users" in html and "<svg" in html
        secret = TwoFactorDevice.objects.get(login=demo.filer).secret
        assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in html
        assert "style=" not in html  # the Content-Security-Policy allows no inline styles
        response = client.post("/sign-in/two-factor-setup/", {"code": "000000"})
        assert "That code is not right" in response.content.decode() and not is_signed_in(client)
        response = client.post("/sign-in/two-factor-setup/", {"code": next_code(demo.filer)})
        html = response.content.decode()
        assert response.status_code == 200 and html.count('data-testid="recovery-code"') == 10
        assert "no-store" in response["Cache-Control"]
        assert is_signed_in(client) and client.session[VERIFIED] == demo.filer.pk
        assert client.get("/menu/").status_code == 200


class TestProfilePages:
    def test_turning_it_on_from_the_profile(self, demo, signed_in):
        client = signed_in(demo.filer)
        assert "/profile/two-factor/" in client.get("/profile/").content.decode()
        html = client.get("/profile/two-factor/").content.decode()
        assert "Two-factor sign-in is <strong>off</strong>" in html
        assert client.get("/profile/two-factor/setup/").url == "/profile/two-factor/"  # nothing started
        assert client.post("/profile/two-factor/").url == "/profile/two-factor/setup/"
        html = client.get("/profile/two-factor/setup/").content.decode()
        assert "<svg" in html and 'data-testid="two-factor-secret"' in html
        response = client.post("/profile/two-factor/setup/", {"code": "12345"})
        assert 'aria-invalid="true"' in response.content.decode() and not twofactor.enabled_for(demo.filer)
        response = client.post("/profile/two-factor/setup/", {"code": next_code(demo.filer)})
        assert response.content.decode().count('data-testid="recovery-code"') == 10
        assert "no-store" in response["Cache-Control"]
        html = client.get("/profile/two-factor/").content.decode()
        assert "Two-factor sign-in is <strong>on</strong>" in html and "10 unused recovery codes" in html

    def test_turning_it_off_with_the_password(self, demo, signed_in):
        turn_on(demo.filer)
        client = signed_in(demo.filer)  # the fixture stops at the code step
        client.post("/sign-in/code/", {"code": next_code(demo.filer)})
        response = client.post("/profile/two-factor/turn-off/", {"current_password": "Wrong#2024"})
        assert "Your current password is not correct" in response.content.decode()
        assert "Wrong#2024" not in response.content.decode()
        response = client.post("/profile/two-factor/turn-off/", {"current_password": "Demo#2024"})
        assert response.url == "/profile/" and not twofactor.enabled_for(demo.filer)

    def test_when_required_the_page_offers_no_turning_off(self, demo, signed_in):
        turn_on(demo.filer)
        twofactor.twofactor_requirement_set(actor=demo.admin, required=True)
        client = signed_in(demo.filer)
        client.post("/sign-in/code/", {"code": next_code(demo.filer)})
        assert "/profile/two-factor/turn-off/" not in client.get("/profile/two-factor/").content.decode()
        response = client.post("/profile/two-factor/turn-off/", {"current_password": "Demo#2024"})
        assert "requires two-factor sign-in" in response.content.decode() and twofactor.enabled_for(demo.filer)

    def test_new_recovery_codes_with_the_password(self, demo, signed_in):
        turn_on(demo.filer)
        client = signed_in(demo.filer)
        client.post("/sign-in/code/", {"code": next_code(demo.filer)})
        response = client.post("/profile/two-factor/codes/", {"current_password": "Demo#2024"})
        assert response.content.decode().count('data-testid="recovery-code"') == 10
        assert "no-store" in response["Cache-Control"]


class TestAdministratorPages:
    @pytest.mark.parametrize("who", ["viewer", "filer", "filepay"])
    def test_other_users_are_refused(self, demo, signed_in, who):
        client = signed_in(getattr(demo, who))
        assert client.get("/users/two-factor/").status_code == 403
        assert client.post("/users/two-factor/", {"required": "on"}).status_code == 403
        assert client.post(f"/users/{demo.viewer.pk}/two-factor/reset/").status_code == 403
        assert not twofactor.required_for_business(demo.nutmeg)

    def test_anonymous_visitors_go_to_welcome(self, demo, client):
        assert client.get("/users/two-factor/").url == "/"
        assert client.post(f"/users/{demo.viewer.pk}/two-factor/reset/").url == "/"

    def test_the_administrator_requires_it_from_add_update_users(self, demo, signed_in):
        client = signed_in(demo.admin)
        assert "/users/two-factor/" in client.get("/users/").content.decode()
        html = client.get("/users/two-factor/").content.decode()
        assert "Require two-factor sign-in for all users" in html and ">filer</th>" in html
        assert ">admin2<" not in html  # only this business's users
        response = client.post("/users/two-factor/", {"required": "on"})
        assert response.url == "/users/two-factor/" and twofactor.required_for_business(demo.nutmeg)
        client.post("/users/two-factor/", {})
        assert not twofactor.required_for_business(demo.nutmeg)

    def test_the_administrator_resets_a_user(self, demo, signed_in):
        turn_on(demo.filer)
        client = signed_in(demo.admin)
        assert "Reset two-factor sign-in for filer" in client.get("/users/two-factor/").content.decode()
        assert client.get(f"/users/{demo.filer.pk}/two-factor/reset/").status_code == 405
        response = client.post(f"/users/{demo.filer.pk}/two-factor/reset/", follow=True)
        assert "Two-factor sign-in was reset for filer" in response.content.decode()
        assert not twofactor.enabled_for(demo.filer) and events("two_factor.reset").count() == 1

    def test_a_user_of_another_business_is_not_found(self, demo, signed_in):
        turn_on(demo.outsider)
        client = signed_in(demo.admin)
        assert client.post(f"/users/{demo.outsider.pk}/two-factor/reset/").status_code == 404
        assert twofactor.enabled_for(demo.outsider)


class TestBackOffice:
    def test_staff_set_it_up_at_the_first_sign_in(self, staff, client):
        response = client.post("/drs-admin/login/", {"username": "clerk1", "password": "Demo#2024"})
        assert response.url == "/sign-in/two-factor-setup/" and not is_signed_in(client)
        assert "DRS staff always use two-factor sign-in" in client.get(response.url).content.decode()
        client.post(response.url, {"code": next_code(staff)})
        assert client.get("/drs-admin/").status_code == 200

    def test_staff_with_it_enter_a_code_and_land_where_they_were_going(self, staff, client):
        turn_on(staff)
        response = client.post(
            "/drs-admin/login/?next=/drs-admin/taxpayers/business/",
            {"username": "clerk1", "password": "Demo#2024", "next": "/drs-admin/taxpayers/business/"},
        )
        assert response.url == "/sign-in/code/" and not is_signed_in(client)
        response = client.post("/sign-in/code/", {"code": next_code(staff)})
        assert response.url == "/drs-admin/taxpayers/business/"
        assert client.get(response.url).status_code == 200

    def test_a_wrong_staff_password_or_code_is_counted(self, staff, client):
        turn_on(staff)
        response = client.post("/drs-admin/login/", {"username": "clerk1", "password": "Wrong#2024"})
        assert response.status_code == 200 and not is_signed_in(client)
        client.post("/drs-admin/login/", {"username": "clerk1", "password": "Demo#2024"})
        client.post("/sign-in/code/", {"code": "123456"})
        assert Login.objects.get(pk=staff.pk).failed_logins == 2

    def test_a_session_without_the_code_step_is_refused(self, staff, client):
        client.force_login(staff, backend="tsc.accounts.backends.LoginBackend")
        response = client.get("/drs-admin/")
        assert response.status_code == 302 and "/drs-admin/login/" in response.url
        force_back_office_login(client, staff)
        assert client.get("/drs-admin/").status_code == 200

    def test_the_helper_signs_in_through_the_real_pages_twice(self, staff, client):
        back_office_sign_in(client, "clerk1", "Demo#2024")  # set-up
        client.logout()
        back_office_sign_in(client, "clerk1", "Demo#2024")  # code
        assert client.get("/drs-admin/").status_code == 200
