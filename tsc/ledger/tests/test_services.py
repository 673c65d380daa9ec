"""Processing returns, posting payments and bank returns, penalty waivers and refunds: each an
append-only ledger entry, each once."""

import uuid
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
import time_machine

from tsc.accounts.acting import Acting
from tsc.audit.models import AuditEvent
from tsc.filing import services as filing
from tsc.ledger import account
from tsc.ledger import services as ledger
from tsc.ledger.models import EntryKind, LedgerEntry, ModifiedReason, Refund, RefundStatus, WaiverStatus
from tsc.lib.errors import ServiceError
from tsc.lib.testing import run_at_once
from tsc.payments import batch as bank
from tsc.payments import services as payments
from tsc.payments.models import PaymentStatus

TODAY = date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-24 10:00:00-05:00", tick=False):
        yield


def sales_period(demo, period_end=date(2026, 9, 30), business=None):
    business = business or demo.nutmeg
    return business.registrations.get(tax_type=demo.sales).periods.get(period_end=period_end)


def os114(demo, period, sales="10000.00", filed_on=None, amends=None, login=None):
    # $10,000 of general-rate sales: $635.00 tax.
    return filing.return_submit(
        actor=login or demo.filepay,
        period=period,
        values={"l1_c1": D(sales)},
        submission_token=uuid.uuid4(),
        filed_on=filed_on,
        amends=amends,
    )


def kinds(period):
    return sorted((e.kind, e.amount) for e in LedgerEntry.objects.filter(period=period))


def pay_and_post(demo, period, amount, requested):
    payment = payments.payment_schedule(
        ctx=Acting.for_login(demo.payer),
        period=period,
        amount=D(amount),
        requested_date=requested,
        submission_token=uuid.uuid4(),
        account=payments.BankDetails("011000015", "000123456789", "checking"),
    )
    batch = bank.payment_batch_send(day=payment.send_date)
    bank.payment_batch_post(batch=batch)
    payment.refresh_from_db()
    return payment


def test_processing_a_late_return_assesses_its_tax_and_penalty_once(demo):
    period = sales_period(demo)  # due Monday 11/02/2026 (10/31 was a Saturday)
    tax_return = os114(demo, period, filed_on=date(2026, 11, 20))
    assert (tax_return.tax_due, tax_return.penalty) == (D("635.00"), D("95.25"))  # 15 % of 635.00
    assert tax_return in ledger.returns_to_process()
    ledger.return_process(tax_return=tax_return, actor=None)
    ledger.return_process(tax_return=tax_return, actor=None)
    assert kinds(period) == [(EntryKind.PENALTY, D("95.25")), (EntryKind.TAX, D("635.00"))]
    assert tax_return not in ledger.returns_to_process()
    s = account.period_statement(period, as_of=TODAY)  # one month late: 1 % of 635.00
    assert (s.tax, s.penalty, s.interest, s.balance) == (D("635.00"), D("95.25"), D("6.35"), D("736.60"))
    assert AuditEvent.objects.filter(event="return.processed").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clerks_processing_at_once_assess_once(demo):
    tax_return = os114(demo, sales_period(demo), filed_on=date(2026, 11, 20))
    outcomes = run_at_once(lambda _: str(ledger.return_process(tax_return=tax_return).pk), [(1,), (2,)])
    assert len(set(outcomes)) == 1 and not outcomes[0].startswith("error"), outcomes
    assert LedgerEntry.objects.filter(tax_return=tax_return).count() == 2  # tax and penalty, once


def test_a_return_filed_on_time_is_processed_when_it_is_filed(demo, django_capture_on_commit_callbacks):
    period = sales_period(demo, date(2026, 10, 31))  # due 11/30/2026
    with django_capture_on_commit_callbacks(execute=True):
        tax_return = os114(demo, period)
    assert kinds(period) == [(EntryKind.TAX, D("635.00"))]
    assert not tax_return.penalty
    late = sales_period(demo, date(2026, 9, 30))
    with django_capture_on_commit_callbacks(execute=True):
        os114(demo, late)
    assert kinds(late) == []  # late: it waits for a clerk


def test_an_amended_return_adds_the_difference(demo):
    period = sales_period(demo, date(2026, 10, 31))
    original = os114(demo, period)
    ledger.return_process(tax_return=original)
    more = os114(demo, period, sales="12000.00", amends=original)  # $762.00: $127.00 more
    ledger.return_process(tax_return=more)
    assert account.period_statement(period, as_of=TODAY).tax == D("762.00")
    less = os114(demo, period, sales="4000.00", amends=more)  # $254.00: a credit of $508.00
    ledger.return_process(tax_return=less)
    assert account.period_statement(period, as_of=TODAY).tax == D("254.00")


def test_posted_payments_are_credits_and_a_bank_return_reverses_one(demo):
    period = sales_period(demo, date(2026, 10, 31))
    ledger.return_process(tax_return=os114(demo, period))
    payment = pay_and_post(demo, period, "635.00", date(2026, 11, 25))
    assert payment.status == PaymentStatus.PROCESSED
    assert account.period_statement(period, as_of=TODAY + timedelta(days=2)).balance == D("0.00")
    bank.payment_batch_post(batch=payment.batch)  # posting again adds nothing
    assert LedgerEntry.objects.filter(payment=payment).count() == 1
    bank.payment_return(confirmation_number=payment.confirmation_number, reason="R01")
    bank.payment_return(confirmation_number=payment.confirmation_number, reason="R01")
    assert LedgerEntry.objects.filter(payment=payment).count() == 2
    assert account.period_statement(period, as_of=TODAY + timedelta(days=2)).balance == D("635.00")


def test_a_scheduled_payment_is_not_a_credit_until_processed(demo):
    period = sales_period(demo, date(2026, 10, 31))
    ledger.return_process(tax_return=os114(demo, period))
    payments.payment_schedule(
        ctx=Acting.for_login(demo.payer),
        period=period,
        amount=D("635.00"),
        requested_date=date(2026, 11, 27),
        submission_token=uuid.uuid4(),
        account=payments.BankDetails("011000015", "000123456789", "checking"),
    )
    assert account.period_statement(period, as_of=TODAY).balance == D("635.00")


def test_penalty_waiver_refused_while_tax_or_interest_is_due_then_approved(demo):
    period = sales_period(demo)
    ledger.return_process(tax_return=os114(demo, period, filed_on=date(2026, 11, 20)))
    ctx = Acting.for_login(demo.payer)
    with pytest.raises(ServiceError, match=r"Tax and interest of \$641.35 are still due"):
        ledger.waiver_request(ctx=ctx, period=period, reason="Our bookkeeper was in hospital.")
    pay_and_post(demo, period, "641.35", date(2026, 11, 25))
    with pytest.raises(ServiceError, match="You do not have the right"):
        ledger.waiver_request(ctx=Acting.for_login(demo.filer), period=period, reason="Our bookkeeper was ill.")
    waiver = ledger.waiver_request(ctx=ctx, period=period, reason="Our bookkeeper was in hospital.")
    again = ledger.waiver_request(ctx=ctx, period=period, reason="Our bookkeeper was in hospital.")
    assert again.pk == waiver.pk and waiver.penalty == D("95.25")
    ledger.waiver_decide(waiver=waiver, approve=True, reply="Reasonable cause shown.", actor=None)
    s = account.period_statement(period, as_of=TODAY + timedelta(days=1))
    assert (s.penalty, s.balance) == (D("0.00"), D("0.00"))
    with pytest.raises(ServiceError, match="already decided"):
        ledger.waiver_decide(waiver=waiver, approve=False, reply="No.", actor=None)


def test_a_denied_waiver_leaves_the_penalty(demo):
    period = sales_period(demo)
    ledger.return_process(tax_return=os114(demo, period, filed_on=date(2026, 11, 20)))
    pay_and_post(demo, period, "641.35", date(2026, 11, 25))
    waiver = ledger.waiver_request(ctx=Acting.for_login(demo.admin), period=period, reason="We forgot the date.")
    ledger.waiver_decide(waiver=waiver, approve=False, reply="Forgetting is not reasonable cause.", actor=None)
    waiver.refresh_from_db()
    assert waiver.status == WaiverStatus.DENIED
    assert account.period_statement(period, as_of=TODAY + timedelta(days=1)).balance == D("95.25")


def test_an_overpaid_period_opens_a_refund_that_staff_move_along(demo):
    period = sales_period(demo, date(2026, 10, 31))
    ledger.return_process(tax_return=os114(demo, period))
    pay_and_post(demo, period, "700.00", date(2026, 11, 25))
    refund = Refund.objects.get(period=period)
    assert (refund.amount, refund.status) == (D("65.00"), RefundStatus.UNDER_REVIEW)
    with pytest.raises(ServiceError, match="cannot become UNDELIVERABLE"):
        ledger.refund_status_set(refund=refund, status=RefundStatus.UNDELIVERABLE, actor=None)
    ledger.refund_status_set(refund=refund, status=RefundStatus.PROCESSED, actor=None)
    assert account.period_statement(period, as_of=TODAY + timedelta(days=2)).balance == D("0.00")
    ledger.refund_status_set(refund=refund, status=RefundStatus.UNDELIVERABLE, actor=None)
    assert account.period_statement(period, as_of=TODAY + timedelta(days=2)).credit == D("65.00")


def test_a_refund_applied_to_a_bill_pays_the_bill(demo):
    bill = sales_period(demo)
    ledger.return_process(tax_return=os114(demo, bill, filed_on=date(2026, 11, 20)))  # $736.60 today
    period = sales_period(demo, date(2026, 10, 31))
    ledger.return_process(tax_return=os114(demo, period, sales="1000.00"))  # $63.50
    pay_and_post(demo, period, "163.50", date(2026, 11, 25))
    refund = Refund.objects.get(period=period)
    with pytest.raises(ServiceError, match="Enter the amount to issue"):
        ledger.refund_status_set(
            refund=refund, status=RefundStatus.MODIFIED, reason=ModifiedReason.APPLIED_TO_BILL, actor=None
        )
    ledger.refund_status_set(
        refund=refund,
        status=RefundStatus.MODIFIED,
        reason=ModifiedReason.APPLIED_TO_BILL,
        issued_amount=D("0.00"),
        actor=None,
    )
    later = TODAY + timedelta(days=2)
    assert account.period_statement(period, as_of=later).balance == D("0.00")
    assert account.period_statement(bill, as_of=later).balance == D("636.60")


def test_standing_blockers_name_each_period(demo):
    for period in demo.bakery.registrations.get(tax_type=demo.sales).periods.all():
        if period.due_date < TODAY:
            ledger.return_process(tax_return=os114(demo, period, sales="0", login=demo.outsider))
    blockers = account.standing_blockers(demo.bakery.pk, on=TODAY)
    assert blockers and {b.what for b in blockers} == {"Return not filed"}
    assert {b.form for b in blockers} == {"CT-941"}
