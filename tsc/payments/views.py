"""Make Payments, the payment lists, and Make Changes to the Business Profile. Thin views: the
acting context, a loader or a form, one service call."""

import dataclasses
import json
import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from tsc.accounts.access import requires
from tsc.accounts.forms import add_service_error
from tsc.accounts.rights import Action
from tsc.filing import selectors as filing_selectors
from tsc.filing.forms import three_years_before
from tsc.lib import pii
from tsc.lib.errors import ServiceError
from tsc.lib.paging import page_links, page_of_groups

from . import selectors, services, tables
from .forms import ON_FILE, BankingForm, BusinessContactForm, CloseTaxTypesForm, PaymentForm, PaymentSearchForm
from .models import PaymentStatus


def _initial_from_return(request) -> dict:
    """ "Pay" on a filed return: the period and its amount due, prefilled. "Pay" on a bill (View
    Account Period Details): the period, the balance if paid by a date, and that date."""
    return_id = request.GET.get("return", "")
    if not return_id.isdigit():
        return _initial_from_bill(request)
    tax_return = filing_selectors.return_for(request.acting, int(return_id))
    return {"period": tax_return.period_id, "amount": f"{tax_return.amount_due:,.2f}", "return": tax_return}


def _initial_from_bill(request) -> dict:
    from decimal import Decimal, InvalidOperation

    from django import forms

    from tsc.lib.fields import SlashedDateField

    period_id = request.GET.get("period", "")
    if not period_id.isdigit():
        return {}
    period = filing_selectors.period_for(request.acting, int(period_id), Action.MAKE_PAYMENT)
    initial = {"period": period.pk}
    try:
        initial["amount"] = f"{Decimal(request.GET.get('amount', '')):,.2f}"
    except InvalidOperation:
        pass
    try:
        if requested := SlashedDateField(required=False).clean(request.GET.get("date", "")):
            initial["requested_date"] = requested
    except forms.ValidationError:
        pass
    return initial


@requires(Action.MAKE_PAYMENT)
def make_payment(request):
    ctx = request.acting
    today = services.today()
    periods = selectors.payable_periods(ctx, since=three_years_before(today))
    initial = {"requested_date": services.earliest_payment_date(today), "pay_from": ON_FILE}
    prefill = _initial_from_return(request)
    initial |= {k: v for k, v in prefill.items() if k != "return"}
    form = PaymentForm(_with_bank_token(request.POST) or None, initial=initial, periods=periods)
    context = {
        "form": form,
        "prefill_return": prefill.get("return"),
        "accounts": [(t, a) for t, a in selectors.bank_accounts(ctx) if a is not None],
        "earliest": services.earliest_payment_date(today),
    }
    action = request.POST.get("action")
    if request.method != "POST" or not form.is_valid() or action == "edit":
        return render(request, "payments/make.html", context)
    data = form.cleaned_data
    period = form.period_obj()
    tax_return = None
    if (return_id := request.POST.get("return", "")).isdigit():
        tax_return = filing_selectors.return_for(ctx, int(return_id))
    try:
        if action == "submit":
            payment = services.payment_schedule(
                ctx=ctx,
                period=period,
                amount=data["amount"],
                requested_date=data["requested_date"],
                account=form.one_time_bank(),
                tax_return=tax_return,
                submission_token=services_token(request),
            )
            return redirect(reverse("payments:payment", args=[payment.pk]) + "?made=1")
        # Review: every check the service makes, before anything is saved.
        if problem := services.requested_date_problem(data["requested_date"]):
            raise ServiceError(problem, field="requested_date")
        if problem := services.amount_problem(data["amount"]):
            raise ServiceError(problem, field="amount")
        on_file = selectors.bank_account_on_file(ctx, period.registration.tax_type)
        if form.one_time_bank() is None and on_file is None:
            raise ServiceError(
                f"There is no banking information on file for {period.registration.tax_type.name}. "
                "Choose another bank account for this payment.",
                field="pay_from",
            )
    except ServiceError as error:
        add_service_error(form, error)
        return render(request, "payments/make.html", context)
    one_time = form.one_time_bank()
    return render(
        request,
        "payments/review.html",
        context
        | {
            "period": period,
            "amount": data["amount"],
            "requested_date": data["requested_date"],
            "send_date": services.send_date_for(data["requested_date"]),
            "account_shown": (
                f"{dict(form.fields['account_type'].choices)[one_time.account_type]} account ending "
                f"{one_time.account_number[-4:]} (this payment only)"
                if one_time
                else on_file.account_masked + " (on file)"
            ),
            "tax_return": tax_return,
            "hidden": {
                "period": period.pk,
                "amount": f"{data['amount']:.2f}",
                "requested_date": f"{data['requested_date']:%m/%d/%Y}",
                "pay_from": data["pay_from"],
            },
            "submission_token": uuid.uuid4(),
            # A one-time account goes back with the Submit button encrypted, never in clear.
            "bank_token": pii.encrypt(json.dumps(dataclasses.asdict(one_time))) if one_time else "",
        },
    )


def _with_bank_token(post):
    """The review page returns a one-time account as an encrypted token: put it back in the form."""
    token = post.get("bank_token")
    if not token:
        return post
    try:
        details = json.loads(pii.decrypt(token))
    except (pii.PIIDecryptionError, ValueError):
        return post
    data = post.copy()
    data["routing_number"] = details["routing_number"]
    data["account_number"] = data["account_number2"] = details["account_number"]
    data["account_type"] = details["account_type"]
    return data


def services_token(request) -> uuid.UUID:
    from tsc.filing.services import submission_token_required

    return submission_token_required(request.POST.get("submission_token"))


@requires(Action.VIEW_PAYMENTS, Action.MAKE_PAYMENT)
def payment_detail(request, payment_id: int):
    """The confirmation and printable receipt of one payment."""
    payment = selectors.payment_for(
        request.acting, payment_id, Action.VIEW_PAYMENTS, Action.VIEW_CANCELLED_PAYMENTS, Action.MAKE_PAYMENT
    )
    return render(
        request,
        "payments/detail.html",
        {"payment": payment, "just_made": request.GET.get("made") == "1", "cancelled": request.GET.get("cancelled")},
    )


@requires(Action.CANCEL_PAYMENT)
def payment_cancel(request, payment_id: int):
    payment = selectors.payment_for(request.acting, payment_id, Action.CANCEL_PAYMENT)
    error = ""
    if request.method == "POST":
        try:
            services.payment_cancel(ctx=request.acting, payment_id=payment.pk)
        except ServiceError as exc:
            error = exc.message
            payment.refresh_from_db()
        else:
            return redirect(reverse("payments:payment", args=[payment.pk]) + "?cancelled=1")
    return render(request, "payments/cancel.html", {"payment": payment, "error": error})


LISTS = {
    "scheduled": {
        "statuses": (PaymentStatus.SCHEDULED,),
        "title": "View Scheduled Payments/Credits",
        "right": Action.VIEW_PAYMENTS,
    },
    "processed": {
        "statuses": (PaymentStatus.PROCESSED, PaymentStatus.RETURNED),
        "title": "View Processed Payments/Credits",
        "right": Action.VIEW_PAYMENTS,
    },
    "cancelled": {
        "statuses": (PaymentStatus.CANCELLED,),
        "title": "View Cancelled Payments",
        "right": Action.VIEW_CANCELLED_PAYMENTS,
    },
}


def _payment_list(kind: str):
    spec = LISTS[kind]

    @requires(spec["right"])
    def view(request):
        ctx = request.acting
        today = services.today()
        tax_types = selectors.tax_types_with(ctx, spec["right"])
        form = PaymentSearchForm(request.GET or None, tax_types=tax_types, today=today)
        results = None
        context = {
            "kind": kind,
            "title": spec["title"],
            "form": form,
            "earliest": three_years_before(today),
            "current_as_of": timezone.localtime(),
        }
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            results = page_of_groups(
                request,
                selectors.payments_for(
                    ctx,
                    spec["statuses"],
                    tax_type=form.tax_type_obj(),
                    by=data["search_by"],
                    start=data["start"],
                    end=data["end"],
                ),
            )
            context |= {"rows": tables.payment_rows(results), "links": page_links(request, results)}
        return render(request, "payments/list.html", context | {"results": results})

    view.__name__ = f"{kind}_payments"
    return view


scheduled_payments = _payment_list("scheduled")
processed_payments = _payment_list("processed")
cancelled_payments = _payment_list("cancelled")


# ---- Make Changes to the Business Profile -----------------------------------------------------


@requires(Action.CHANGE_BUSINESS_PROFILE)
def business_profile(request):
    ctx = request.acting
    return render(
        request,
        "payments/business_profile.html",
        {
            "business": ctx.taxpayer,
            "accounts": selectors.bank_accounts(ctx),
            "closed": ctx.taxpayer.registrations.filter(end_date__isnull=False).select_related("tax_type"),
        },
    )


@requires(Action.CHANGE_BUSINESS_PROFILE)
def business_contact(request):
    ctx = request.acting
    business = ctx.taxpayer
    form = BusinessContactForm(
        request.POST or None, initial={f: getattr(business, f) for f in BusinessContactForm.base_fields}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.business_contact_update(ctx=ctx, contact=form.contact())
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "The business profile was updated.")
            return redirect("payments:business_profile")
    return render(request, "payments/business_contact.html", {"form": form})


@requires(Action.CHANGE_BUSINESS_PROFILE)
def banking(request):
    ctx = request.acting
    accounts = selectors.bank_accounts(ctx)
    initial = {}
    if (code := request.GET.get("tax_type", "")) and any(t.code == code for t, _ in accounts):
        initial["tax_type"] = code
    form = BankingForm(request.POST or None, initial=initial, tax_types=[t for t, _ in accounts])
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.bank_account_set(ctx=ctx, tax_types=form.chosen_tax_types(), account=form.bank())
        except ServiceError as error:
            add_service_error(form, error)
        else:
            names = ", ".join(b.tax_type.name for b in saved)
            messages.success(request, f"The banking information was saved for {names}.")
            return redirect("payments:business_profile")
    return render(request, "payments/banking.html", {"form": form, "accounts": accounts})


@requires(Action.CHANGE_BUSINESS_PROFILE)
def close_tax_types(request):
    """Close Business or Tax Types: from a date, no new filing periods for them."""
    ctx = request.acting
    registrations = list(ctx.taxpayer.registrations.select_related("tax_type").order_by("tax_type__sort_order"))
    form = CloseTaxTypesForm(request.POST or None, registrations=registrations)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirm") != "yes":
            return render(
                request,
                "payments/close_confirm.html",
                {"form": form, "tax_types": form.chosen(), "all": len(form.chosen()) == len(registrations)},
            )
        try:
            closed = services.tax_types_close(
                ctx=ctx, tax_types=form.chosen(), closed_on=form.cleaned_data["closed_on"]
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                f"Closed from {form.cleaned_data['closed_on']:%m/%d/%Y}: {', '.join(closed)}. Returns for periods "
                "up to that date are still due.",
            )
            return redirect("payments:business_profile")
    return render(request, "payments/close.html", {"form": form})
