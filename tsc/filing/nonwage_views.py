"""Withholding Non-Wage: the seed's three filing options for 1099/W-2G with CT-1096.

Nothing is filed without a review: forms entered by hand are reviewed, then submitted; an
uploaded file is checked in the background, then its totals are reviewed and submitted.
"""

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from tsc.accounts.access import require_may, requires
from tsc.accounts.forms import add_service_error
from tsc.accounts.rights import Action
from tsc.lib.errors import ServiceError
from tsc.lib.formats import nonwage_csv
from tsc.lib.formats.records import InformationReturn
from tsc.lib.money import ZERO
from tsc.taxpayers.models import TaxType

from . import selectors, services
from .computations import ct1096
from .models import ReturnStatus, Upload, UploadKind
from .nonwage_forms import AMOUNT_CODE, MAX_MANUAL_RECORDS, TOO_MANY, RecordFormSet, UploadForm, check_record
from .uploads import progress_get, upload_receive

UPLOADS_PER_PAGE = 25


def _nonwage_period(request, period_id):
    period = selectors.period_for(request.acting, period_id, Action.SUBMIT_RETURN)
    if period.registration.tax_type.code != TaxType.WITHHOLDING_NON_WAGE:
        raise Http404
    return period


def _already_filed(request, period):
    original = services.filed_original(period)
    if original is not None:
        return render(
            request,
            "filing/already_filed.html",
            {"period": period, "original": original, "can_read": selectors.may_read_return(request.acting, original)},
        )
    return None


@requires(Action.SUBMIT_RETURN)
def options(request, period_id: int):
    period = _nonwage_period(request, period_id)
    if response := _already_filed(request, period):
        return response
    draft = period.returns.filter(status=ReturnStatus.DRAFT).first()
    return render(
        request,
        "filing/nonwage_options.html",
        {"period": period, "draft": draft, "uploads": selectors.uploads_for(request.acting, period)[:5]},
    )


# ---- Manually enter my 1099/W-2G information (maximum 50) -------------------------------------


_ROW_FIELDS = tuple(RecordFormSet.form.base_fields)


def _typed_rows(data) -> list[dict]:
    try:
        total = min(int(data.get("form-TOTAL_FORMS", "0")), MAX_MANUAL_RECORDS + 1)
    except ValueError:
        total = 0
    return [{name: data.get(f"form-{i}-{name}", "") for name in _ROW_FIELDS} for i in range(total)]


def _draft_rows(draft) -> list[dict]:
    """A draft's forms back in the boxes they were typed in."""
    return [
        {
            "form": r.form,
            "payee_name": r.payee_name,
            "payee_tin": r.payee_tin,
            "tin_type": r.tin_type,
            "payee_address": r.payee_address,
            "payee_city": r.payee_city,
            "payee_state": r.payee_state,
            "payee_zip": r.payee_zip,
            "amount": f"{r.total_paid:.2f}",
            "ct_tax_withheld": f"{r.ct_tax_withheld:.2f}",
        }
        for r in draft.records.all()
    ]


def _record(business, cleaned: dict) -> InformationReturn:
    return InformationReturn(
        form=cleaned["form"],
        payer_tin=business.fein.replace("-", ""),
        payee_tin=cleaned["payee_tin"],
        tin_type=cleaned["tin_type"],
        payee_name=cleaned["payee_name"],
        payee_address=cleaned["payee_address"],
        payee_city=cleaned["payee_city"],
        payee_state=cleaned["payee_state"],
        payee_zip=cleaned["payee_zip"].replace("-", ""),
        amounts=((AMOUNT_CODE[cleaned["form"]], cleaned["amount"]),),
        state_tax_withheld=cleaned["ct_tax_withheld"],
        # Typed here for Connecticut: no combined federal/state code applies.
        state_code="",
    )


@requires(Action.SUBMIT_RETURN)
def manual(request, period_id: int):
    """Enter forms, remove one, save as a draft, review the CT-1096, then submit it."""
    period = _nonwage_period(request, period_id)
    if response := _already_filed(request, period):
        return response
    action = request.POST.get("action", "")
    context = {"period": period, "max": MAX_MANUAL_RECORDS, "notice": ""}
    if request.method != "POST":
        draft = period.returns.filter(status=ReturnStatus.DRAFT, data__source="manual").first()
        rows = _draft_rows(draft) if draft else [{}]
        return _entry(request, context | {"draft": draft}, RecordFormSet(initial=rows))

    data = request.POST.copy()
    data["form-INITIAL_FORMS"] = "0"  # rows beyond the first may be blank: none counts as "initial"
    rows = _typed_rows(data)
    if action == "add":
        if len(rows) >= MAX_MANUAL_RECORDS:
            context["notice"] = TOO_MANY
        else:
            rows.append({})
        return _entry(request, context, RecordFormSet(initial=rows))
    if action.startswith("remove-"):
        index = action.removeprefix("remove-")
        if index.isdigit() and int(index) < len(rows):
            del rows[int(index)]
        return _entry(request, context, RecordFormSet(initial=rows or [{}]))
    if action == "edit":
        return _entry(request, context, RecordFormSet(initial=rows or [{}]))

    formset = RecordFormSet(data)
    if not formset.is_valid():
        return _entry(request, context, formset)
    entered = [(f, _record(request.acting.taxpayer, f.cleaned_data)) for f in formset.forms if f.has_changed()]
    checked = [check_record(form, record) for form, record in entered]
    if not all(checked):
        return _entry(request, context, formset)
    records = [record for _, record in entered]
    try:
        if action == "save":
            services.ct1096_save_draft(actor=request.acting.login, period=period, records=records, source="manual")
            return _saved(request, period)
        if action == "submit":
            tax_return = services.ct1096_file(
                actor=request.acting.login,
                period=period,
                records=records,
                submission_token=services.submission_token_required(request.POST.get("submission_token")),
            )
            return redirect(reverse("filing:return", args=[tax_return.pk]) + "?filed=1")
    except ServiceError as error:
        context["notice"] = error.message
        return _entry(request, context, formset)
    # Review: the CT-1096 as it will be filed, before anything is filed.
    computation = ct1096(
        record_count=len(records),
        total_paid=sum((r.total_paid for r in records), ZERO),
        total_withheld=sum((r.state_tax_withheld for r in records), ZERO),
    )
    return render(
        request,
        "filing/nonwage_review.html",
        context
        | {
            "formset": formset,
            "records": records,
            "computation": computation,
            "submission_token": uuid.uuid4(),
            "late": period.due_date < services.today(),
        },
    )


def _entry(request, context: dict, formset):
    return render(request, "filing/nonwage_manual.html", context | {"formset": formset})


def _saved(request, period):
    messages.success(
        request,
        f"Your CT-1096 for {period.period_end:%Y} was saved as a draft. You can come back to it from File Returns.",
    )
    return redirect("filing:index")


# ---- Uploads ------------------------------------------------------------------------------------


@requires(Action.SUBMIT_RETURN)
def upload(request, period_id: int, kind: str):
    """Upload a file containing 1099/W-2G information (CSV), or one in the standard format."""
    if kind not in UploadKind.values:
        raise Http404
    period = _nonwage_period(request, period_id)
    if response := _already_filed(request, period):
        return response
    form = UploadForm(request.POST or None, request.FILES or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            received = upload_receive(
                actor=request.acting.login, period=period, kind=kind, file=form.cleaned_data["file"]
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            return redirect("filing:upload_status", token=received.token)
    return render(
        request,
        "filing/nonwage_upload.html",
        {"period": period, "form": form, "kind": UploadKind(kind), "csv_columns": nonwage_csv.COLUMNS},
    )


def _upload_or_404(request, token) -> Upload:
    return selectors.upload_for(request.acting, token)


def _progress(found: Upload) -> dict:
    checked = found.records_checked if found.finished else (progress_get(found.token) or 0)
    total = max(found.expected_records, checked)
    return {
        "status": found.status,
        "label": found.get_status_display(),
        "checked": checked,
        "total": total,
        "finished": found.finished,
    }


@requires(Action.SUBMIT_RETURN)
def upload_status(request, token):
    """The file's progress while it is checked; then its review and Submit CT-1096, or its problems."""
    found = _upload_or_404(request, token)
    error = ""
    if request.method == "POST" and request.POST.get("action") == "submit":
        try:
            tax_return = services.ct1096_submit_upload(actor=request.acting.login, upload=found)
        except ServiceError as exc:
            error = exc.message
            found.refresh_from_db()
        else:
            return redirect(reverse("filing:return", args=[tax_return.pk]) + "?filed=1")
    return render(
        request,
        "filing/upload_status.html",
        {
            "upload": found,
            "progress": _progress(found),
            "error": error,
            "late": found.period.due_date < services.today(),
        },
    )


@requires(Action.SUBMIT_RETURN)
def upload_progress(request, token):
    """What the status page's script asks every few seconds (JSON, no personal data)."""
    response = JsonResponse(_progress(_upload_or_404(request, token)))
    response["Cache-Control"] = "no-store"
    return response


@requires(Action.SUBMIT_RETURN)
def uploads(request):
    """Your uploads: every 1099/W-2G file of the business, newest first (or one period's)."""
    non_wage = TaxType.objects.get(code=TaxType.WITHHOLDING_NON_WAGE)
    require_may(request.acting, Action.SUBMIT_RETURN, tax_type=non_wage)
    period = None
    if (period_id := request.GET.get("period", "")).isdigit():
        period = _nonwage_period(request, int(period_id))
    found = selectors.uploads_for(request.acting, period)
    page = Paginator(found, UPLOADS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "filing/uploads.html", {"page": page, "period": period})


@requires(Action.SUBMIT_RETURN)
def csv_template(request):
    response = HttpResponse(nonwage_csv.template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="1099-w2g-template.csv"'
    return response
