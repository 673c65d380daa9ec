"""Reads of the account: a period's statement from its ledger entries, the periods of a search
(View Account Period Details), bills, and what stands between a business and a status letter.
Pages pass the acting context; the rights go into the query (tsc.accounts.rights)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Case, DateField, Exists, F, Min, OuterRef, Q, Sum, Value, When

from tsc.accounts.acting import Acting
from tsc.accounts.rights import Action, tax_type_ids_with
from tsc.filing.models import ReturnStatus, TaxReturn
from tsc.taxpayers.models import FilingPeriod

from .models import EntryKind, LedgerEntry
from .statement import Entry, Statement, statement

# Bills for periods that ended before 2003 are paid by check, by mail (seed).
ONLINE_PAYMENT_FROM = date(2003, 1, 1)


def _entries_by_period(period_ids) -> dict[int, list[Entry]]:
    found: dict[int, list[Entry]] = defaultdict(list)
    rows = (
        LedgerEntry.objects.filter(period_id__in=period_ids)
        .order_by("effective_date", "pk")
        .values_list("period_id", "kind", "amount", "effective_date", "payment_id")
    )
    for period_id, kind, amount, effective_date, payment_id in rows:
        found[period_id].append(Entry(kind, amount, effective_date, payment_id))
    return found


CREDITS = (EntryKind.PAYMENT, EntryKind.TRANSFER_IN)


def _summed_entries_by_period(period_ids) -> dict[int, list[Entry]]:
    """What `statement` needs of each period, summed by the database: one entry per kind of
    charge or debit, and one credit per day (a payment the bank returned left out, with its
    return). The statement is the same as from every entry: credits of one day pay interest,
    then tax, then penalty alike whether they come as one or many (tsc/ledger/tests/test_account.py); only
    the per-credit detail (`Statement.applied`) is not there, which the period's own page shows
    from every entry. A period with many payments a day reads one row a day (issue 13)."""
    credit = Q(kind__in=CREDITS)
    returned = LedgerEntry.objects.filter(
        period_id=OuterRef("period_id"), kind=EntryKind.PAYMENT_RETURNED, payment_id=OuterRef("payment_id")
    )
    rows = (
        LedgerEntry.objects.filter(period_id__in=period_ids)
        .exclude(kind=EntryKind.PAYMENT_RETURNED)
        .exclude(credit & Exists(returned))
        .annotate(
            group=Case(When(credit, then=Value(EntryKind.PAYMENT)), default=F("kind")),
            credit_day=Case(When(credit, then=F("effective_date")), default=None, output_field=DateField()),
        )
        .order_by()
        .values("period_id", "group", "credit_day")
        .annotate(total=Sum("amount"), day=Min("effective_date"))
        .values_list("period_id", "group", "total", "day")
    )
    found: dict[int, list[Entry]] = defaultdict(list)
    for period_id, kind, amount, day in rows:
        found[period_id].append(Entry(kind, amount, day))
    return found


def period_statement(period: FilingPeriod, *, as_of: date) -> Statement:
    return statement(_entries_by_period([period.pk])[period.pk], due_date=period.due_date, as_of=as_of)


@dataclass(frozen=True)
class PeriodAccount:
    period: FilingPeriod
    statement: Statement
    filed: bool
    form: str
    entries: tuple[Entry, ...] = field(default=(), repr=False, compare=False)

    @property
    def payable_online(self) -> bool:
        return self.period.period_end >= ONLINE_PAYMENT_FROM

    def statement_on(self, day: date) -> Statement:
        """The period's statement on another day, from the entries already read (no query)."""
        return statement(list(self.entries), due_date=self.period.due_date, as_of=day)


def period_account(period: FilingPeriod, *, as_of: date) -> PeriodAccount:
    """One period's account (its page): the statement as of `as_of`, and its entries."""
    entries = _entries_by_period([period.pk])[period.pk]
    return PeriodAccount(
        period=period,
        statement=statement(entries, due_date=period.due_date, as_of=as_of),
        filed=True,
        form=period.registration.tax_type.form,
        entries=tuple(entries),
    )


def account_periods(
    ctx: Acting, *, tax_type=None, by: str, start: date, end: date, as_of: date, action=Action.VIEW_ACCOUNT
) -> list[PeriodAccount]:
    """Periods of the context's taxpayer in the range (by period end, or by the date a return
    was filed for them), newest first, each with its statement as of `as_of`. Only tax types the
    context may view; one query for the periods, one for their entries."""
    allowed = tax_type_ids_with(ctx, action)
    if tax_type is not None:
        allowed = [t for t in allowed if t == tax_type.pk]
    periods = FilingPeriod.objects.filter(
        registration__business_id=ctx.taxpayer_id, registration__tax_type_id__in=allowed
    ).select_related("registration__tax_type")
    filed = TaxReturn.objects.filter(period=OuterRef("pk"), status=ReturnStatus.FILED)
    if by == "filing_date":
        periods = periods.filter(Exists(filed.filter(amends__isnull=True, filed_on__gte=start, filed_on__lte=end)))
    else:
        periods = periods.filter(period_end__gte=start, period_end__lte=end)
    periods = list(
        periods.annotate(is_filed=Exists(filed)).order_by("-period_end", "registration__tax_type__sort_order")
    )
    entries = _summed_entries_by_period([p.pk for p in periods])
    accounts = []
    for p in periods:
        found = entries.get(p.pk, [])
        accounts.append(
            PeriodAccount(
                period=p,
                statement=statement(found, due_date=p.due_date, as_of=as_of),
                filed=p.is_filed,
                form=p.registration.tax_type.form,
                entries=tuple(found),
            )
        )
    return accounts


def overpaid_periods(*, batch_id: int) -> list[FilingPeriod]:
    """Periods touched by a bank batch whose credits now exceed their charges (interest only adds
    to what is owed, so these are the only candidates for a refund)."""
    from tsc.payments.models import Payment

    touched = Payment.objects.filter(batch_id=batch_id).values("period_id")
    overpaid = (
        LedgerEntry.objects.filter(period_id__in=touched)
        .values("period_id")
        .annotate(total=Sum("amount"))
        .filter(total__lt=0)
        .values_list("period_id", flat=True)
    )
    return list(FilingPeriod.objects.filter(pk__in=list(overpaid)).select_related("registration"))


def oldest_bill(business_id: int, *, exclude: int | None = None, on: date | None = None) -> FilingPeriod | None:
    """The business's oldest period with a balance due (where an overpayment is applied first)."""
    from django.utils import timezone

    on = on or timezone.localdate()
    charged = (
        LedgerEntry.objects.filter(business_id=business_id, kind__in=[EntryKind.TAX, EntryKind.PENALTY])
        .exclude(period_id=exclude)
        .values_list("period_id", flat=True)
        .distinct()
    )
    periods = FilingPeriod.objects.filter(pk__in=list(charged)).select_related("registration").order_by("period_end")
    entries = _entries_by_period([p.pk for p in periods])
    for period in periods:
        if statement(entries[period.pk], due_date=period.due_date, as_of=on).balance_due > 0:
            return period
    return None


@dataclass(frozen=True)
class Blocker:
    """One reason a status letter cannot be issued: a return not filed, or an amount not paid."""

    period: FilingPeriod
    form: str
    what: str  # "Return not filed" | "Balance due"
    amount: Decimal | None = None


def standing_blockers(business_id: int, *, on: date) -> list[Blocker]:
    """What stands between the business and a status letter on `on`: every return due must be
    filed and every amount reported due paid (tax, and the penalty and interest on it)."""
    from tsc.taxpayers.models import Registration

    blockers: list[Blocker] = []
    filed = TaxReturn.objects.filter(period=OuterRef("pk"), status=ReturnStatus.FILED)
    unfiled = (
        FilingPeriod.objects.filter(
            registration__in=Registration.objects.filter(business_id=business_id), due_date__lt=on
        )
        .exclude(Exists(filed))
        .select_related("registration__tax_type")
        .order_by("period_end", "registration__tax_type__sort_order")
    )
    for period in unfiled:
        blockers.append(Blocker(period, period.registration.tax_type.form, "Return not filed"))
    charged = LedgerEntry.objects.filter(business_id=business_id).values_list("period_id", flat=True).distinct()
    periods = (
        FilingPeriod.objects.filter(pk__in=list(charged))
        .select_related("registration__tax_type")
        .order_by("period_end", "registration__tax_type__sort_order")
    )
    entries = _entries_by_period([p.pk for p in periods])
    for period in periods:
        due = statement(entries[period.pk], due_date=period.due_date, as_of=on).balance_due
        if due > 0:
            blockers.append(Blocker(period, period.registration.tax_type.form, "Balance due", due))
    return blockers
