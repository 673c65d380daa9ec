"""Scheduling a batch of payments at once (tsc/payments/bulk_schedule.py) makes the payments and
audit rows `payment_schedule` makes, refuses what it refuses in the same words, and leaves
everything to it when the insert conflicts."""

import uuid
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.db import connection, transaction

from tsc.accounts.acting import Acting
from tsc.audit.models import AuditEvent
from tsc.bulk import services as bulk
from tsc.bulk.imports import acting_for
from tsc.bulk.models import ClientAuthorization
from tsc.lib import pii
from tsc.payments.bulk_schedule import PaymentItem, payments_schedule
from tsc.payments.models import BankAccount, Payment
from tsc.payments.services import payment_schedule

ON = date(2026, 1, 23)  # a banking day after the earliest payment date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-01-20 12:00:00-05:00", tick=False):
        yield


@pytest.fixture
def firm_ctx(demo):
    from tsc.accounts.models import Login

    prep = Login.objects.get(business__registration_number="4444444-000", user_id="prep1")
    authorization = ClientAuthorization.objects.select_related("bulk_filer").get(
        bulk_filer=bulk.bulk_filer_of(prep.business_id), client=demo.nutmeg, revoked_at__isnull=True
    )
    return Acting.bulk_filer_for(prep, authorization)


def period(business, code: str, end: date):
    return (
        business.registrations.get(tax_type__code=code)
        .periods.select_related("registration__tax_type")
        .get(period_end=end)
    )


def snapshot(payment: Payment) -> dict:
    payment = Payment.objects.get(pk=payment.pk)
    fields = ("business_id", "tax_type_id", "period_id", "tax_return_id", "amount", "requested_date", "send_date")
    fields += ("status", "one_time_account", "routing_number", "account_number", "account_last4", "account_type")
    fields += ("created_by_id", "made_on", "bulk_filer_id", "individual_id", "tax_year")
    audit = AuditEvent.objects.get(event="payment.scheduled", target_id=str(payment.pk))
    data = {k: v for k, v in audit.data.items() if k != "confirmation_number"}
    return {f: getattr(payment, f) for f in fields} | {"audit": (audit.actor_id, audit.business_id, data)}


def test_a_batch_makes_the_payments_and_audit_rows_payment_schedule_makes(demo, firm_ctx):
    periods = [period(demo.nutmeg, "ST", date(2025, 12, 31)), period(demo.nutmeg, "WH", date(2025, 12, 31))]
    with transaction.atomic():
        with acting_for(firm_ctx):
            one_by_one = [
                payment_schedule(
                    ctx=firm_ctx, period=p, amount=D("25.00"), requested_date=ON, submission_token=uuid.uuid4()
                )
                for p in periods
            ]
        expected = [snapshot(p) for p in one_by_one]
        transaction.set_rollback(True)

    items = [PaymentItem(firm_ctx, p, D("25.00"), ON, uuid.uuid4()) for p in periods]
    payments_schedule(items)
    assert not [i for i in items if i.problem or i.fallback]
    assert [snapshot(i.payment) for i in items] == expected
    assert len({i.payment.confirmation_number for i in items}) == 2
    # The account on file, encrypted again in the payment's own row.
    on_file = BankAccount.objects.get(business=demo.nutmeg, tax_type=demo.sales)
    with connection.cursor() as cursor:
        cursor.execute("SELECT account_number FROM payments_payment WHERE id = %s", [items[0].payment.pk])
        (stored,) = cursor.fetchone()
    assert stored != on_file.account_number and pii.decrypt(stored) == on_file.account_number
    assert pii.last4(on_file.account_number) == items[0].payment.account_last4


def test_each_payment_is_checked_on_its_own_with_payment_schedules_words(demo, firm_ctx):
    good = period(demo.nutmeg, "ST", date(2025, 12, 31))
    other_return_period = period(demo.nutmeg, "ST", date(2025, 11, 30))
    from tsc.filing.services import return_submit

    filed = return_submit(actor=demo.admin, period=other_return_period, values={}, submission_token=uuid.uuid4())
    bakery_ctx = Acting.for_login(demo.outsider)
    BankAccount.objects.filter(business=demo.nutmeg, tax_type=demo.withholding).delete()
    items = [
        PaymentItem(firm_ctx, good, D("0.00"), ON, uuid.uuid4()),
        PaymentItem(firm_ctx, good, D("10.00"), date(2026, 1, 24), uuid.uuid4()),  # a Saturday
        PaymentItem(firm_ctx, period(demo.bakery, "ST", date(2025, 12, 31)), D("10.00"), ON, uuid.uuid4()),
        PaymentItem(firm_ctx, good, D("10.00"), ON, uuid.uuid4(), tax_return=filed),
        PaymentItem(firm_ctx, period(demo.nutmeg, "WH", date(2025, 12, 31)), D("10.00"), ON, uuid.uuid4()),
        PaymentItem(bakery_ctx, period(demo.bakery, "ST", date(2025, 12, 31)), D("10.00"), ON, uuid.uuid4()),
        PaymentItem(firm_ctx, good, D("10.00"), ON, uuid.uuid4()),
    ]
    payments_schedule(items)
    assert items[0].problem == "Enter an amount more than $0.00."
    assert "not a banking day" in items[1].problem
    assert items[2].problem == "That filing period is not one of yours."
    assert items[3].problem == "That return is for another period."
    assert items[4].problem.startswith("There is no banking information on file for Withholding.")
    assert items[5].problem.startswith("There is no banking information on file for Sales and Use Tax.")
    assert items[6].payment is not None and not items[6].problem
    assert Payment.objects.count() == 1


def test_a_token_already_used_returns_its_payment_and_a_conflict_leaves_all_to_payment_schedule(
    demo, firm_ctx, monkeypatch
):
    p = period(demo.nutmeg, "ST", date(2025, 12, 31))
    items = [PaymentItem(firm_ctx, p, D("10.00"), ON, uuid.uuid4()) for _ in range(2)]
    payments_schedule(items)
    again = [PaymentItem(firm_ctx, p, D("10.00"), ON, i.submission_token) for i in items]
    payments_schedule(again)
    assert [i.payment.pk for i in again] == [i.payment.pk for i in items] and Payment.objects.count() == 2

    taken = uuid.uuid4()
    racing = [PaymentItem(firm_ctx, p, D("10.00"), ON, uuid.uuid4()), PaymentItem(firm_ctx, p, D("10.00"), ON, taken)]

    def blind(tokens):  # the token is used after the batch looked
        payment_schedule(ctx=firm_ctx, period=p, amount=D("10.00"), requested_date=ON, submission_token=taken)
        return {}

    monkeypatch.setattr("tsc.payments.bulk_schedule._scheduled", blind)
    payments_schedule(racing)
    monkeypatch.undo()
    assert all(i.fallback and i.payment is None for i in racing) and Payment.objects.count() == 3


def test_a_batchs_payment_has_every_field_services_new_payment_gives_it(demo, firm_ctx):
    from tsc.filing.services import return_submit
    from tsc.payments.services import BankDetails, _new_payment

    p = period(demo.nutmeg, "ST", date(2025, 12, 31))
    filed = return_submit(actor=demo.admin, period=p, values={}, submission_token=uuid.uuid4())
    token = uuid.uuid4()
    item = PaymentItem(firm_ctx, p, D("12.34"), ON, token, tax_return=filed)
    payments_schedule([item])
    account = BankAccount.objects.get(business=demo.nutmeg, tax_type=demo.sales)
    expected = _new_payment(
        firm_ctx,
        BankDetails(account.routing_number, account.account_number, account.account_type),
        D("12.34"),
        ON,
        token,
        business_id=demo.nutmeg.pk,
        tax_type=p.registration.tax_type,
        period=p,
        tax_return=filed,
        one_time_account=False,
        bulk_filer=firm_ctx.authorization.bulk_filer,
    )
    fields = [f.attname for f in Payment._meta.concrete_fields if f.attname not in ("id", "confirmation_number")]
    made = Payment.objects.get(pk=item.payment.pk)
    assert {f: getattr(made, f) for f in fields if f != "created_at"} == {
        f: getattr(expected, f) for f in fields if f != "created_at"
    }
    assert len(made.confirmation_number) == len(expected.confirmation_number) and made.confirmation_number[:4] == "TSC-"
