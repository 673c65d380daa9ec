"""Reads for filing pages. Each takes the acting context (tsc/accounts/acting.py) and puts the
taxpayer scope and the rights into its query; the `*_for` loaders answer 404 to outsiders and
403 to insiders without the right (tsc.accounts.access.load)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet

from tsc.accounts.access import load
from tsc.accounts.acting import Acting
from tsc.accounts.rights import Action, tax_type_ids_with
from tsc.taxpayers.models import FilingPeriod, Registration, TaxType
from tsc.taxpayers.periods import periods_between, return_frequency

from .models import ReturnStatus, TaxReturn, Upload


@dataclass(frozen=True)
class PeriodRow:
    period: FilingPeriod
    tax_type: TaxType
    status: str  # "not filed" | "draft" | "filed"
    overdue: bool


def registrations_to_prepare(ctx: Acting, tax_types: list[TaxType], *, today: date) -> list[TaxType]:
    """The tax types whose periods ended by `today` are not all there yet, or that have no
    registration while every business is offered them (Withholding Non-Wage): File Returns
    has `services.registration_for_filing` make them. One read for every tax type (issue 13);
    as `filing_periods_current` has it, the periods are made all at once, so the latest one
    tells."""
    registrations = {
        r.tax_type_id: r
        for r in Registration.objects.filter(business_id=ctx.taxpayer_id, tax_type__in=tax_types).annotate(
            latest_end=Max("periods__period_end")
        )
    }
    missing = []
    for tax_type in tax_types:
        registration = registrations.get(tax_type.pk)
        if registration is None:
            if tax_type.offered_to_all_businesses:
                missing.append(tax_type)
            continue
        frequency = return_frequency(tax_type.code, registration.filing_frequency)
        ends = [
            end
            for start, end in periods_between(registration.start_date, today, frequency)
            if registration.end_date is None or start <= registration.end_date
        ]
        if ends and (registration.latest_end is None or registration.latest_end < ends[-1]):
            missing.append(tax_type)
    return missing


def filing_periods(ctx: Acting, tax_types: list[TaxType], *, since: date, today: date) -> dict[int, list[PeriodRow]]:
    """By tax type id: the periods ended since `since`, newest first, with their filing status.
    Unfiled periods older than that are listed too: they still need a return. One query for
    every tax type the context may prepare returns of."""
    filed = TaxReturn.objects.filter(period=OuterRef("pk"), status=ReturnStatus.FILED)
    draft = TaxReturn.objects.filter(period=OuterRef("pk"), status=ReturnStatus.DRAFT)
    by_id = {t.pk: t for t in tax_types}
    periods = (
        FilingPeriod.objects.filter(
            registration__business_id=ctx.taxpayer_id,
            registration__tax_type_id__in=[t for t in tax_type_ids_with(ctx, Action.PREPARE_RETURN) if t in by_id],
        )
        .annotate(has_filed=Exists(filed), has_draft=Exists(draft), tax_type_id=F("registration__tax_type_id"))
        .filter(Q(period_end__gte=since) | Q(has_filed=False))
        .order_by("-period_end")
    )
    rows: dict[int, list[PeriodRow]] = {t.pk: [] for t in tax_types}
    for period in periods:
        status = "filed" if period.has_filed else "draft" if period.has_draft else "not filed"
        rows[period.tax_type_id].append(
            PeriodRow(period, by_id[period.tax_type_id], status, overdue=status != "filed" and period.due_date < today)
        )
    return rows


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
HISTORY_COLUMNS = (
    "pk",
    "confirmation_number",
    "amends_id",
    "form",
    "period__period_end",
    "filed_on",
    "filed_by__user_id",
    "amount_due",
)


def return_history(ctx: Acting, tax_type: TaxType, *, by: str, start: date, end: date) -> QuerySet[dict]:
    """Filed returns the context may read, by period end or by filing date, newest first, as
    the columns the page shows (HISTORY_COLUMNS). By period end, the periods are the business's
    own (its registration's index), not a range over every period of the state (issue 13)."""
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
    return returns.order_by("-period__period_end", "-filed_at", "-pk").values(*HISTORY_COLUMNS)


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
