"""File Returns and View Return History. Thin: access check, form, one service call."""

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from tsc.accounts.access import require_may, requires
from tsc.accounts.forms import add_service_error
from tsc.accounts.rights import Action, may, tax_types_with
from tsc.lib.errors import ServiceError
from tsc.lib.paging import page_links, page_of_groups
from tsc.taxpayers.models import TaxType

from . import selectors, services, tables
from .computations import line_changes
from .forms import HistorySearchForm, ReturnEntryForm, three_years_before
from .forms_registry import RETURN_FORMS
from .models import ReturnStatus

NEEDS_ACTION_SHOWN = 12  # the oldest past-due first; the rest are listed under their tax type


@requires(Action.PREPARE_RETURN)
def file_returns(request):
    """What needs action first (due and past due, drafts), then each tax type by year: the current
    and previous years open, older years behind a disclosure."""
    today = services.today()
    ctx = request.acting
    tax_types = tax_types_with(ctx, Action.PREPARE_RETURN)
    found = selectors.filing_periods(ctx, tax_types, since=three_years_before(today), today=today)
    if found.incomplete:  # a period just ended, or Withholding Non-Wage not registered yet
        for tax_type in found.incomplete:
            services.registration_for_filing(business=ctx.taxpayer, tax_type=tax_type)
        found = selectors.filing_periods(ctx, tax_types, since=three_years_before(today), today=today)
    sections = []
    needs_action = []
    for tax_type in tax_types:
        rows = found.rows[tax_type.pk]
        needs_action += [row for row in rows if row.status != "filed" and row.period_end < today]
        years = {}
        for row in rows:
            years.setdefault(row.period_end.year, []).append(row)
        tables_by_year = [
            (year, tables.period_table(group, caption=f"{tax_type.name}: periods ending in {year}"))
            for year, group in years.items()
        ]
        sections.append(
            {
                "tax_type": tax_type,
                "form": RETURN_FORMS[tax_type.code],
                "recent": [(year, table) for year, table in tables_by_year if year >= today.year - 1],
                "older": [(year, table) for year, table in tables_by_year if year < today.year - 1],
            }
        )
    needs_action.sort(key=lambda row: (not row.overdue, row.due_date))
    context = {
        "sections": sections,
        "needs_action": tables.period_table(
            needs_action[:NEEDS_ACTION_SHOWN], caption="Periods that need a return", with_tax_type=True
        )
        if needs_action
        else "",
        "needs_action_more": max(len(needs_action) - NEEDS_ACTION_SHOWN, 0),
    }
    return render(request, "filing/file_returns.html", context)


def _amends(request, period):
    amend_id = request.POST.get("amends") or request.GET.get("amend")
    if not amend_id:
        return None
    if not amend_id.isdigit():
        raise Http404
    # Amending starts from the original's figures: a login that may not read it may not amend it.
    original = selectors.return_for(request.acting, int(amend_id))
    if original.period_id != period.pk or original.status != ReturnStatus.FILED:
        raise Http404
    return original


@requires(Action.PREPARE_RETURN)
def prepare_return(request, period_id: int):
    period = selectors.period_for(request.acting, period_id, Action.PREPARE_RETURN)
    tax_type = period.registration.tax_type
    if tax_type.code == TaxType.WITHHOLDING_NON_WAGE:
        return redirect("filing:nonwage", period_id=period.pk)
    amends = _amends(request, period)
    token = services.submission_token(request.POST.get("submission_token"))
    if request.POST.get("action") == "submit" and token is not None:
        # A second click on Submit (or a retry) lands on the return the first one filed.
        done = period.returns.filter(submission_token=token).first()
        if done is not None:
            return redirect(reverse("filing:return", args=[done.pk]) + "?filed=1")
    original = services.filed_original(period)
    if original and amends is None:
        return render(
            request,
            "filing/already_filed.html",
            {"period": period, "original": original, "can_read": selectors.may_read_return(request.acting, original)},
        )
    return_form = RETURN_FORMS[tax_type.code]
    draft = period.returns.filter(status=ReturnStatus.DRAFT).first()
    initial = (draft.data if draft else {}) if not amends else amends.data
    form = ReturnEntryForm(request.POST or None, initial=initial, return_form=return_form, period=period)
    context = {
        "period": period,
        "form": form,
        "return_form": return_form,
        "amends": amends,
        "draft": draft,
        "carried": return_form.carried(period, amends),
    }
    if request.method != "POST" or not form.is_valid():
        return render(request, "filing/prepare.html", context)
    action = request.POST.get("action")
    if action == "edit":
        return render(request, "filing/prepare.html", context)
    computation = services.compute(period, form.values(), amends=amends)
    try:
        if action == "save":
            services.return_save_draft(actor=request.acting.login, period=period, values=form.values(), amends=amends)
            messages.success(
                request,
                f"Your {return_form.name} for the period ending {period.period_end:%m/%d/%Y} "
                f"was saved as a draft. You can come back to it from File Returns.",
            )
            return redirect("filing:index")
        if action == "submit":
            require_may(request.acting, Action.SUBMIT_RETURN, tax_type=tax_type)
            token = services.submission_token_required(request.POST.get("submission_token"))
            tax_return = services.return_submit(
                actor=request.acting.login, period=period, values=form.values(), submission_token=token, amends=amends
            )
            return redirect(reverse("filing:return", args=[tax_return.pk]) + "?filed=1")
    except ServiceError as error:
        add_service_error(form, error)
        return render(request, "filing/prepare.html", context)
    # Review: show every line as the server computed it, penalty and interest included.
    context |= {"computation": computation, "submission_token": uuid.uuid4(), "today": services.today()}
    if amends is not None:
        context["changes"] = line_changes(amends.lines, [line.as_dict() for line in computation.lines])
    return render(request, "filing/review.html", context)


@requires(Action.VIEW_RETURNS, Action.SUBMIT_RETURN)
def return_detail(request, return_id: int):
    tax_return = selectors.return_for(request.acting, return_id)
    records = tax_return.records.all()[:50] if tax_return.form == "CT-1096" else []
    return render(
        request,
        "filing/return_detail.html",
        {
            "tax_return": tax_return,
            "just_filed": request.GET.get("filed") == "1",
            "records": records,
            "can_amend": tax_return.status == ReturnStatus.FILED
            and may(request.acting, Action.SUBMIT_RETURN, tax_type=tax_return.tax_type),
            "can_pay": tax_return.status == ReturnStatus.FILED
            and tax_return.amount_due > 0
            and may(request.acting, Action.MAKE_PAYMENT, tax_type=tax_return.tax_type),
        },
    )


@requires(Action.VIEW_RETURNS, Action.SUBMIT_RETURN)
def return_pdf(request, return_id: int):
    from .pdf import return_pdf as render_pdf

    tax_return = selectors.return_for(request.acting, return_id)
    if tax_return.status != ReturnStatus.FILED:
        raise Http404
    response = HttpResponse(render_pdf(tax_return), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{tax_return.form}-{tax_return.confirmation_number}.pdf"'
    return response


@requires(Action.VIEW_RETURNS)
def history(request):
    today = services.today()
    tax_types = tax_types_with(request.acting, Action.VIEW_RETURNS)
    form = HistorySearchForm(request.GET or None, tax_types=tax_types, today=today)
    results = None
    context = {"form": form, "earliest": three_years_before(today)}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        results = page_of_groups(
            request,
            selectors.return_history(
                request.acting, form.tax_type_obj(), by=data["search_by"], start=data["start"], end=data["end"]
            ),
        )
        context |= {"rows": tables.history_rows(results), "links": page_links(request, results)}
    return render(request, "filing/history.html", context | {"results": results})
