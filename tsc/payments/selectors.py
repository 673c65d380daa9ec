"""Reads for the payment pages: scoped to the taxpayer acted for and to the tax types the
context may see, in the query itself."""

from datetime import date

from tsc.accounts import rights
from tsc.accounts.access import load
from tsc.accounts.acting import Acting
from tsc.accounts.rights import Action, tax_type_ids_with
from tsc.lib import sql
from tsc.taxpayers.models import FilingPeriod, Registration, TaxType
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


def payments_for(
    ctx: Acting,
    statuses: tuple[str, ...],
    *,
    tax_type: TaxType | None,
    by: str,
    start: date,
    end: date,
) -> sql.KeyedList:
    """One list (scheduled, processed — returned ones with them — or cancelled) of the tax types
    the context may see it on, by period end or by the date made, newest first (requested date,
    then when made), as the columns the page shows (LIST_COLUMNS), for `paging.page_of_groups`."""
    allowed = tax_type_ids_with(ctx, LIST_RIGHT[statuses[0]])
    if tax_type is not None:
        allowed = [t for t in allowed if t == tax_type.pk]
    where = [
        'x."business_id" = %s',
        f'x."status" IN {sql.placeholders(len(statuses))}',
        f'x."tax_type_id" IN {sql.placeholders(len(allowed))}',
    ]
    params = [ctx.taxpayer_id, *statuses, *allowed]
    # Counted through the list's index, period by period; a page's few rows read with their
    # period joined (its end is a column of the list): a look-up per row cost more (issue 13).
    joined = f'INNER JOIN {sql.table(FilingPeriod)} p ON p."id" = x."period_id"'
    if by == "period_end":  # the business's own periods, one by one (the list's index)
        counted = (
            f'x."period_id" IN (SELECT p."id" FROM {sql.table(FilingPeriod)} p '  # noqa: S608 - names from the models
            f'INNER JOIN {sql.table(Registration)} r ON p."registration_id" = r."id" '
            'WHERE r."business_id" = %s AND p."period_end" BETWEEN %s AND %s)'
        )
        joined += f' INNER JOIN {sql.table(Registration)} r ON p."registration_id" = r."id"'
        read = 'r."business_id" = %s AND p."period_end" BETWEEN %s AND %s'
        params += [ctx.taxpayer_id, start, end]
    else:
        counted = read = 'x."made_on" BETWEEN %s AND %s'
        params += [start, end]
    return sql.KeyedList(
        Payment,
        source=f"FROM {sql.table(Payment)} x WHERE {' AND '.join([*where, counted])}",  # noqa: S608 - names from the models
        rows_source=f"FROM {sql.table(Payment)} x {joined} WHERE {' AND '.join([*where, read])}",  # noqa: S608
        params=params,
        key='x."requested_date"',
        key_field=sql.field(Payment, "requested_date"),
        columns=_LIST_COLUMNS,
        then='x."created_at" DESC, x."id" DESC',
        empty=not allowed,
    )


_LIST_COLUMNS = [
    ('x."id"', "pk", sql.field(Payment, "id")),
    ('x."confirmation_number"', "confirmation_number", sql.field(Payment, "confirmation_number")),
    (
        f'(SELECT t."name" FROM {sql.table(TaxType)} t WHERE t."id" = x."tax_type_id")',  # noqa: S608
        "tax_type_name",
        sql.field(TaxType, "name"),
    ),
    ('p."period_end"', "period_end", sql.field(FilingPeriod, "period_end")),
    ('x."requested_date"', "requested_date", sql.field(Payment, "requested_date")),
    ('x."made_on"', "made_on", sql.field(Payment, "made_on")),
    ('x."status"', "status", sql.field(Payment, "status")),
    ('x."return_reason"', "return_reason", sql.field(Payment, "return_reason")),
    ('x."amount"', "amount", sql.field(Payment, "amount")),
]
# What the payment lists show of each payment (tsc/payments/tables.py).
LIST_COLUMNS = tuple(name for _, name, _ in _LIST_COLUMNS)


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
