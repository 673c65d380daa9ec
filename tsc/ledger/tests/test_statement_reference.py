"""statement.py works a statement out in local names, with no interest arithmetic for a credit
paid by the due date, and makes it once, its balances included (issue 13). Checked here against
the straightforward version it replaced, kept below as written, on random ledgers: every field,
the credits' detail included."""

from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from hypothesis import given, settings
from hypothesis import strategies as st

from tsc.filing.computations import months_late
from tsc.ledger.statement import ZERO, Entry, Statement, cents, statement

RATE = Decimal("0.01")


def _reference_interest_on(tax: Decimal, due: date, paid: date) -> Decimal:
    return cents(tax * RATE * months_late(due, paid)) if tax > 0 else ZERO


@dataclass
class _Statement:
    due_date: date
    as_of: date
    tax: Decimal = ZERO
    penalty: Decimal = ZERO
    waived: Decimal = ZERO
    interest: Decimal = ZERO
    payments: Decimal = ZERO
    refunded: Decimal = ZERO
    tax_unpaid: Decimal = ZERO
    interest_unpaid: Decimal = ZERO
    penalty_unpaid: Decimal = ZERO
    penalty_paid: Decimal = ZERO
    applied: list = field(default_factory=list)

    @cached_property
    def balance(self) -> Decimal:
        return self.tax + self.penalty + self.interest - self.payments + self.refunded

    @cached_property
    def balance_due(self) -> Decimal:
        return max(self.balance, ZERO)

    @cached_property
    def credit(self) -> Decimal:
        return max(-self.balance, ZERO)


def reference_statement(entries, *, due_date, as_of):
    s = _Statement(due_date=due_date, as_of=as_of)
    returned = {e.payment_id for e in entries if e.kind == "returned"}
    credits = []
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
    _reference_apply(s, sorted(credits, key=lambda c: c[0]))
    return s


def _reference_apply(s, credits):
    unpaid_tax = max(s.tax, ZERO)
    interest_fixed = interest_paid = penalty_paid = ZERO
    for day, amount in credits:
        owed_interest = interest_fixed + _reference_interest_on(unpaid_tax, s.due_date, day) - interest_paid
        to_interest = min(amount, max(owed_interest, ZERO))
        interest_paid += to_interest
        to_tax = min(amount - to_interest, unpaid_tax)
        if to_tax:
            interest_fixed += _reference_interest_on(unpaid_tax, s.due_date, day) - _reference_interest_on(
                unpaid_tax - to_tax, s.due_date, day
            )
            unpaid_tax -= to_tax
        to_penalty = min(amount - to_interest - to_tax, max(s.penalty - penalty_paid, ZERO))
        penalty_paid += to_penalty
        s.applied.append((day, amount, to_interest, to_tax, to_penalty))
    s.interest = interest_fixed + _reference_interest_on(unpaid_tax, s.due_date, s.as_of)
    s.interest = max(s.interest, interest_paid)
    s.tax_unpaid = unpaid_tax
    s.interest_unpaid = s.interest - interest_paid
    s.penalty_paid = penalty_paid
    s.penalty_unpaid = max(s.penalty - penalty_paid, ZERO)


DUE = date(2026, 1, 31)
amounts = st.decimals(min_value=Decimal("-5000"), max_value=Decimal("5000"), places=2)
positive = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
days = st.integers(min_value=-60, max_value=800).map(lambda n: DUE + timedelta(days=n))


@st.composite
def ledgers(draw):
    entries = []
    for _ in range(draw(st.integers(0, 3))):
        entries.append(Entry(draw(st.sampled_from(["tax", "penalty"])), draw(amounts), DUE))
    payment_ids = iter(range(1, 100))
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["payment", "payment", "transfer_in", "refund", "transfer_out", "waiver"]))
        amount = draw(positive)
        if kind in ("payment", "transfer_in", "waiver"):
            amount = -amount
        payment = next(payment_ids) if kind == "payment" else None
        entries.append(Entry(kind, amount, draw(days), payment))
        if payment and draw(st.booleans()) and draw(st.booleans()):
            entries.append(Entry("returned", -amount, draw(days), payment))
    return draw(st.permutations(entries))


@settings(max_examples=400, deadline=None)
@given(ledgers(), days)
def test_the_same_statement_as_the_straightforward_version(entries, as_of):
    new, old = statement(entries, due_date=DUE, as_of=as_of), reference_statement(entries, due_date=DUE, as_of=as_of)
    for f in fields(Statement):  # balance, balance_due and credit among them
        assert getattr(new, f.name) == getattr(old, f.name), f.name
        if isinstance(getattr(old, f.name), Decimal):  # the same digits too: the page prints them
            assert str(getattr(new, f.name)) == str(getattr(old, f.name)), f.name
