"""View Account Period Details reads each period's entries summed by the database (one credit a
day, one row a kind of charge): the statement is the one every entry gives."""

import uuid
from dataclasses import fields
from datetime import date
from decimal import Decimal as D

from tsc.accounts.acting import Acting
from tsc.ledger import account
from tsc.ledger import services as ledger
from tsc.ledger.models import EntryKind, LedgerEntry
from tsc.ledger.tests.test_services import _today, os114, sales_period  # noqa: F401 - _today: the fixed day
from tsc.payments import batch as bank
from tsc.payments import services as payments


def _paid_on_one_day(demo, period, amounts, requested):
    scheduled = [
        payments.payment_schedule(
            ctx=Acting.for_login(demo.payer),
            period=period,
            amount=D(amount),
            requested_date=requested,
            submission_token=uuid.uuid4(),
            account=payments.BankDetails("011000015", "000123456789", "checking"),
        )
        for amount in amounts
    ]
    batch = bank.payment_batch_send(day=scheduled[0].send_date)
    bank.payment_batch_post(batch=batch)
    return scheduled


def _post(demo, period, kind, amount, day):
    LedgerEntry.objects.create(
        business=demo.nutmeg,
        tax_type=demo.sales,
        period=period,
        kind=kind,
        amount=D(amount),
        effective_date=day,
    )


def test_summed_entries_give_the_statement_of_every_entry(demo):
    period = sales_period(demo)  # due 11/02/2026, filed late: tax $635.00 and a penalty
    ledger.return_process(tax_return=os114(demo, period, filed_on=date(2026, 11, 20)))
    paid = _paid_on_one_day(demo, period, ["100.00", "200.00", "50.00"], date(2026, 11, 25))
    bank.payment_return(confirmation_number=paid[1].confirmation_number, reason="R01")
    _post(demo, period, EntryKind.TRANSFER_IN, "-10.00", date(2026, 11, 25))
    _post(demo, period, EntryKind.TRANSFER_IN, "-120.00", date(2026, 12, 15))
    _post(demo, period, EntryKind.WAIVER, "-20.00", date(2026, 11, 2))
    _post(demo, period, EntryKind.REFUND, "5.00", date(2026, 12, 20))
    _post(demo, period, EntryKind.TRANSFER_OUT, "3.00", date(2026, 12, 21))
    ctx = Acting.for_login(demo.filepay)
    compared = [f.name for f in fields(account.Statement) if f.name != "applied"]
    for as_of in (date(2026, 11, 24), date(2026, 11, 26), date(2026, 12, 16), date(2027, 3, 1)):
        every = account.period_statement(period, as_of=as_of)
        (row,) = account.account_periods(
            ctx, tax_type=demo.sales, by="period_end", start=period.period_end, end=period.period_end, as_of=as_of
        )
        for statement in (row.statement, row.statement_on(as_of)):
            assert {n: getattr(statement, n) for n in compared} == {n: getattr(every, n) for n in compared}
        assert every.payments == D("280.00") and every.interest > 0
    # A period with a payment the bank returned is read entry by entry (the statement leaves the
    # returned payment out): the database cannot sum the day's credits without it.
    summed = account._summed_entries_by_period([period.pk])[period.pk]
    assert (len(summed), LedgerEntry.objects.filter(period=period).count()) == (11, 11)


def test_a_day_of_credits_is_read_as_one(demo):
    period = sales_period(demo)
    ledger.return_process(tax_return=os114(demo, period, filed_on=date(2026, 11, 20)))
    _paid_on_one_day(demo, period, ["100.00", "200.00", "50.00"], date(2026, 11, 25))
    _post(demo, period, EntryKind.TRANSFER_IN, "-10.00", date(2026, 11, 25))
    _post(demo, period, EntryKind.TRANSFER_IN, "-120.00", date(2026, 12, 15))
    _post(demo, period, EntryKind.REFUND, "5.00", date(2026, 12, 20))
    every = account.period_statement(period, as_of=date(2027, 3, 1))
    summed = account._summed_entries_by_period([period.pk])[period.pk]
    # tax, penalty, refund; the three payments and the transfer of 11/25 one credit, the transfer
    # of 12/15 another: 5 rows for 8 entries, and the same statement.
    assert (len(summed), LedgerEntry.objects.filter(period=period).count()) == (5, 8)
    from_summed = account.statement(summed, due_date=period.due_date, as_of=date(2027, 3, 1))
    compared = [f.name for f in fields(account.Statement) if f.name != "applied"]
    assert {n: getattr(from_summed, n) for n in compared} == {n: getattr(every, n) for n in compared}
    assert every.payments == D("480.00")
