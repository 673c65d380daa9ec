"""View Account Period Details, a period's account line by line, penalty waiver requests and
refund status. Thin views: the acting context, a loader or a form, one service or selector."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from tsc.accounts.access import requires
from tsc.accounts.forms import add_service_error
from tsc.accounts.rights import Action, may, tax_type_ids_with
from tsc.filing import selectors as filing_selectors
from tsc.lib.errors import ServiceError
from tsc.payments import selectors as payment_selectors
from tsc.payments.services import earliest_payment_date

from . import account, services, tables
from .forms import AccountSearchForm, WaiverRequestForm, default_range
from .models import LedgerEntry, PenaltyWaiver, Refund, RefundStatus

REFUND_EXPLANATIONS = {
    RefundStatus.PROCESSED: (
        "Your return has been processed and your refund will be issued in a few days. If you requested "
        "Direct Deposit you must allow 2-3 business days before the refund reflects in your bank account. "
        "Please check your bank statement or call your bank after 2-3 business days from processed date. "
        "(Direct Deposit refunds are not immediately reflected in your account)"
    ),
    RefundStatus.UNDELIVERABLE: (
        "Your refund was processed by DRS but was undeliverable because of a problem with your mailing address "
        "in our records. Please contact the Customer Service Center between 8:30 am and 4:30 pm Monday through "
        "Friday by calling 860-297-5962."
    ),
    RefundStatus.MODIFIED: (
        "The amount of your refund has been modified for one of the following reasons: a mathematical error was "
        "corrected, it was applied to an existing tax bill or it was offset to pay an outstanding liability to "
        "the Internal Revenue Service or another Connecticut State Agency. After processing your return it was "
        "determined that additional information is needed for the Earned Income Tax Credit you are claiming. You "
        "will receive written notification within 10 days of your return being processed explaining the reason "
        "for modification."
    ),
    RefundStatus.UNDER_REVIEW: (
        "Your return is currently being reviewed. If your return was electronically filed more than ten days ago "
        "be sure to check the Department has not sent you correspondence asking for additional information we "
        "need from you. (i.e. EITC additional info letter, Refund Protection Notice). These require you to send "
        "or follow the instructions on the notice before we can further process your return."
    ),
}


def _pay_link(row: account.PeriodAccount, paid_by, earliest) -> str:
    """Make Payments, prefilled with the period, the balance and the date it is paid. A payment
    cannot be dated before the earliest payment date (today's batch may have gone): the balance
    is then worked out to that date instead."""
    pay_on, balance = paid_by, row.statement.balance_due
    if paid_by < earliest:
        pay_on, balance = earliest, row.statement_on(earliest).balance_due
    query = {"period": row.period.pk, "amount": f"{balance:.2f}", "date": f"{pay_on:%m/%d/%Y}"}
    return reverse("payments:make") + "?" + urlencode(query)


@requires(Action.VIEW_ACCOUNT)
def account_details(request):
    ctx = request.acting
    today = timezone.localdate()
    tax_types = payment_selectors.tax_types_with(ctx, Action.VIEW_ACCOUNT)
    data = request.GET or {
        "tax_type": "all",
        "search_by": "period_end",
        "start": f"{default_range(today)['start']:%m/%d/%Y}",
        "end": f"{today:%m/%d/%Y}",
    }
    form = AccountSearchForm(data, tax_types=tax_types, today=today)
    rows, table, paid_by = None, "", today
    if form.is_valid():
        paid_by = form.cleaned_data["paid_by"] or today
        found = account.account_periods(
            ctx,
            tax_type=form.tax_type_obj(),
            by=form.cleaned_data["search_by"],
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            as_of=paid_by,
        )
        if form.cleaned_data["bills_only"]:
            found = [r for r in found if r.statement.balance_due > 0]
        earliest = earliest_payment_date() if any(r.statement.balance_due for r in found) else None
        payable = set(tax_type_ids_with(ctx, Action.MAKE_PAYMENT))
        rows = [
            {
                "row": r,
                "may_pay": r.payable_online and r.period.registration.tax_type_id in payable,
                "pay_link": _pay_link(r, paid_by, earliest) if r.statement.balance_due else "",
            }
            for r in found
        ]
        table = tables.account_rows(rows)
    return render(
        request,
        "ledger/account.html",
        {
            "form": form,
            "rows": rows,
            "table": table,
            "paid_by": paid_by,
            "today": today,
            "current_as_of": timezone.localtime(),
            "owed": rows and any(r["row"].statement.balance_due > 0 for r in rows),
            "pre_2003": rows and any(not r["row"].payable_online and r["row"].statement.balance_due for r in rows),
        },
    )


@requires(Action.VIEW_ACCOUNT)
def period_account(request, period_id: int):
    ctx = request.acting
    period = filing_selectors.period_for(ctx, period_id, Action.VIEW_ACCOUNT)
    today = timezone.localdate()
    tax_type = period.registration.tax_type
    row = account.period_account(period, as_of=today)
    s = row.statement
    return render(
        request,
        "ledger/period.html",
        {
            "period": period,
            "tax_type": tax_type,
            "s": s,
            "entries": LedgerEntry.objects.filter(period=period).order_by("effective_date", "pk"),
            "waivers": PenaltyWaiver.objects.filter(period=period),
            "refunds": [(r, REFUND_EXPLANATIONS[r.status]) for r in Refund.objects.filter(period=period)],
            "may_pay": row.payable_online and may(ctx, Action.MAKE_PAYMENT, tax_type=tax_type),
            "pay_link": _pay_link(row, today, earliest_payment_date()) if s.balance_due else "",
            "may_waive": may(ctx, Action.REQUEST_WAIVER, tax_type=tax_type) and s.penalty > 0,
            "payable_online": row.payable_online,
            "today": today,
        },
    )


@requires(Action.REQUEST_WAIVER)
def waiver_request(request, period_id: int):
    ctx = request.acting
    period = filing_selectors.period_for(ctx, period_id, Action.REQUEST_WAIVER)
    today = timezone.localdate()
    s = account.period_statement(period, as_of=today)
    form = WaiverRequestForm(request.POST or None)
    refusal = services.waiver_refusal(period, on=today)
    if request.method == "POST" and form.is_valid():
        try:
            waiver = services.waiver_request(ctx=ctx, period=period, reason=form.cleaned_data["reason"])
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, f"Your penalty waiver request was received. Confirmation number {waiver.confirmation_number}."
            )
            return redirect("ledger:waiver", waiver.pk)
    return render(
        request,
        "ledger/waiver_request.html",
        {"form": form, "period": period, "s": s, "refusal": refusal, "tax_type": period.registration.tax_type},
    )


def _waiver_for(ctx, waiver_id: int) -> PenaltyWaiver:
    from tsc.accounts.access import load

    waiver = PenaltyWaiver.objects.select_related("period__registration", "tax_type").filter(pk=waiver_id).first()
    return load(
        ctx,
        waiver,
        business_id=waiver.business_id if waiver else None,
        tax_type=waiver.tax_type if waiver else None,
        actions=(Action.VIEW_ACCOUNT, Action.REQUEST_WAIVER),
    )


@requires(Action.VIEW_ACCOUNT, Action.REQUEST_WAIVER)
def waiver_detail(request, waiver_id: int):
    waiver = _waiver_for(request.acting, waiver_id)
    return render(request, "ledger/waiver.html", {"waiver": waiver})


@requires(Action.VIEW_ACCOUNT)
def refunds(request):
    ctx = request.acting
    from tsc.accounts.rights import tax_type_ids_with

    found = (
        Refund.objects.filter(
            business_id=ctx.taxpayer_id,
            period__registration__tax_type_id__in=tax_type_ids_with(ctx, Action.VIEW_ACCOUNT),
        )
        .select_related("period__registration__tax_type")
        .order_by("-created_at")[:200]
    )
    return render(
        request,
        "ledger/refunds.html",
        {"refunds": [(r, REFUND_EXPLANATIONS[r.status]) for r in found], "explanations": REFUND_EXPLANATIONS},
    )


NOT_FOUND = (
    "We could not find a refund for that Social Security Number and amount. Check both and enter the exact "
    "amount of the refund shown on your return. If you mailed your return more than twelve weeks ago, please "
    "contact DRS at 860-297-5962."
)


def refund_lookup(request):
    """Public: an individual checks a refund by SSN and the exact amount expected. An unknown SSN
    and a wrong amount get the same answer, and both count against the attempt limits."""
    from tsc.lib import pii
    from tsc.lib.request_context import client_ip
    from tsc.lib.throttle import TOO_MANY_ATTEMPTS, Guard
    from tsc.taxpayers.models import Individual

    from .forms import RefundLookupForm

    form = RefundLookupForm(request.POST or None)
    found, status = None, 200
    if request.method == "POST" and form.is_valid():
        ssn_key = pii.blind_index(form.cleaned_data["ssn"], purpose="ssn")
        guard = Guard("refund", address=client_ip(request), login_key=ssn_key)
        if guard.blocked:
            form.add_error(None, TOO_MANY_ATTEMPTS)
            status = 429
        else:
            found = (
                Refund.objects.filter(
                    individual__in=Individual.objects.filter(ssn_index=ssn_key), amount=form.cleaned_data["amount"]
                )
                .order_by("-created_at")
                .first()
            )
            if found is None:
                guard.failed()
                form.add_error(None, NOT_FOUND)
    return render(
        request,
        "ledger/refund_lookup.html",
        {"form": form, "found": found, "explanation": REFUND_EXPLANATIONS.get(found.status) if found else None},
        status=status,
    )
