import uuid
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.db import connection

from tsc.accounts.acting import Acting
from tsc.audit.models import AuditEvent
from tsc.lib.banking import routing_number_problem
from tsc.lib.errors import ServiceError
from tsc.payments import services
from tsc.payments.models import BankAccount, Payment, PaymentBatch, PaymentStatus

ACCOUNT = services.BankDetails("011000015", "000123456789", "checking")


@pytest.fixture(autouse=True)
def _today():
    # Tuesday 11/24/2026: Thanksgiving is Thursday 11/26.
    with time_machine.travel("2026-11-24 10:00:00-05:00", tick=False):
        yield


def sales_period(demo, business=None):
    business = business or demo.nutmeg
    return business.registrations.get(tax_type=demo.sales).periods.get(period_end=date(2026, 10, 31))


def schedule(demo, login=None, **overrides):
    kwargs = {
        "ctx": Acting.for_login(login or demo.payer),
        "period": sales_period(demo),
        "amount": D("552.45"),
        "requested_date": date(2026, 11, 30),
        "submission_token": uuid.uuid4(),
        "account": ACCOUNT,
    } | overrides
    return services.payment_schedule(**kwargs)


@pytest.mark.parametrize(
    ("routing", "ok"),
    [
        ("011000015", True),  # Federal Reserve Bank of Boston: 3·0+7·1+1+3·0+7·0+0+3·0+7·1+5 = 20
        ("021000021", True),  # JPMorgan Chase, New York
        ("011000016", False),  # check digit off by one
        ("01100001", False),  # 8 digits
        ("9110000l5", False),  # a letter
        ("990000000", False),  # check digit right (9·3 + 9·7 = 90) but 99 is no bank range
    ],
)
def test_routing_numbers_carry_a_check_digit(routing, ok):
    assert (routing_number_problem(routing) is None) is ok


class TestRequestedDate:
    @pytest.mark.parametrize(
        ("requested", "problem"),
        [
            (date(2026, 11, 23), "in the past"),
            (date(2026, 11, 24), "earliest payment date is 11/25/2026"),  # today: sent yesterday
            (date(2026, 11, 25), None),  # sent today, before today's batch
            (date(2026, 11, 26), "not a banking day"),  # Thanksgiving
            (date(2026, 11, 28), "next banking day is 11/30/2026"),  # Saturday
            (date(2027, 11, 24), None),  # 365 days ahead
            (date(2027, 11, 26), "at most 365 days ahead"),
        ],
    )
    def test_the_requested_date_rules(self, db, requested, problem):
        found = services.requested_date_problem(requested)
        assert (found is None) if problem is None else (problem in found), found

    def test_after_todays_batch_the_earliest_date_moves_on(self, db):
        assert services.earliest_payment_date() == date(2026, 11, 25)
        PaymentBatch.objects.create(send_date=date(2026, 11, 24))
        # Tomorrow is sent tomorrow (Wednesday); the Friday after Thanksgiving is sent Wednesday too.
        assert services.earliest_payment_date() == date(2026, 11, 27)


class TestSchedule:
    def test_a_payment_is_scheduled_with_its_send_date_and_confirmation(self, demo):
        payment = schedule(demo)
        assert payment.status == PaymentStatus.SCHEDULED and payment.amount == D("552.45")
        assert payment.send_date == date(2026, 11, 27)  # Monday 11/30 → Friday after Thanksgiving
        assert payment.confirmation_number.startswith("TSC-") and payment.made_on == date(2026, 11, 24)
        assert payment.account_last4 == "6789" and payment.one_time_account
        event = AuditEvent.objects.get(event="payment.scheduled")
        assert event.data["account"] == "…6789" and "123456789" not in str(event.data)

    def test_the_same_submission_records_one_payment(self, demo):
        token = uuid.uuid4()
        first = schedule(demo, submission_token=token)
        again = schedule(demo, submission_token=token)
        assert again.pk == first.pk and Payment.objects.count() == 1

    def test_the_account_on_file_is_used_when_none_is_given(self, demo):
        BankAccount.objects.filter(business=demo.nutmeg).delete()  # the demo keeps one on file
        with pytest.raises(ServiceError, match="no banking information on file") as info:
            schedule(demo, account=None)
        assert info.value.field == "account"
        services.bank_account_set(ctx=Acting.for_login(demo.admin), tax_types=[demo.sales], account=ACCOUNT)
        payment = schedule(demo, account=None)
        assert not payment.one_time_account and payment.account_number == "000123456789"

    @pytest.mark.parametrize("who", ["viewer", "filer", "noaccess"])
    def test_only_pay_rights_make_payments(self, demo, who):
        with pytest.raises(ServiceError, match="rights"):
            schedule(demo, getattr(demo, who))

    def test_another_business_period_is_refused(self, demo):
        with pytest.raises(ServiceError):
            schedule(demo, demo.outsider)

    @pytest.mark.parametrize(
        ("amount", "problem"), [(D("0"), "more than"), (D("1.005"), "cents"), (D("1e9"), "at most")]
    )
    def test_amount_rules(self, demo, amount, problem):
        with pytest.raises(ServiceError, match=problem):
            schedule(demo, amount=amount)

    def test_account_numbers_are_encrypted_at_rest(self, demo):
        schedule(demo)
        services.bank_account_set(ctx=Acting.for_login(demo.admin), tax_types=[demo.sales], account=ACCOUNT)
        with connection.cursor() as cursor:
            for table in ("payments_payment", "payments_bankaccount", "audit_auditevent"):
                cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
                assert "123456789" not in str(cursor.fetchall()), table


class TestCancel:
    def test_cancel_gets_its_own_confirmation_number(self, demo):
        payment = schedule(demo)
        cancelled = services.payment_cancel(ctx=Acting.for_login(demo.filepay), payment_id=payment.pk)
        assert cancelled.status == PaymentStatus.CANCELLED
        assert (
            cancelled.cancel_confirmation_number and cancelled.cancel_confirmation_number != payment.confirmation_number
        )
        assert cancelled.cancelled_by == demo.filepay
        # A second click changes nothing.
        again = services.payment_cancel(ctx=Acting.for_login(demo.filepay), payment_id=payment.pk)
        assert again.cancel_confirmation_number == cancelled.cancel_confirmation_number

    def test_a_sent_payment_cannot_be_cancelled(self, demo):
        payment = schedule(demo)
        Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.SENT)
        with pytest.raises(ServiceError, match="sent to the bank on 11/27/2026 and can no longer be cancelled"):
            services.payment_cancel(ctx=Acting.for_login(demo.payer), payment_id=payment.pk)

    def test_view_only_and_other_businesses_cannot_cancel(self, demo):
        payment = schedule(demo)
        for login in (demo.viewer, demo.outsider):
            with pytest.raises(ServiceError):
                services.payment_cancel(ctx=Acting.for_login(login), payment_id=payment.pk)
        assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SCHEDULED


class TestBanking:
    def test_a_global_change_sets_every_tax_type(self, demo):
        BankAccount.objects.filter(business=demo.nutmeg).delete()
        admin = Acting.for_login(demo.admin)
        services.bank_account_set(ctx=admin, tax_types=[demo.sales], account=ACCOUNT)
        other = services.BankDetails("021000021", "55554444", "savings")
        services.bank_account_set(ctx=admin, tax_types=[demo.sales, demo.withholding, demo.non_wage], account=other)
        accounts = BankAccount.objects.filter(business=demo.nutmeg)
        assert {(a.tax_type.code, a.account_last4, a.account_type) for a in accounts} == {
            ("ST", "4444", "savings"),
            ("WH", "4444", "savings"),
            ("WN", "4444", "savings"),
        }
        changed = AuditEvent.objects.get(event="bank_account.changed")
        assert changed.data == {"tax_type": "ST", "from": "…6789", "to": "…4444"}

    def test_only_the_administrator_changes_banking(self, demo):
        with pytest.raises(ServiceError, match="rights"):
            services.bank_account_set(ctx=Acting.for_login(demo.filepay), tax_types=[demo.sales], account=ACCOUNT)

    def test_bad_bank_details_are_refused_by_field(self, demo):
        with pytest.raises(ServiceError) as info:
            services.bank_account_set(
                ctx=Acting.for_login(demo.admin),
                tax_types=[demo.sales],
                account=services.BankDetails("011000016", "12345678", "checking"),
            )
        assert info.value.field == "routing_number"
