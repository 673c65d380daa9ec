"""What one filing period owes on a given date, derived from its ledger entries. Pure: no
database, so every rule has a worked example in tests/test_statement.py.

The rules (docs/adr/0007-the-ledger.md):
- Interest is 1 % per month or fraction of a month on unpaid tax, from the due date until paid
  (CGS §12-419, §12-735; `months_late`). Each dollar of tax bears interest until the day it is
  paid: a dollar paid 1 day late bears 1 month, one still unpaid on the "paid by" date bears the
  months up to that date. Penalty bears no interest.
- A payment pays interest first, then tax, then penalty (so paying "tax and interest", as the
  seed asks before a penalty waiver, leaves only the penalty). What is left over is a credit.
- A payment the bank returned never paid anything: it is left out, as is its reversal.
- Refunds and overpayments applied to another period take money out of the period's credit.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from tsc.filing.computations import months_late

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
RATE = Decimal("0.01")  # per month or fraction of a month


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def interest_on(tax: Decimal, due: date, paid: date) -> Decimal:
    # Paid on or before the due date: no month late, no interest (and no arithmetic: most credits).
    if tax <= 0 or paid <= due:
        return ZERO
    return cents(tax * RATE * months_late(due, paid))


class Entry(NamedTuple):
    """What the statement needs of a ledger entry (tsc.ledger.models.LedgerEntry). A named tuple:
    made some 100 times a page, a third of a frozen dataclass's time (issue 13)."""

    kind: str
    amount: Decimal
    effective_date: date
    payment_id: int | None = None


@dataclass(slots=True)
class Statement:
    """What `statement` works out; nothing changes it after (View Account Period Details reads
    its amounts some 250 times a page)."""

    due_date: date
    as_of: date
    tax: Decimal = ZERO  # tax assessed (net of credits the returns reported)
    penalty: Decimal = ZERO  # penalty assessed, less any waived
    waived: Decimal = ZERO
    interest: Decimal = ZERO  # interest charged through `as_of`
    payments: Decimal = ZERO  # payments and other credits (positive)
    refunded: Decimal = ZERO  # refunds and transfers out of the period's credit (positive)
    tax_unpaid: Decimal = ZERO
    interest_unpaid: Decimal = ZERO
    penalty_unpaid: Decimal = ZERO
    penalty_paid: Decimal = ZERO
    applied: list = field(default_factory=list)  # (date, amount, to interest, to tax, to penalty)
    balance: Decimal = ZERO  # balance due (negative: a credit the taxpayer is owed)
    balance_due: Decimal = ZERO  # the balance, or zero when it is a credit
    credit: Decimal = ZERO  # the credit, or zero when a balance is due


CREDIT_KINDS = frozenset(("payment", "transfer_in"))
DEBIT_KINDS = frozenset(("refund", "transfer_out"))


def _day(credit: tuple[date, Decimal]) -> date:
    return credit[0]


def statement(entries: list[Entry], *, due_date: date, as_of: date) -> Statement:
    """The period's account as of `as_of` (a "balance if paid by" date is just a later `as_of`).
    Every entry posted counts: a payment is posted once processed, and is dated the day it paid.
    Summed in local names and the statement made once at the end: View Account Period Details
    works out some 50 of these a page (issue 13)."""
    tax = penalty = waived = payments = refunded = ZERO
    returned = {e.payment_id for e in entries if e.kind == "returned"}
    credits: list[tuple[date, Decimal]] = []
    for e in entries:
        kind = e.kind
        if kind == "tax":
            tax += e.amount
        elif kind == "penalty":
            penalty += e.amount
        elif kind == "waiver":
            waived -= e.amount
            penalty += e.amount
        elif kind in CREDIT_KINDS:
            if returned and e.payment_id is not None and e.payment_id in returned:
                continue
            payments -= e.amount
            credits.append((e.effective_date, -e.amount))
        elif kind in DEBIT_KINDS:
            refunded += e.amount
        # "returned" entries only cancel their payment (above).
    if len(credits) > 1:
        credits.sort(key=_day)
    # The credits pay interest first, then tax, then penalty, in date order.
    unpaid_tax = max(tax, ZERO)
    interest_fixed = ZERO  # interest on tax already paid: it stopped growing when paid
    interest_paid = ZERO
    penalty_paid = ZERO
    applied = []
    for day, amount in credits:
        owed_interest = interest_fixed + interest_on(unpaid_tax, due_date, day) - interest_paid
        to_interest = min(amount, max(owed_interest, ZERO))
        interest_paid += to_interest
        to_tax = min(amount - to_interest, unpaid_tax)
        if to_tax:
            # The part of the tax paid today bears interest up to today, and no further.
            interest_fixed += interest_on(unpaid_tax, due_date, day) - interest_on(unpaid_tax - to_tax, due_date, day)
            unpaid_tax -= to_tax
        to_penalty = min(amount - to_interest - to_tax, max(penalty - penalty_paid, ZERO))
        penalty_paid += to_penalty
        applied.append((day, amount, to_interest, to_tax, to_penalty))
    interest = max(interest_fixed + interest_on(unpaid_tax, due_date, as_of), interest_paid)
    balance = tax + penalty + interest - payments + refunded
    return Statement(
        due_date,
        as_of,
        tax,
        penalty,
        waived,
        interest,
        payments,
        refunded,
        unpaid_tax,
        interest - interest_paid,
        max(penalty - penalty_paid, ZERO),
        penalty_paid,
        applied,
        balance,
        max(balance, ZERO),
        max(-balance, ZERO),
    )
