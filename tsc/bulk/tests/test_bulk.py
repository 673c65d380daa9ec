"""Third Party Bulk Filers: designation, client authorizations, acting for a client, payments for
a client by registration number or SSN, and Update Client Bank Information."""

import uuid
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from tsc.accounts.acting import BULK_CLIENT, Acting, Relationship
from tsc.accounts.models import Login
from tsc.audit.models import AuditEvent
from tsc.bulk import services as bulk
from tsc.filing.models import TaxReturn
from tsc.lib.errors import ServiceError
from tsc.payments import batch as bank
from tsc.payments import services as payments
from tsc.payments.models import BankAccount, Payment
from tsc.payments.tests.nacha_check import check
from tsc.taxpayers.services import business_register, individual_create


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-24 10:00:00-05:00", tick=False):
        yield


@pytest.fixture
def firm(demo):
    business = business_register(
        registration_number="4545454-000",
        legal_name="Constitution Tax Services",
        street="1 State St",
        city="Hartford",
        zip_code="06103",
        fein="06-4545454",
    )
    prep = Login.objects.create(business=business, user_id="prep9", is_administrator=True)
    prep.set_password("Demo#2024")
    prep.save()
    return bulk.bulk_filer_designate(firm=business, actor=None), prep


def test_the_clients_administrator_authorizes_a_firm_and_may_withdraw(demo, firm):
    bulk_filer, _ = firm
    ctx = Acting.for_login(demo.admin)
    with pytest.raises(ServiceError, match="No Third Party Bulk Filer has that registration number"):
        bulk.client_authorize(ctx=ctx, firm_registration_number="7654321-000")  # a business, not a firm
    with pytest.raises(ServiceError, match="Only the TSC Administrator"):
        bulk.client_authorize(ctx=Acting.for_login(demo.filepay), firm_registration_number="4545454-000")
    authorization = bulk.client_authorize(ctx=ctx, firm_registration_number="4545454-000")
    assert bulk.client_authorize(ctx=ctx, firm_registration_number="4545454-000") == authorization
    assert bulk.client_by_number(bulk_filer, "1234567-000") == authorization
    bulk.client_revoke(ctx=ctx, authorization_id=authorization.pk)
    with pytest.raises(ServiceError) as refused:
        bulk.client_by_number(bulk_filer, "1234567-000")
    with pytest.raises(ServiceError) as unknown:
        bulk.client_by_number(bulk_filer, "9999999-000")
    assert str(refused.value) == str(unknown.value) == bulk.NOT_A_CLIENT
    events = AuditEvent.objects.filter(target_id=str(authorization.pk), target_type="bulk.ClientAuthorization")
    assert sorted(e.event for e in events) == ["bulk_client.authorized", "bulk_client.revoked"]


def test_a_firm_login_files_for_its_client_and_the_audit_says_so(client, demo, firm):
    bulk_filer, prep = firm
    bulk.staff_authorization_record(actor=None, bulk_filer=bulk_filer, client=demo.nutmeg)
    client.force_login(prep, backend="tsc.accounts.backends.LoginBackend")
    menu = client.get(reverse("accounts:menu")).content.decode()
    assert "Third Party Bulk Filing" in menu
    refused = client.post(reverse("bulk:single"), {"registration_number": "7654321-000"})
    assert bulk.NOT_A_CLIENT in refused.content.decode()
    response = client.post(reverse("bulk:single"), {"registration_number": "1234567-000"})
    assert response.url == reverse("filing:index")
    html = client.get(reverse("filing:index")).content.decode()
    assert "Nutmeg Hardware LLC" in html and "Stop acting for this client" in html
    period = demo.nutmeg.registrations.get(tax_type=demo.sales).periods.get(period_end=date(2026, 10, 31))
    token = str(uuid.uuid4())
    client.post(
        reverse("filing:prepare", args=[period.pk]),
        {"l1_c1": "1000.00", "action": "submit", "submission_token": token},
    )
    filed = TaxReturn.objects.get(period=period, status="filed")
    assert filed.filed_by == prep and filed.business == demo.nutmeg
    event = AuditEvent.objects.get(event="return.filed")
    assert event.actor == prep and event.data["acting"] == {
        "relationship": "bulk_filer",
        "for_business": demo.nutmeg.pk,
        "by_firm": bulk_filer.firm_id,
    }
    # Not the client's business actions.
    assert client.get(reverse("accounts:users")).status_code == 403
    client.post(reverse("bulk:stop"))
    assert "Stop acting for this client" not in client.get(reverse("accounts:menu")).content.decode()


def test_a_withdrawn_authorization_ends_the_acting_at_once(client, demo, firm):
    bulk_filer, prep = firm
    authorization = bulk.staff_authorization_record(actor=None, bulk_filer=bulk_filer, client=demo.nutmeg)
    client.force_login(prep, backend="tsc.accounts.backends.LoginBackend")
    client.post(reverse("bulk:single"), {"registration_number": "1234567-000"})
    period = demo.nutmeg.registrations.get(tax_type=demo.sales).periods.first()
    assert client.get(reverse("filing:prepare", args=[period.pk])).status_code == 200
    bulk.client_revoke(ctx=Acting.for_login(demo.admin), authorization_id=authorization.pk)
    assert client.get(reverse("filing:prepare", args=[period.pk])).status_code == 404
    assert BULK_CLIENT not in client.session


def test_a_firm_pays_for_a_business_client_and_the_payment_says_which_firm(demo, firm):
    bulk_filer, prep = firm
    authorization = bulk.staff_authorization_record(actor=None, bulk_filer=bulk_filer, client=demo.nutmeg)
    ctx = Acting.bulk_filer_for(prep, authorization)
    assert ctx.relationship == Relationship.BULK_FILER
    period = demo.nutmeg.registrations.get(tax_type=demo.sales).periods.get(period_end=date(2026, 10, 31))
    payment = payments.payment_schedule(
        ctx=ctx,
        period=period,
        amount=D("50.00"),
        requested_date=date(2026, 11, 25),
        submission_token=uuid.uuid4(),
        account=payments.BankDetails("011000015", "5550001111", "checking"),
    )
    assert payment.bulk_filer == bulk_filer and payment.business == demo.nutmeg


def test_a_firm_pays_for_an_individual_client_by_ssn(client, demo, firm):
    bulk_filer, prep = firm
    individual_create(
        first_name="Ivy", last_name="Client", ssn="456-78-9012", street="2 Elm", city="Hartford", zip_code="06103"
    )
    client.force_login(prep, backend="tsc.accounts.backends.LoginBackend")
    refused = client.post(reverse("bulk:pay"), {"ssn": "456-78-9012"})
    assert "None of your clients has that Social Security Number" in refused.content.decode()  # not a client yet
    authorization = bulk.staff_authorization_record(actor=None, bulk_filer=bulk_filer, ssn="456789012")
    response = client.post(reverse("bulk:pay"), {"ssn": "456-78-9012"})
    assert response.url == reverse("bulk:pay_individual", args=[authorization.pk])
    form = {
        "tax_year": "2026",
        "amount": "1,500.00",
        "requested_date": "11/25/2026",
        "routing_number": "011000015",
        "account_number": "5550001111",
        "account_number2": "5550001111",
        "account_type": "checking",
        "submission_token": str(uuid.uuid4()),
    }
    response = client.post(reverse("bulk:pay_individual", args=[authorization.pk]), form)
    client.post(reverse("bulk:pay_individual", args=[authorization.pk]), form)  # a second click
    payment = Payment.objects.get(individual__isnull=False)
    assert response.url == reverse("bulk:individual_payment", args=[payment.pk])
    assert (payment.tax_year, payment.amount, payment.tax_type.code) == (2026, D("1500.00"), "IT")
    html = client.get(response.url).content.decode()
    assert payment.confirmation_number in html and "456-78-9012" not in html and "ending 9012" in html
    debit = check(bank.payment_batch_send(day=date(2026, 11, 24)).content)["payments"][0]
    assert debit["amount"] == 150000 and "456789012" in debit["txp"]


def test_update_client_bank_information_only_where_it_is_on_file(client, demo, firm):
    bulk_filer, prep = firm
    bulk.staff_authorization_record(actor=None, bulk_filer=bulk_filer, client=demo.bakery)  # none on file
    bulk.staff_authorization_record(actor=None, bulk_filer=bulk_filer, client=demo.nutmeg)  # on file (demo)
    client.force_login(prep, backend="tsc.accounts.backends.LoginBackend")
    html = client.get(reverse("bulk:bank"), {"registration_number": "7654321-000"}).content.decode()
    assert "has no banking information on file" in html
    form = {
        "registration_number": "1234567-000",
        "tax_type": "ST",
        "routing_number": "021000021",
        "account_number": "99887766",
        "account_number2": "99887766",
        "account_type": "savings",
    }
    client.post(reverse("bulk:bank"), form)
    changed = BankAccount.objects.get(business=demo.nutmeg, tax_type=demo.sales)
    assert (changed.account_last4, changed.updated_by) == ("7766", prep)
    ctx = Acting.bulk_filer_for(prep, bulk.client_by_number(bulk_filer, "7654321-000"))
    with pytest.raises(ServiceError, match="only banking information already on file"):
        payments.bank_account_set(
            ctx=ctx, tax_types=[demo.sales], account=payments.BankDetails("021000021", "99887766", "savings")
        )


def test_staff_designate_a_firm_and_a_revoked_firm_acts_for_no_one(demo, firm):
    bulk_filer, prep = firm
    authorization = bulk.staff_authorization_record(actor=None, bulk_filer=bulk_filer, client=demo.nutmeg)
    assert Acting.bulk_filer_for(prep, authorization).active
    bulk.bulk_filer_revoke(bulk_filer=bulk_filer, actor=None)
    authorization.refresh_from_db()
    assert not Acting.bulk_filer_for(prep, authorization).active
    assert bulk.bulk_filer_of(bulk_filer.firm_id) is None
