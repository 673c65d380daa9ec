"""Reads for the payment pages: scoped to the taxpayer acted for and to the tax types the
context may see, in the query itself."""

from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery

from tsc.accounts import rights
from tsc.accounts.access import load
from tsc.accounts.acting import Acting
from tsc.accounts.rights import Action, tax_type_ids_with
from tsc.taxpayers.models import FilingPeriod, TaxType
from tsc.taxpayers.selectors import business_tax_types

from .models import BankAccount, Payment, PaymentStatus

# Which right each list needs (seed: View Only "view returns, payments, and cancelled payments").
LIST_RIGHT = {
    PaymentStatus.SCHEDULED: Action.VIEW_PAYMENTS,
    PaymentStatus.PROCESSED: Action.VIEW_PAYMENTS,
    PaymentStatus.CANCELLED: Action.VIEW_CANCELLED_PAYMENTS,
}


def tax_types_with(ctx: Acting, action: Action) -> list[TaxType]:
    return rights.tax_types_with(ctx, action)


# What the payment lists show of each payment (tsc/payments/tables.py).
LIST_COLUMNS = (
    "pk",
    "confirmation_number",
    "tax_type_name",
    "period_end",
    "requested_date",
    "made_on",
    "status",
    "return_reason",
    "amount",
)


def payments_for(
    ctx: Acting,
    statuses: tuple[str, ...],
    *,
    tax_type: TaxType | None,
    by: str,
    start: date,
    end: date,
) -> QuerySet[dict]:
    """One list (scheduled, processed — returned ones with them — or cancelled), by period end or
    by the date made, newest first, as the columns the page shows (LIST_COLUMNS). By period end,
    the periods are the business's own (its registrations' index), not a range over every period
    of the state. The tax type and period end shown are subqueries, so that counting the rows
    joins nothing and only the rows of the page look them up (issue 13)."""
    right = LIST_RIGHT[statuses[0]]
    payments = Payment.objects.filter(
        business_id=ctx.taxpayer_id, status__in=statuses, tax_type_id__in=tax_type_ids_with(ctx, right)
    )
    if tax_type is not None:
        payments = payments.filter(tax_type=tax_type)
    if by == "period_end":
        periods = FilingPeriod.objects.filter(registration__business_id=ctx.taxpayer_id, period_end__range=(start, end))
        payments = payments.filter(period__in=periods)
    else:
        payments = payments.filter(made_on__range=(start, end))
    return (
        payments.annotate(
            tax_type_name=Subquery(TaxType.objects.filter(pk=OuterRef("tax_type_id")).order_by().values("name")),
            period_end=Subquery(FilingPeriod.objects.filter(pk=OuterRef("period_id")).order_by().values("period_end")),
        )
        .order_by("-requested_date", "-created_at", "-pk")
        .values(*LIST_COLUMNS)
    )


def payment_for(ctx: Acting, payment_id: int, *actions: Action) -> Payment:
    payment = Payment.objects.select_related("tax_type", "period", "tax_return", "batch").filter(pk=payment_id).first()
    return load(
        ctx,
        payment,
        business_id=payment.business_id if payment else None,
        tax_type=payment.tax_type if payment else None,
        actions=actions,
    )


def bank_accounts(ctx: Acting) -> list[tuple[TaxType, BankAccount | None]]:
    """Banking information on file, by tax type (every tax type of the business)."""
    on_file = {b.tax_type_id: b for b in BankAccount.objects.filter(business_id=ctx.taxpayer_id)}
    return [(t, on_file.get(t.pk)) for t in business_tax_types(ctx.taxpayer_id)]


def bank_account_on_file(ctx: Acting, tax_type: TaxType) -> BankAccount | None:
    return BankAccount.objects.filter(business_id=ctx.taxpayer_id, tax_type=tax_type).first()


def payable_periods(ctx: Acting, *, since: date) -> list[tuple[TaxType, list[FilingPeriod]]]:
    """The periods a payment can be made for, by tax type the context may pay: every period
    that ended since `since`, and the current ones, newest first."""
    allowed = set(tax_type_ids_with(ctx, Action.MAKE_PAYMENT))
    periods = (
        FilingPeriod.objects.filter(
            registration__business_id=ctx.taxpayer_id,
            registration__tax_type_id__in=allowed,
            period_end__gte=since,
        )
        .select_related("registration__tax_type")
        .order_by("registration__tax_type__sort_order", "-period_end")
    )
    grouped: dict[int, tuple[TaxType, list[FilingPeriod]]] = {}
    for period in periods:
        tax_type = period.registration.tax_type
        grouped.setdefault(tax_type.pk, (tax_type, []))[1].append(period)
    return list(grouped.values())
