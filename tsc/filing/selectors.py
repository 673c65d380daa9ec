"""Reads for filing pages. Each takes the acting context (tsc/accounts/acting.py) and puts the
taxpayer scope and the rights into its query; the `*_for` loaders answer 404 to outsiders and
403 to insiders without the right (tsc.accounts.access.load)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from django.db.models import Q, QuerySet

from tsc.accounts.access import load
from tsc.accounts.acting import Acting
from tsc.accounts.models import Login
from tsc.accounts.rights import Action, tax_type_ids_with
from tsc.lib import sql
from tsc.taxpayers.models import FilingPeriod, Registration, TaxType
from tsc.taxpayers.periods import last_period_end, return_frequency

from .models import ReturnStatus, TaxReturn, Upload


@dataclass(frozen=True)
class PeriodRow:
    """A period of File Returns with its filing status."""

    pk: int
    period_start: date
    period_end: date
    due_date: date
    tax_type: TaxType
    status: str  # "not filed" | "draft" | "filed"
    overdue: bool


@dataclass(frozen=True)
class FilingPeriods:
    rows: dict[int, list[PeriodRow]]  # by tax type id, newest first
    incomplete: list[TaxType]  # no registration yet, or the latest periods not made yet


def filing_periods(ctx: Acting, tax_types: list[TaxType], *, since: date, today: date) -> FilingPeriods:
    """The periods of the tax types the context may prepare returns of that ended since `since`,
    with their filing status; unfiled periods older than that are listed too: they still need a
    return. One query for every tax type (issue 13). It also tells which tax types File Returns
    must have `services.registration_for_filing` prepare first: as `filing_periods_current` has
    it, the periods are made all at once, so the latest one tells; a tax type without a row here
    is left to the service to decide."""
    by_id = {t.pk: t for t in tax_types}
    allowed = [t for t in tax_type_ids_with(ctx, Action.PREPARE_RETURN) if t in by_id]
    rows: dict[int, list[PeriodRow]] = {t.pk: [] for t in tax_types}
    periods = []
    if allowed:
        periods = sql.fetch(
            FilingPeriod, _filing_periods_sql(len(allowed)), [ctx.taxpayer_id, *allowed, since], _PERIOD_FIELDS
        )
    registrations = {}
    for pk, start, end, due, tax_type_id, *registration, has_filed, has_draft in periods:
        registrations.setdefault(tax_type_id, (*registration, end))  # the newest period comes first
        status = "filed" if has_filed else "draft" if has_draft else "not filed"
        overdue = status != "filed" and due < today
        rows[tax_type_id].append(PeriodRow(pk, start, end, due, by_id[tax_type_id], status, overdue))
    incomplete = [t for t in tax_types if not _periods_current(t, registrations.get(t.pk), today)]
    return FilingPeriods(rows, incomplete)


_PERIOD_FIELDS = [
    sql.field(FilingPeriod, "id"),
    sql.field(FilingPeriod, "period_start"),
    sql.field(FilingPeriod, "period_end"),
    sql.field(FilingPeriod, "due_date"),
    sql.field(Registration, "tax_type"),
    sql.field(Registration, "start_date"),
    sql.field(Registration, "end_date"),
    sql.field(Registration, "filing_frequency"),
]


@cache
def _filing_periods_sql(tax_types: int) -> str:
    """`filing_periods`'s query: each period of the business on the tax types given that ended on
    or after the date given or has no filed return, newest first, with its registration and
    whether a filed or a draft return is there."""
    p, r, t = sql.table(FilingPeriod), sql.table(Registration), sql.table(TaxReturn)
    filed = f'EXISTS (SELECT 1 FROM {t} x WHERE x."period_id" = p."id" AND x."status" = \'{ReturnStatus.FILED}\')'  # noqa: S608
    draft = f'EXISTS (SELECT 1 FROM {t} x WHERE x."period_id" = p."id" AND x."status" = \'{ReturnStatus.DRAFT}\')'  # noqa: S608
    return (
        'SELECT p."id", p."period_start", p."period_end", p."due_date", r."tax_type_id", r."start_date", '  # noqa: S608
        f'r."end_date", r."filing_frequency", {filed}, {draft} '
        f'FROM {p} p INNER JOIN {r} r ON p."registration_id" = r."id" '
        f'WHERE r."business_id" = %s AND r."tax_type_id" IN {sql.placeholders(tax_types)} '
        f'AND (p."period_end" >= %s OR NOT {filed}) ORDER BY p."period_end" DESC'
    )


def _periods_current(tax_type: TaxType, registration, today: date) -> bool:
    """Is the latest period ended by `today` there (`taxpayers.services.filing_periods_current`)?"""
    if registration is None:
        return False
    start_date, end_date, filing_frequency, latest_end = registration
    last = last_period_end(start_date, today, return_frequency(tax_type.code, filing_frequency), end_date)
    return last is None or latest_end >= last


def period_for(ctx: Acting, period_id: int, *actions: Action) -> FilingPeriod:
    """A filing period of the taxpayer acted for, on whose tax type the context holds one of
    `actions`."""
    period = (
        FilingPeriod.objects.select_related("registration__tax_type", "registration__business")
        .filter(pk=period_id)
        .first()
    )
    business_id = period.registration.business_id if period else None
    tax_type = period.registration.tax_type if period else None
    return load(ctx, period, business_id=business_id, tax_type=tax_type, actions=actions)


def _returns_visible(ctx: Acting) -> Q:
    """Returns the context may read: every return of a tax type it holds View on, and the ones
    its own login filed on a tax type it files (a File Only user's confirmations, nothing else)."""
    mine = Q(filed_by=ctx.login) if ctx.login is not None else Q(pk__in=[])
    return Q(tax_type_id__in=tax_type_ids_with(ctx, Action.VIEW_RETURNS)) | (
        mine & Q(tax_type_id__in=tax_type_ids_with(ctx, Action.SUBMIT_RETURN))
    )


def may_read_return(ctx: Acting, tax_return: TaxReturn) -> bool:
    """View on its tax type, or filed by the acting login itself on a tax type it files."""
    if not ctx.owns(tax_return.business_id):
        return False
    if tax_return.tax_type_id in tax_type_ids_with(ctx, Action.VIEW_RETURNS):
        return True
    return (
        ctx.login is not None
        and tax_return.filed_by_id == ctx.login.pk
        and tax_return.tax_type_id in tax_type_ids_with(ctx, Action.SUBMIT_RETURN)
    )


def return_for(ctx: Acting, return_id: int) -> TaxReturn:
    """One return, for a context that may read it (`may_read_return`)."""
    tax_return = (
        TaxReturn.objects.select_related("period", "tax_type", "business", "filed_by", "amends")
        .filter(pk=return_id, status__in=[ReturnStatus.DRAFT, ReturnStatus.FILED])  # not a file being checked
        .first()
    )
    business_id = tax_return.business_id if tax_return else None
    readable = tax_return is not None and may_read_return(ctx, tax_return)
    return load(ctx, tax_return, business_id=business_id, tax_type=None, actions=(), mine=readable)


def return_history(ctx: Acting, tax_type: TaxType, *, by: str, start: date, end: date) -> sql.KeyedList:
    """Filed returns the context may read (`may_read_return`), by period end or by filing date,
    newest first (period end, then filing time), as the columns View Return History shows
    (tsc/filing/tables.py; not the lines and data), for `paging.page_of_groups`."""
    empty = False
    where = ['x."business_id" = %s', 'x."tax_type_id" = %s', 'x."status" = %s']
    params = [ctx.taxpayer_id, tax_type.pk, ReturnStatus.FILED]
    # `may_read_return`, decided once for the one tax type listed: every return with View on it,
    # only the login's own filings with File alone, nothing otherwise.
    if tax_type.pk not in tax_type_ids_with(ctx, Action.VIEW_RETURNS):
        empty = ctx.login is None or tax_type.pk not in tax_type_ids_with(ctx, Action.SUBMIT_RETURN)
        where.append('x."filed_by_id" = %s')
        params.append(ctx.login.pk if ctx.login is not None else None)
    if by == "period_end":  # the business's own periods (its registration's index)
        where.append(
            f'p."registration_id" IN (SELECT r."id" FROM {sql.table(Registration)} r '  # noqa: S608
            'WHERE r."business_id" = %s AND r."tax_type_id" = %s) AND p."period_end" BETWEEN %s AND %s'
        )
        params += [ctx.taxpayer_id, tax_type.pk, start, end]
    else:
        where.append('x."filed_on" BETWEEN %s AND %s')
        params += [start, end]
    return sql.KeyedList(
        TaxReturn,
        source=(
            f'FROM {sql.table(TaxReturn)} x INNER JOIN {sql.table(FilingPeriod)} p ON x."period_id" = p."id" '
            f"WHERE {' AND '.join(where)}"
        ),
        params=params,
        key='p."period_end"',
        key_field=sql.field(FilingPeriod, "period_end"),
        columns=_HISTORY_COLUMNS,
        then='x."filed_at" DESC, x."id" DESC',
        empty=empty,
    )


_HISTORY_COLUMNS = [
    ('x."id"', "pk", sql.field(TaxReturn, "id")),
    ('x."confirmation_number"', "confirmation_number", sql.field(TaxReturn, "confirmation_number")),
    ('x."amends_id"', "amends_id", sql.field(TaxReturn, "amends")),
    ('x."form"', "form", sql.field(TaxReturn, "form")),
    ('p."period_end"', "period_end", sql.field(FilingPeriod, "period_end")),
    ('x."filed_on"', "filed_on", sql.field(TaxReturn, "filed_on")),
    (
        f'(SELECT l."user_id" FROM {sql.table(Login)} l WHERE l."id" = x."filed_by_id")',  # noqa: S608
        "filer",
        sql.field(Login, "user_id"),
    ),
    ('x."amount_due"', "amount_due", sql.field(TaxReturn, "amount_due")),
]
HISTORY_COLUMNS = tuple(name for _, name, _ in _HISTORY_COLUMNS)


def prior_quarter_credit(period: FilingPeriod) -> Decimal:
    """CT-941 line 4: the credit (line 8) of the return filed for the quarter just before this
    one, the latest amendment winning; zero when that quarter is not filed."""
    latest = (
        TaxReturn.objects.filter(
            period__registration_id=period.registration_id,
            period__period_end=period.period_start - timedelta(days=1),
            status=ReturnStatus.FILED,
        )
        .order_by("-filed_at", "-pk")
        .values_list("credit", flat=True)
        .first()
    )
    return latest if latest is not None else Decimal("0.00")


def _uploads_visible(ctx: Acting) -> Q:
    """Uploads are part of filing: a login that files Withholding Non-Wage sees its own files,
    and every file of the taxpayer if it may also view returns."""
    filing = tax_type_ids_with(ctx, Action.SUBMIT_RETURN)
    viewing = set(filing) & set(tax_type_ids_with(ctx, Action.VIEW_RETURNS))
    mine = Q(uploaded_by=ctx.login) if ctx.login is not None else Q(pk__in=[])
    return Q(period__registration__tax_type_id__in=viewing) | (mine & Q(period__registration__tax_type_id__in=filing))


def upload_for(ctx: Acting, token) -> Upload:
    found = Upload.objects.select_related("period__registration__tax_type", "tax_return").filter(token=token).first()
    if found is None:
        return load(ctx, None, business_id=None, tax_type=None, actions=())
    visible = Upload.objects.filter(_uploads_visible(ctx), pk=found.pk).exists()
    return load(ctx, found, business_id=found.business_id, tax_type=None, actions=(), mine=visible)


def uploads_for(ctx: Acting, period: FilingPeriod | None = None) -> QuerySet[Upload]:
    """Your uploads, newest first: the taxpayer's 1099/W-2G files the context may see."""
    uploads = Upload.objects.filter(_uploads_visible(ctx), business_id=ctx.taxpayer_id).select_related(
        "period", "tax_return"
    )
    if period is not None:
        uploads = uploads.filter(period=period)
    return uploads.order_by("-created_at", "-pk")
