"""status_letter_request and status_letter_revoke: issued only in good standing, once a day,
audited; refused with every blocker named."""

import uuid
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.core.exceptions import ValidationError

from tsc.accounts.acting import Acting
from tsc.audit.models import AuditEvent
from tsc.filing import services as filing
from tsc.letters import services
from tsc.letters.models import ALPHABET, StatusLetter, normalize_letter_id
from tsc.lib.errors import ServiceError

from .helpers import good_standing_business

TODAY = date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-24 10:00:00-05:00", tick=False):
        yield


@pytest.fixture
def kayak(demo):
    return good_standing_business(demo, TODAY)


def test_a_business_in_good_standing_gets_a_letter_at_once(kayak):
    business, admin = kayak
    letter = services.status_letter_request(ctx=Acting.for_login(admin))
    assert letter.pk and letter.business == business
    assert letter.entity_name == "Thimble Islands Kayak Co."
    assert letter.issued_on == TODAY and letter.issued_by == admin and not letter.revoked
    assert normalize_letter_id(letter.letter_id) == letter.letter_id
    assert AuditEvent.objects.filter(
        event="status_letter.issued", actor=admin, business=business, target_id=str(letter.pk)
    ).exists()


def test_the_issue_date_is_the_connecticut_date():
    # 11:30 pm in Hartford is already tomorrow in UTC.
    with time_machine.travel("2026-11-24 23:30:00-05:00", tick=False):
        assert services.today() == TODAY


def test_asking_twice_the_same_day_gives_the_same_letter(kayak):
    _, admin = kayak
    first = services.status_letter_request(ctx=Acting.for_login(admin))
    again = services.status_letter_request(ctx=Acting.for_login(admin))
    assert again.pk == first.pk
    assert StatusLetter.objects.count() == 1
    assert AuditEvent.objects.filter(event="status_letter.issued").count() == 1
    with time_machine.travel("2026-11-25 10:00:00-05:00", tick=False):
        tomorrow = services.status_letter_request(ctx=Acting.for_login(admin))
    assert tomorrow.pk != first.pk and tomorrow.issued_on == TODAY + timedelta(days=1)


def test_the_database_refuses_a_second_valid_letter_the_same_day(kayak):
    business, admin = kayak
    services.status_letter_request(ctx=Acting.for_login(admin))
    with pytest.raises(ValidationError):
        StatusLetter(business=business, entity_name="x", issued_on=TODAY).full_clean()


def test_unfiled_returns_and_balances_due_refuse_the_letter_each_named(demo, django_capture_on_commit_callbacks):
    # An on-time OS-114 with $635.00 tax (processed when filed) leaves a balance due.
    october = demo.nutmeg.registrations.get(tax_type=demo.sales).periods.get(period_end=date(2026, 10, 31))
    with django_capture_on_commit_callbacks(execute=True):
        filing.return_submit(
            actor=demo.filepay, period=october, values={"l1_c1": D("10000.00")}, submission_token=uuid.uuid4()
        )
    with pytest.raises(services.NotInGoodStanding) as refused:
        services.status_letter_request(ctx=Acting.for_login(demo.admin))
    blockers = refused.value.blockers
    assert isinstance(refused.value, ServiceError)
    unfiled = [b for b in blockers if b.what == "Return not filed"]
    assert unfiled and all(b.period.due_date < TODAY for b in unfiled)
    assert {b.form for b in unfiled} >= {"OS-114", "CT-941"}
    due = [b for b in blockers if b.what == "Balance due"]
    assert [(b.period, b.amount) for b in due] == [(october, D("635.00"))]
    assert not StatusLetter.objects.exists()
    assert not AuditEvent.objects.filter(event="status_letter.issued").exists()


def test_only_the_tsc_administrator_may_request(demo, kayak):
    for login in (demo.filepay, demo.viewer):
        with pytest.raises(ServiceError, match="TSC Administrator"):
            services.status_letter_request(ctx=Acting.for_login(login))
    with pytest.raises(ServiceError):
        services.status_letter_request(ctx=Acting.nobody())
    assert not StatusLetter.objects.exists()


def test_staff_revoke_with_a_reason_once_and_it_is_audited(kayak):
    from tsc.accounts.models import Login

    _, admin = kayak
    staff = Login.objects.create_superuser("clerk1", "Demo#2024")
    letter = services.status_letter_request(ctx=Acting.for_login(admin))
    with pytest.raises(ServiceError, match="DRS staff"):
        services.status_letter_revoke(letter=letter, actor=admin, reason="Mine")
    with pytest.raises(ServiceError, match="reason"):
        services.status_letter_revoke(letter=letter, actor=staff, reason="  ")
    revoked = services.status_letter_revoke(letter=letter, actor=staff, reason="Issued in error")
    assert revoked.revoked_at and revoked.revoked_by == staff and revoked.revoked_reason == "Issued in error"
    assert AuditEvent.objects.filter(event="status_letter.revoked", actor=staff, target_id=str(letter.pk)).count() == 1
    with pytest.raises(ServiceError, match="already revoked"):
        services.status_letter_revoke(letter=letter, actor=staff, reason="Again")
    # A revoked letter does not count as the day's letter: a new one may be issued.
    again = services.status_letter_request(ctx=Acting.for_login(admin))
    assert again.pk != letter.pk


def test_a_letter_never_changes_after_issue(kayak):
    _, admin = kayak
    letter = services.status_letter_request(ctx=Acting.for_login(admin))
    letter.entity_name = "Someone Else LLC"
    with pytest.raises(ValueError, match="never changes"):
        letter.save()
    with pytest.raises(ValueError):
        letter.save(update_fields=["entity_name"])
    letter.refresh_from_db()
    assert letter.entity_name == "Thimble Islands Kayak Co."


def test_letter_ids_are_random_grouped_and_read_back_however_typed():
    ids = {StatusLetter().letter_id for _ in range(200)}
    assert len(ids) == 200
    for letter_id in ids:
        groups = letter_id.split("-")
        assert [len(g) for g in groups] == [4, 4, 4] and set("".join(groups)) <= set(ALPHABET)
    assert not set("01ILOUV") & set(ALPHABET)
    assert normalize_letter_id(" k7qm 3xtr-9pwd ") == "K7QM-3XTR-9PWD"
    assert normalize_letter_id("K7QM3XTR9PWD") == "K7QM-3XTR-9PWD"
    assert normalize_letter_id("K7QM-3XTR-9PW") is None
    assert normalize_letter_id("K7QM-3XTR-9PWO") is None  # O is never used
    assert normalize_letter_id("") is None
