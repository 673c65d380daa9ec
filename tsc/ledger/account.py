"""Reads of the account: a period's statement from its ledger entries, the periods of a search
(View Account Period Details), bills, and what stands between a business and a status letter.
Pages pass the acting context; the rights go into the query (tsc.accounts.rights)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.db import router
from django.db.models import Exists, OuterRef, Sum

from tsc.accounts.acting import Acting
from tsc.accounts.rights import Action, tax_types_with
from tsc.filing.models import ReturnStatus, TaxReturn
from tsc.lib import sql
from tsc.taxpayers.models import FilingPeriod, Registration

from .models import EntryKind, LedgerEntry
from .statement import CREDIT_KINDS, Entry, Statement, statement

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


def _summed_entries_by_period(period_ids) -> dict[int, list[Entry]]:
    """What `statement` needs of each period, summed by the database: one entry per kind of
    charge or debit, and one credit per day. The statement is the same as from every entry:
    credits of one day pay interest, then tax, then penalty alike whether they come as one or
    many (tsc/ledger/tests/test_account.py); only the per-credit detail (`Statement.applied`) is
    not there, which the period's own page shows from every entry. A period with many payments a
    day reads one row a day (issue 13).

    A payment the bank returned must be left out before the day's credits are summed; a period
    with a bank return (rare) is read entry by entry instead, and `statement` leaves the payment
    out. Finding the returned payments in the same query cost it a probe per period (issue 13)."""
    if not period_ids:
        return defaultdict(list)
    where, params = sql.any_of(LedgerEntry, 'e."period_id"', period_ids)
    # The database sums by period, kind and day, in the order of its index (no sort); here the
    # credits of a day become one, and each other kind one entry dated its first day.
    credits: dict[tuple[int, date], Decimal] = {}
    others: dict[tuple[int, str], tuple[Decimal, date]] = {}
    returned = set()
    for period_id, kind, day, amount in sql.fetch(LedgerEntry, _summed_entries_sql(where), params, _SUMMED_FIELDS):
        if kind in CREDIT_KINDS:
            key = (period_id, day)
            credits[key] = credits[key] + amount if key in credits else amount
        elif kind == EntryKind.PAYMENT_RETURNED:
            returned.add(period_id)
        else:
            key = (period_id, kind)
            summed = others.get(key)
            others[key] = (amount, day) if summed is None else (summed[0] + amount, min(summed[1], day))
    found: dict[int, list[Entry]] = defaultdict(list)
    for (period_id, kind), (amount, day) in others.items():
        if period_id not in returned:
            found[period_id].append(Entry(kind, amount, day))
    for (period_id, day), amount in credits.items():
        if period_id not in returned:
            found[period_id].append(Entry(EntryKind.PAYMENT, amount, day))
    if returned:
        found.update(_entries_by_period(sorted(returned)))
    return found


_SUMMED_FIELDS = [
    sql.field(LedgerEntry, "period"),
    sql.field(LedgerEntry, "kind"),
    sql.field(LedgerEntry, "effective_date"),
    sql.field(LedgerEntry, "amount"),
]


@lru_cache(maxsize=64)
def _summed_entries_sql(where: str) -> str:
    # Grouped as the index (period, kind, day) runs: summed as read, without sorting (issue 13).
    return (
        f'SELECT e."period_id", e."kind", e."effective_date", SUM(e."amount") FROM {sql.table(LedgerEntry)} e '  # noqa: S608 - names from the models
        f'WHERE {where} GROUP BY e."period_id", e."kind", e."effective_date"'
    )


def period_statement(period: FilingPeriod, *, as_of: date) -> Statement:
    return statement(_entries_by_period([period.pk])[period.pk], due_date=period.due_date, as_of=as_of)


@dataclass(slots=True)  # not frozen: a frozen dataclass costs View Account Period Details 50 slow inits
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
    context may view; one query for the periods, one for their entries, both written out (the
    ORM's periods, registrations and tax types cost this page more than the database: issue 13)."""
    tax_types = {t.pk: t for t in tax_types_with(ctx, action)}
    if tax_type is not None:
        tax_types = {pk: t for pk, t in tax_types.items() if pk == tax_type.pk}
    if not tax_types:
        return []
    # By filing date: periods with an original return filed in the range.
    params = [ReturnStatus.FILED, start, end] if by == "filing_date" else [start, end]
    found = sql.fetch(
        FilingPeriod,
        _account_periods_sql(by, len(tax_types)),
        [ReturnStatus.FILED, ctx.taxpayer_id, *tax_types, *params],
        _ACCOUNT_PERIOD_FIELDS,
    )
    # Newest first, then in the tax types' order, sorted here: in the query it cost a look-up of
    # the tax type for every period (issue 13).
    order = {pk: (t.sort_order, t.name) for pk, t in tax_types.items()}
    found.sort(key=lambda row: (-row[_END].toordinal(), order[row[_TAX_TYPE]]))
    db = router.db_for_read(FilingPeriod)
    period_from = sql.loader(FilingPeriod, db, _PERIOD_NAMES)
    registrations: dict[int, Registration] = {}
    n = len(_PERIOD_FIELDS)
    entries = _summed_entries_by_period([row[0] for row in found])
    accounts = []
    for row in found:
        registration = registrations.get(row[n])
        tax = tax_types[row[_TAX_TYPE]]
        if registration is None:
            registration = Registration.from_db(db, _REGISTRATION_NAMES, row[n : n + len(_REGISTRATION_FIELDS)])
            registration.tax_type = tax
            registrations[row[n]] = registration
        period = period_from(row[:n], {"registration": registration})
        found_entries = entries.get(row[0], [])
        accounts.append(
            PeriodAccount(
                period=period,
                statement=statement(found_entries, due_date=row[_DUE], as_of=as_of),
                filed=bool(row[-1]),
                form=tax.form,
                entries=tuple(found_entries),
            )
        )
    return accounts


@lru_cache(maxsize=32)
def _account_periods_sql(by: str, tax_type_count: int) -> str:
    """account_periods' query, by period end or by filing date, for so many tax types: the periods
    with their registration and whether a return is filed for them."""
    filed = f'SELECT 1 FROM {sql.table(TaxReturn)} x WHERE x."period_id" = p."id" AND x."status" = %s'  # noqa: S608 - names from the models
    if by == "filing_date":  # periods with an original return filed in the range
        where = f'EXISTS ({filed} AND x."amends_id" IS NULL AND x."filed_on" BETWEEN %s AND %s)'
    else:
        where = 'p."period_end" BETWEEN %s AND %s'
    period_columns = ", ".join(f'p."{f.column}"' for f in _PERIOD_FIELDS)
    registration_columns = ", ".join(f'r."{f.column}"' for f in _REGISTRATION_FIELDS)
    return (
        f"SELECT {period_columns}, {registration_columns}, EXISTS ({filed}) "  # noqa: S608 - names from the models
        f'FROM {sql.table(FilingPeriod)} p INNER JOIN {sql.table(Registration)} r ON p."registration_id" = r."id" '
        f'WHERE r."business_id" = %s AND r."tax_type_id" IN {sql.placeholders(tax_type_count)} AND {where}'
    )


_PERIOD_FIELDS = FilingPeriod._meta.concrete_fields
_PERIOD_NAMES = [f.attname for f in _PERIOD_FIELDS]
_REGISTRATION_FIELDS = Registration._meta.concrete_fields  # the first is the id
_REGISTRATION_NAMES = [f.attname for f in _REGISTRATION_FIELDS]
_ACCOUNT_PERIOD_FIELDS = [*_PERIOD_FIELDS, *_REGISTRATION_FIELDS]
assert _PERIOD_NAMES[0] == "id"  # noqa: S101 - the rows' first column is the period's id
_END, _DUE = _PERIOD_NAMES.index("period_end"), _PERIOD_NAMES.index("due_date")
_TAX_TYPE = len(_PERIOD_FIELDS) + _REGISTRATION_NAMES.index("tax_type_id")


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
