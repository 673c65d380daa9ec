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
from functools import cached_property

from tsc.filing.computations import months_late

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
RATE = Decimal("0.01")  # per month or fraction of a month


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def interest_on(tax: Decimal, due: date, paid: date) -> Decimal:
    return cents(tax * RATE * months_late(due, paid)) if tax > 0 else ZERO


@dataclass(frozen=True)
class Entry:
    """What the statement needs of a ledger entry (tsc.ledger.models.LedgerEntry)."""

    kind: str
    amount: Decimal
    effective_date: date
    payment_id: int | None = None


@dataclass
class Statement:
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

    # Worked out once, when first read: `statement` fills the fields in, and nothing changes them
    # after it returns (View Account Period Details reads these some 250 times a page).
    @cached_property
    def balance(self) -> Decimal:
        """Balance due (negative: a credit the taxpayer is owed)."""
        return self.tax + self.penalty + self.interest - self.payments + self.refunded

    @cached_property
    def balance_due(self) -> Decimal:
        return max(self.balance, ZERO)

    @cached_property
    def credit(self) -> Decimal:
        return max(-self.balance, ZERO)


def statement(entries: list[Entry], *, due_date: date, as_of: date) -> Statement:
    """The period's account as of `as_of` (a "balance if paid by" date is just a later `as_of`).
    Every entry posted counts: a payment is posted once processed, and is dated the day it paid."""
    s = Statement(due_date=due_date, as_of=as_of)
    returned = {e.payment_id for e in entries if e.kind == "returned"}
    credits: list[tuple[date, Decimal]] = []
    for e in entries:
        if e.kind == "tax":
            s.tax += e.amount
        elif e.kind == "penalty":
            s.penalty += e.amount
        elif e.kind == "waiver":
            s.waived -= e.amount
            s.penalty += e.amount
        elif e.kind in ("payment", "transfer_in"):
            if e.payment_id is not None and e.payment_id in returned:
                continue
            s.payments -= e.amount
            credits.append((e.effective_date, -e.amount))
        elif e.kind in ("refund", "transfer_out"):
            s.refunded += e.amount
        # "returned" entries only cancel their payment (above).
    _apply(s, sorted(credits, key=lambda c: c[0]))
    return s


def _apply(s: Statement, credits: list[tuple[date, Decimal]]) -> None:
    unpaid_tax = max(s.tax, ZERO)
    interest_fixed = ZERO  # interest on tax already paid: it stopped growing when paid
    interest_paid = ZERO
    penalty_paid = ZERO
    for day, amount in credits:
        owed_interest = interest_fixed + interest_on(unpaid_tax, s.due_date, day) - interest_paid
        to_interest = min(amount, max(owed_interest, ZERO))
        interest_paid += to_interest
        to_tax = min(amount - to_interest, unpaid_tax)
        if to_tax:
            # The part of the tax paid today bears interest up to today, and no further.
            interest_fixed += interest_on(unpaid_tax, s.due_date, day) - interest_on(
                unpaid_tax - to_tax, s.due_date, day
            )
            unpaid_tax -= to_tax
        to_penalty = min(amount - to_interest - to_tax, max(s.penalty - penalty_paid, ZERO))
        penalty_paid += to_penalty
        s.applied.append((day, amount, to_interest, to_tax, to_penalty))
    s.interest = interest_fixed + interest_on(unpaid_tax, s.due_date, s.as_of)
    s.interest = max(s.interest, interest_paid)
    s.tax_unpaid = unpaid_tax
    s.interest_unpaid = s.interest - interest_paid
    s.penalty_paid = penalty_paid
    s.penalty_unpaid = max(s.penalty - penalty_paid, ZERO)
