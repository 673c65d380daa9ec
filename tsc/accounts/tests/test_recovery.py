"""A locked-out TSC Administrator gets back in: DRS staff issue a recovery code, the
administrator uses it with the identity answers to set a new password."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tsc.accounts.models import AdministratorRecoveryCode, Login, LoginStatus
from tsc.accounts.recovery import recovery_code_issue
from tsc.accounts.services import enrollment_code_issue, sign_in_check
from tsc.audit.models import AuditEvent

from .twofactor_helpers import force_back_office_login


@pytest.fixture
def staff(db):
    return Login.objects.create_superuser("clerk1", "Demo#2024")


def lock_out(demo):
    """What any stranger with the registration number and the User ID can do."""
    for _ in range(3):
        sign_in_check(business=demo.nutmeg, user_id="admin1", password="Guess#1")
    assert Login.objects.get(pk=demo.admin.pk).status == LoginStatus.LOCKED


def staff_issues_code(client, staff, demo) -> str:
    force_back_office_login(client, staff)  # as if through the code step (twofactor_helpers)
    response = client.post(
        "/drs-admin/taxpayers/business/",
        {"action": "issue_recovery_code", "_selected_action": [demo.nutmeg.pk]},
        follow=True,
    )
    code = re.search(r"administrator recovery code ([A-Z0-9-]{14})", response.content.decode()).group(1)
    client.logout()
    return code


def use_code(client, code, *, user_id="admin1", answers=("Hartford", "Rex"), chosen="Back#123"):
    client.post("/", {"registration_number": "1234567-000"})
    response = client.post("/recover/", {"user_id": user_id, "recovery_code": code})
    if response.status_code != 302:
        return response
    return client.post(
        "/recover/answers/",
        {"answer1": answers[0], "answer2": answers[1], "password1": chosen, "password2": chosen},
    )


def test_a_locked_out_administrator_gets_back_in(demo, staff, client):
    lock_out(demo)
    code = staff_issues_code(client, staff, demo)
    assert not AdministratorRecoveryCode.objects.filter(code_hash__contains=code).exists()  # only a hash
    response = use_code(client, code.lower().replace("-", " "))  # typed loosely from the letter
    assert response.status_code == 302 and response.url == "/sign-in/"
    admin = Login.objects.get(pk=demo.admin.pk)
    assert admin.status == LoginStatus.ACTIVE and admin.failed_logins == 0 and admin.check_password("Back#123")
    assert client.post("/sign-in/", {"user_id": "admin1", "password": "Back#123"}).status_code == 302
    events = set(AuditEvent.objects.values_list("event", flat=True))
    assert {"recovery_code.issued", "login.recovered"} <= events
    issued = AuditEvent.objects.get(event="recovery_code.issued")
    assert issued.actor == staff and issued.business == demo.nutmeg
    # Used once: the same code does not work again.
    assert "do not match a recovery code" in use_code(client, code).content.decode()


def test_a_wrong_code_or_a_sub_users_id_gets_the_same_answer(demo, staff, client):
    code = staff_issues_code(client, staff, demo)
    for user_id, typed in (("admin1", "AAAA-BBBB-CCCC"), ("filer", code), ("ghost", code)):
        html = use_code(client, typed, user_id=user_id).content.decode()
        assert "do not match a recovery code DRS issued" in html


def test_five_wrong_codes_use_it_up(demo, staff, client):
    code = staff_issues_code(client, staff, demo)
    for _ in range(5):
        use_code(client, "AAAA-BBBB-CCCC")
    assert "do not match a recovery code" in use_code(client, code).content.decode()
    # Staff issue another, which works.
    assert use_code(client, staff_issues_code(client, staff, demo)).status_code == 302


def test_wrong_answers_count_against_the_code(demo, staff, client):
    code = staff_issues_code(client, staff, demo)
    html = use_code(client, code, answers=("Boston", "Fido")).content.decode()
    assert "Your answers do not match our records" in html
    assert AdministratorRecoveryCode.objects.get().failed_attempts == 1
    assert Login.objects.get(pk=demo.admin.pk).check_password("Demo#2024")


def test_a_code_expires(demo, staff, client):
    code = staff_issues_code(client, staff, demo)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert "do not match a recovery code" in use_code(client, code).content.decode()


def test_a_new_code_voids_the_earlier_one(demo, staff):
    first = recovery_code_issue(business=demo.nutmeg, actor=staff)
    recovery_code_issue(business=demo.nutmeg, actor=staff)
    assert AdministratorRecoveryCode.objects.filter(voided_at__isnull=False).count() == 1
    assert first


def test_an_exhausted_enrollment_code_is_issued_again(demo, staff, client):
    from tsc.accounts.services import ServiceError, profile_create_with_enrollment

    from .test_services import CONTACT, QUESTIONS

    for _ in range(5):
        with pytest.raises(ServiceError):
            profile_create_with_enrollment(
                business=demo.mystic,
                enrollment_code="WRONG-0000",
                user_id="mary",
                password="Mystic#24",
                contact=CONTACT,
                questions=QUESTIONS,
            )
    fresh = enrollment_code_issue(business=demo.mystic, actor=staff)
    login = profile_create_with_enrollment(
        business=demo.mystic,
        enrollment_code=fresh,
        user_id="mary",
        password="Mystic#24",
        contact=CONTACT,
        questions=QUESTIONS,
    )
    assert login.is_administrator


def test_the_recovery_code_also_clears_a_lost_authenticator(demo, staff, client):
    from tsc.accounts import twofactor
    from tsc.accounts.models import TwoFactorDevice

    from .twofactor_helpers import next_code

    twofactor.twofactor_setup_start(login=demo.admin)
    twofactor.twofactor_confirm(login=demo.admin, code=next_code(demo.admin))
    assert twofactor.enabled_for(demo.admin)
    code = staff_issues_code(client, staff, demo)  # the phone with the app is lost
    assert use_code(client, code).status_code == 302
    assert not TwoFactorDevice.objects.filter(login=demo.admin).exists()
    event = AuditEvent.objects.get(event="login.recovered")
    assert event.data["two_factor_reset"] is True
