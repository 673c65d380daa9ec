"""Worked examples: tax, penalty and interest of a period, to the cent (tsc/ledger/statement.py).
Interest is 1 % per month or fraction of a month from the due date until paid."""

from datetime import date
from decimal import Decimal as D

from tsc.ledger.statement import Entry, statement

DUE = date(2026, 4, 30)  # an OS-114 for March, due the last day of April


def tax(amount, due=DUE):
    return Entry("tax", D(amount), due)


def paid(amount, on, payment_id=None):
    return Entry("payment", -D(amount), on, payment_id)


def test_unpaid_tax_late_by_one_day_is_one_month_of_interest():
    s = statement([tax("1000.00")], due_date=DUE, as_of=date(2026, 5, 1))
    assert (s.interest, s.balance) == (D("10.00"), D("1010.00"))


def test_nothing_is_owed_in_interest_up_to_the_due_date():
    s = statement([tax("1000.00")], due_date=DUE, as_of=DUE)
    assert (s.interest, s.balance) == (D("0.00"), D("1000.00"))


def test_a_payment_on_the_31st():
    # Due 04/30: 05/30 ends the first month, so a payment on 05/31 is into the second.
    s = statement([tax("1000.00"), paid("1020.00", date(2026, 5, 31))], due_date=DUE, as_of=date(2026, 5, 31))
    assert (s.interest, s.balance) == (D("20.00"), D("0.00"))
    # Due 03/31: a payment on 05/31 is exactly two months late, not three.
    march = date(2026, 3, 31)
    s = statement([tax("1000.00", march)], due_date=march, as_of=date(2026, 5, 31))
    assert s.interest == D("20.00")


def test_balance_if_paid_by_across_a_month_boundary():
    due = date(2026, 1, 31)
    entries = [tax("500.00", due)]
    assert statement(entries, due_date=due, as_of=date(2026, 2, 28)).balance == D("505.00")  # 1 month
    assert statement(entries, due_date=due, as_of=date(2026, 3, 1)).balance == D("510.00")  # 2 months


def test_balance_if_paid_by_across_year_end():
    due = date(2025, 12, 31)
    entries = [tax("1234.56", due)]
    # 1,234.56 × 1 % = 12.3456 → 12.35; × 2 % = 24.6912 → 24.69
    assert statement(entries, due_date=due, as_of=date(2026, 1, 31)).balance == D("1246.91")
    assert statement(entries, due_date=due, as_of=date(2026, 2, 1)).balance == D("1259.25")


def test_a_payment_pays_interest_first_and_the_rest_of_the_tax_keeps_bearing_interest():
    entries = [tax("1000.00"), paid("1000.00", date(2026, 5, 1))]
    s = statement(entries, due_date=DUE, as_of=date(2026, 5, 1))
    # $10.00 of interest first, then $990.00 of tax: $10.00 of tax is left.
    assert (s.interest_unpaid, s.tax_unpaid, s.balance) == (D("0.00"), D("10.00"), D("10.00"))
    s = statement(entries, due_date=DUE, as_of=date(2026, 6, 15))
    # The $10.00 still unpaid on 06/15 is 2 months late: $0.20 more. The $990.00 stopped on 05/01.
    assert (s.interest, s.interest_unpaid, s.balance) == (D("10.10"), D("0.10"), D("10.10"))


def test_a_late_return_with_penalty_paid_tax_and_interest_leaves_the_penalty():
    entries = [tax("1000.00"), Entry("penalty", D("150.00"), DUE), paid("1010.00", date(2026, 5, 20))]
    s = statement(entries, due_date=DUE, as_of=date(2026, 5, 20))
    assert (s.tax_unpaid, s.interest_unpaid, s.penalty_unpaid, s.balance) == (
        D("0.00"),
        D("0.00"),
        D("150.00"),
        D("150.00"),
    )
    # The penalty bears no interest.
    assert statement(entries, due_date=DUE, as_of=date(2027, 5, 20)).balance == D("150.00")
    waived = statement([*entries, Entry("waiver", D("-150.00"), DUE)], due_date=DUE, as_of=date(2026, 6, 1))
    assert (waived.penalty, waived.waived, waived.balance) == (D("0.00"), D("150.00"), D("0.00"))


def test_a_payment_made_on_time_bears_no_interest_and_an_overpayment_is_a_credit():
    s = statement([tax("100.00"), paid("150.00", date(2026, 4, 28))], due_date=DUE, as_of=date(2026, 9, 1))
    assert (s.interest, s.balance, s.credit) == (D("0.00"), D("-50.00"), D("50.00"))
    refunded = statement(
        [tax("100.00"), paid("150.00", date(2026, 4, 28)), Entry("refund", D("50.00"), date(2026, 9, 2))],
        due_date=DUE,
        as_of=date(2026, 9, 3),
    )
    assert refunded.balance == D("0.00")


def test_a_payment_the_bank_returned_never_paid_anything():
    entries = [tax("1000.00"), paid("1000.00", DUE, payment_id=7), Entry("returned", D("1000.00"), date(2026, 5, 4), 7)]
    s = statement(entries, due_date=DUE, as_of=date(2026, 5, 4))
    assert (s.payments, s.interest, s.balance) == (D("0.00"), D("10.00"), D("1010.00"))


def test_additional_tax_on_an_amended_return_bears_interest_from_the_original_due_date():
    entries = [tax("1000.00"), paid("1000.00", DUE), tax("200.00")]
    s = statement(entries, due_date=DUE, as_of=date(2026, 7, 15))
    # 05/30, 06/30 end two months; 07/15 is into the third: 200 × 3 % = 6.00.
    assert (s.interest, s.balance) == (D("6.00"), D("206.00"))


def test_a_credit_reported_on_an_amended_return_is_owed_back():
    entries = [tax("1000.00"), paid("1000.00", DUE), tax("-250.00")]
    s = statement(entries, due_date=DUE, as_of=date(2026, 7, 15))
    assert (s.interest, s.credit) == (D("0.00"), D("250.00"))


def test_several_partial_payments():
    # $600 tax due 04/30. $300 on 05/10 (1 month): $6.00 interest first, then $294 of tax, whose
    # interest stops at $2.94. $306 on 06/10 (2 months on the $306 left: $6.12, so $9.06 in all,
    # $6.00 already paid): $3.06 interest, then $302.94 of tax; $3.06 of tax is left.
    entries = [tax("600.00"), paid("300.00", date(2026, 5, 10)), paid("306.00", date(2026, 6, 10))]
    s = statement(entries, due_date=DUE, as_of=date(2026, 6, 10))
    assert s.applied == [
        (date(2026, 5, 10), D("300.00"), D("6.00"), D("294.00"), D("0.00")),
        (date(2026, 6, 10), D("306.00"), D("3.06"), D("302.94"), D("0.00")),
    ]
    assert (s.tax_unpaid, s.interest, s.interest_unpaid, s.balance) == (D("3.06"), D("9.06"), D("0.00"), D("3.06"))
