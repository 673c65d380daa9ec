"""The DRS back office: staff only, every action through a service with the staff login as actor."""

import uuid
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from tsc.accounts.models import Login
from tsc.accounts.tests.twofactor_helpers import force_back_office_login
from tsc.audit.models import AuditEvent
from tsc.filing import services as filing
from tsc.ledger import account
from tsc.ledger.models import Assessment, EntryKind, LedgerEntry, PenaltyWaiver, Refund, RefundStatus, WaiverStatus


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-24 10:00:00-05:00", tick=False):
        yield


@pytest.fixture
def clerk(client, demo):
    staff = Login.objects.create_superuser("clerk9", "Demo#2024")
    force_back_office_login(client, staff)
    return staff


@pytest.fixture
def late(demo):
    period = demo.nutmeg.registrations.get(tax_type=demo.sales).periods.get(period_end=date(2026, 9, 30))
    return filing.return_submit(
        actor=demo.filepay,
        period=period,
        values={"l1_c1": D("10000.00")},
        submission_token=uuid.uuid4(),
        filed_on=date(2026, 11, 20),
    )


def test_only_staff_who_passed_the_code_step_get_in(client, demo):
    staff = Login.objects.create_superuser("clerk8", "Demo#2024")
    client.force_login(staff, backend="tsc.accounts.backends.LoginBackend")  # password only
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 302 and response.url.startswith("/drs-admin/login/?next=")
    client.force_login(demo.admin, backend="tsc.accounts.backends.LoginBackend")
    assert client.get(reverse("backoffice:work_queue")).status_code == 302


def test_a_clerk_processes_a_late_return_from_the_work_queue(client, clerk, late):
    html = client.get(reverse("backoffice:work_queue")).content.decode()
    assert late.confirmation_number in html and "Late" in html
    response = client.post(reverse("backoffice:return_process", args=[late.pk]))
    assert response.status_code == 302
    assert Assessment.objects.get(tax_return=late).processed_by == clerk
    assert AuditEvent.objects.get(event="return.processed").actor == clerk
    html = client.get(reverse("backoffice:work_queue")).content.decode()
    assert f"Processed OS-114 {late.confirmation_number}" in html  # the message, once
    assert f'class="tsc-code">{late.confirmation_number}<' not in html  # no longer in the queue


def test_a_clerk_approves_a_penalty_waiver_with_a_reply(client, clerk, demo, late):
    from tsc.ledger import services as ledger

    ledger.return_process(tax_return=late)
    LedgerEntry.objects.create(
        business=demo.nutmeg,
        tax_type=demo.sales,
        period=late.period,
        kind=EntryKind.PAYMENT,
        amount=D("-641.35"),
        effective_date=date(2026, 11, 24),
    )
    from tsc.accounts.acting import Acting

    waiver = ledger.waiver_request(ctx=Acting.for_login(demo.payer), period=late.period, reason="Hospital stay.")
    url = reverse("backoffice:waiver", args=[waiver.pk])
    html = client.get(url).content.decode()
    assert "Hospital stay." in html and "$95.25" in html
    response = client.post(url, {"decision": "approve", "reply": ""})
    assert "Write the reply" in response.content.decode()
    client.post(url, {"decision": "approve", "reply": "Reasonable cause shown."})
    waiver.refresh_from_db()
    assert waiver.status == WaiverStatus.APPROVED and waiver.decided_by == clerk
    assert account.period_statement(late.period, as_of=date(2026, 11, 24)).balance == D("0.00")


def test_a_clerk_moves_a_refund_along(client, clerk, demo, late):
    refund = Refund.objects.create(business=demo.nutmeg, period=late.period, amount=D("40.00"))
    url = reverse("backoffice:refund_status", args=[refund.pk])
    client.post(url, {"status": "modified", "reason": "offset", "issued_amount": "45.00"})
    refund.refresh_from_db()
    assert refund.status == RefundStatus.UNDER_REVIEW
    client.post(url, {"status": "modified", "reason": "offset", "issued_amount": "25.00"})
    refund.refresh_from_db()
    assert (refund.status, refund.issued_amount, refund.status_changed_by) == (RefundStatus.MODIFIED, D("25.00"), clerk)
    assert LedgerEntry.objects.get(period=late.period, kind=EntryKind.TRANSFER_OUT).amount == D("15.00")


def test_look_up_a_taxpayer_by_registration_number_fein_or_name(client, clerk, demo):
    for query in ("1234567-000", "1234567000", "06-1234567", "061234567", "nutmeg"):
        html = client.get(reverse("backoffice:taxpayers"), {"q": query}).content.decode()
        assert "Nutmeg Hardware LLC" in html and "Charter Oak" not in html, query
    html = client.get(reverse("backoffice:taxpayer", args=[demo.nutmeg.pk])).content.decode()
    assert "Return not filed" in html  # what stands in the way of a status letter


def test_a_recovery_code_is_shown_once_and_kept_only_as_a_hash(client, clerk, demo):
    response = client.post(reverse("backoffice:taxpayer_code", args=[demo.nutmeg.pk]), {"kind": "recovery"})
    html = response.content.decode()
    assert "Administrator recovery code: shown this once" in html
    code = html.split('class="tsc-code">')[1].split("<")[0]
    assert code not in client.get(reverse("backoffice:taxpayer", args=[demo.nutmeg.pk])).content.decode()
    assert code not in str(dict(client.session))
    assert AuditEvent.objects.filter(event="recovery_code.issued", actor=clerk).exists()


def test_a_clerk_posts_a_bank_batch_and_records_a_bank_return(client, clerk, demo):
    from tsc.accounts.acting import Acting
    from tsc.payments import batch as bank
    from tsc.payments import services as payments

    period = demo.nutmeg.registrations.get(tax_type=demo.sales).periods.get(period_end=date(2026, 9, 30))
    payment = payments.payment_schedule(
        ctx=Acting.for_login(demo.payer),
        period=period,
        amount=D("50.00"),
        requested_date=date(2026, 11, 25),
        submission_token=uuid.uuid4(),
        account=payments.BankDetails("011000015", "000123456789", "checking"),
    )
    batch = bank.payment_batch_send(day=date(2026, 11, 24))
    client.post(reverse("backoffice:batch_post", args=[batch.pk]))
    assert LedgerEntry.objects.filter(payment=payment, kind=EntryKind.PAYMENT).exists()
    client.post(
        reverse("backoffice:payment_return"), {"confirmation_number": payment.confirmation_number, "reason": "R01"}
    )
    assert LedgerEntry.objects.filter(payment=payment, kind=EntryKind.PAYMENT_RETURNED).exists()
    html = client.get(reverse("backoffice:batches")).content.decode()
    assert "000123456789" not in html


def test_waiver_list_shows_waiting_requests(client, clerk, demo, late):
    PenaltyWaiver.objects.create(
        business=demo.nutmeg,
        period=late.period,
        tax_type=demo.sales,
        penalty=D("95.25"),
        reason="x" * 20,
        confirmation_number="W1",
    )
    assert "W1" in client.get(reverse("backoffice:waivers")).content.decode()


def test_staff_designate_a_bulk_filer_and_record_a_signed_authorization(client, clerk, demo):
    from tsc.bulk.models import AuthorizationSource, ClientAuthorization
    from tsc.bulk.services import bulk_filer_of

    harbor = demo.mystic  # any business can be designated
    client.post(reverse("backoffice:bulk_filer", args=[harbor.pk]), {"designate": "yes"})
    firm = bulk_filer_of(harbor.pk)
    assert firm is not None and firm.designated_by == clerk
    response = client.post(reverse("backoffice:bulk_client", args=[harbor.pk]), {"registration_number": "1234567-000"})
    assert response.status_code == 302
    authorization = ClientAuthorization.objects.get(bulk_filer=firm)
    assert (authorization.client, authorization.source, authorization.authorized_by) == (
        demo.nutmeg,
        AuthorizationSource.STAFF,
        clerk,
    )
    html = client.get(reverse("backoffice:taxpayer", args=[harbor.pk])).content.decode()
    assert "Nutmeg Hardware LLC · 1234567-000" in html
    client.post(reverse("backoffice:bulk_filer", args=[harbor.pk]), {"designate": "no"})
    assert bulk_filer_of(harbor.pk) is None
    assert AuditEvent.objects.filter(event="bulk_filer.revoked", actor=clerk).exists()
