"""Reads for filing pages. Each takes the acting context (tsc/accounts/acting.py) and puts the
taxpayer scope and the rights into its query; the `*_for` loaders answer 404 to outsiders and
403 to insiders without the right (tsc.accounts.access.load)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from tsc.accounts.access import load
from tsc.accounts.acting import Acting
from tsc.accounts.models import Login
from tsc.accounts.rights import Action, tax_type_ids_with
from tsc.taxpayers.models import FilingPeriod, TaxType
from tsc.taxpayers.periods import periods_between, return_frequency

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
    filed = TaxReturn.objects.filter(period=OuterRef("pk"), status=ReturnStatus.FILED)
    draft = TaxReturn.objects.filter(period=OuterRef("pk"), status=ReturnStatus.DRAFT)
    by_id = {t.pk: t for t in tax_types}
    periods = (
        FilingPeriod.objects.filter(
            registration__business_id=ctx.taxpayer_id,
            registration__tax_type_id__in=[t for t in tax_type_ids_with(ctx, Action.PREPARE_RETURN) if t in by_id],
        )
        .annotate(has_filed=Exists(filed), has_draft=Exists(draft))
        .filter(Q(period_end__gte=since) | Q(has_filed=False))
        .order_by("-period_end")
        .values_list(
            "pk",
            "period_start",
            "period_end",
            "due_date",
            "registration__tax_type_id",
            "registration__start_date",
            "registration__end_date",
            "registration__filing_frequency",
            "has_filed",
            "has_draft",
        )
    )
    rows: dict[int, list[PeriodRow]] = {t.pk: [] for t in tax_types}
    registrations = {}
    for pk, start, end, due, tax_type_id, *registration, has_filed, has_draft in periods:
        registrations.setdefault(tax_type_id, (*registration, end))  # the newest period comes first
        status = "filed" if has_filed else "draft" if has_draft else "not filed"
        overdue = status != "filed" and due < today
        rows[tax_type_id].append(PeriodRow(pk, start, end, due, by_id[tax_type_id], status, overdue))
    incomplete = [t for t in tax_types if not _periods_current(t, registrations.get(t.pk), today)]
    return FilingPeriods(rows, incomplete)


def _periods_current(tax_type: TaxType, registration, today: date) -> bool:
    """Is the latest period ended by `today` there (`taxpayers.services.filing_periods_current`)?"""
    if registration is None:
        return False
    start_date, end_date, filing_frequency, latest_end = registration
    frequency = return_frequency(tax_type.code, filing_frequency)
    ends = [end for start, end in periods_between(start_date, today, frequency) if not end_date or start <= end_date]
    return not ends or latest_end >= ends[-1]


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


# What View Return History shows of each return (tsc/filing/tables.py): not the lines and data.
HISTORY_COLUMNS = ("pk", "confirmation_number", "amends_id", "form", "period_end", "filed_on", "filer", "amount_due")


def return_history(ctx: Acting, tax_type: TaxType, *, by: str, start: date, end: date) -> QuerySet[dict]:
    """Filed returns the context may read, by period end or by filing date, newest first, as
    the columns the page shows (HISTORY_COLUMNS). By period end, the periods are the business's
    own (its registration's index), not a range over every period of the state. The period end
    and the filer shown are subqueries, so that counting the rows joins nothing and only the rows
    of the page look them up (issue 13)."""
    returns = TaxReturn.objects.filter(
        _returns_visible(ctx), business_id=ctx.taxpayer_id, tax_type=tax_type, status=ReturnStatus.FILED
    )
    if by == "period_end":
        periods = FilingPeriod.objects.filter(
            registration__business_id=ctx.taxpayer_id, registration__tax_type=tax_type, period_end__range=(start, end)
        )
        returns = returns.filter(period__in=periods)
    else:
        returns = returns.filter(filed_on__range=(start, end))
    return (
        returns.annotate(
            period_end=Subquery(FilingPeriod.objects.filter(pk=OuterRef("period_id")).order_by().values("period_end")),
            filer=Subquery(Login.objects.filter(pk=OuterRef("filed_by_id")).order_by().values("user_id")),
        )
        .order_by("-period__period_end", "-filed_at", "-pk")
        .values(*HISTORY_COLUMNS)
    )


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
