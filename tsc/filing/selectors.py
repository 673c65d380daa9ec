"""Reads for filing pages, each limited to one business (and checked by the caller's rights)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet

from tsc.taxpayers.models import Business, FilingPeriod, TaxType

from .models import ReturnStatus, TaxReturn, Upload


@dataclass(frozen=True)
class PeriodRow:
    period: FilingPeriod
    status: str  # "not filed" | "draft" | "filed"
    overdue: bool


def filing_periods(business: Business, tax_type: TaxType, *, since: date, today: date) -> list[PeriodRow]:
    """Periods of one tax type ended since `since`, newest first, with their filing status.
    Unfiled periods older than that are listed too: they still need a return."""
    filed = TaxReturn.objects.filter(period=OuterRef("pk"), status=ReturnStatus.FILED)
    draft = TaxReturn.objects.filter(period=OuterRef("pk"), status=ReturnStatus.DRAFT)
    periods = (
        FilingPeriod.objects.filter(registration__business=business, registration__tax_type=tax_type)
        .annotate(has_filed=Exists(filed), has_draft=Exists(draft))
        .order_by("-period_end")
    )
    rows = []
    for period in periods:
        if period.period_end < since and period.has_filed:
            continue
        status = "filed" if period.has_filed else "draft" if period.has_draft else "not filed"
        rows.append(PeriodRow(period, status, overdue=status != "filed" and period.due_date < today))
    return rows


def business_period(business: Business, period_id: int) -> FilingPeriod | None:
    return (
        FilingPeriod.objects.select_related("registration__tax_type", "registration__business")
        .filter(pk=period_id, registration__business=business)
        .first()
    )


def business_return(business: Business, return_id: int) -> TaxReturn | None:
    return (
        TaxReturn.objects.select_related("period", "tax_type", "business", "filed_by", "amends")
        .filter(pk=return_id, business=business)
        .first()
    )


def return_history(business: Business, tax_type: TaxType, *, by: str, start: date, end: date) -> QuerySet[TaxReturn]:
    """Filed returns by period end or by filing date, newest first, in one query."""
    returns = TaxReturn.objects.filter(business=business, tax_type=tax_type, status=ReturnStatus.FILED)
    if by == "period_end":
        returns = returns.filter(period__period_end__range=(start, end))
    else:
        returns = returns.filter(filed_on__range=(start, end))
    return returns.select_related("period", "tax_type", "filed_by", "amends").order_by(
        "-period__period_end", "-filed_at"
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


def business_upload(business: Business, token) -> Upload | None:
    return (
        Upload.objects.select_related("period__registration__tax_type", "tax_return")
        .filter(token=token, business=business)
        .first()
    )


def business_uploads(business: Business, period: FilingPeriod | None = None) -> QuerySet[Upload]:
    """Your uploads, newest first: one business's 1099/W-2G files (or one period's)."""
    uploads = Upload.objects.filter(business=business).select_related("period", "tax_return")
    if period is not None:
        uploads = uploads.filter(period=period)
    return uploads.order_by("-created_at", "-pk")
