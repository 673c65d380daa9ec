"""Withholding Non-Wage: the seed's three filing options for 1099/W-2G with CT-1096."""

import uuid

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from tsc.accounts.access import require_may, requires
from tsc.accounts.forms import add_service_error
from tsc.accounts.rights import Action
from tsc.accounts.services import ServiceError
from tsc.lib.formats import nonwage_csv
from tsc.lib.formats.records import InformationReturn
from tsc.lib.money import ZERO
from tsc.taxpayers.models import TaxType

from . import selectors, services
from .models import Upload, UploadKind
from .nonwage_forms import AMOUNT_CODE, MAX_MANUAL_RECORDS, TOO_MANY, PaymentsForm, RecordFormSet, UploadForm
from .uploads import progress_get, upload_receive


def _nonwage_period(request, period_id):
    period = selectors.business_period(request.user.business, period_id)
    if period is None or period.registration.tax_type.code != TaxType.WITHHOLDING_NON_WAGE:
        raise Http404
    require_may(request, Action.SUBMIT_RETURN, business=request.user.business, tax_type=period.registration.tax_type)
    return period


def _already_filed(request, period):
    original = services.filed_original(period)
    if original is not None:
        return render(request, "filing/already_filed.html", {"period": period, "original": original})
    return None


@requires(Action.SUBMIT_RETURN)
def options(request, period_id: int):
    period = _nonwage_period(request, period_id)
    if response := _already_filed(request, period):
        return response
    return render(request, "filing/nonwage_options.html", {"period": period})


@requires(Action.SUBMIT_RETURN)
def manual(request, period_id: int):
    """Manually enter my 1099/W-2G information (maximum 50)."""
    period = _nonwage_period(request, period_id)
    if response := _already_filed(request, period):
        return response
    data = None
    if request.method == "POST":
        # Rows beyond the first may be left blank: count none as "initial" so blanks are skipped.
        data = request.POST.copy()
        data["form-INITIAL_FORMS"] = "0"
    action = request.POST.get("action")
    notice = ""
    formset, payments_form = RecordFormSet(data), PaymentsForm(data)
    if action == "add":
        # Another blank form, keeping what was typed and showing no errors yet.
        typed = _typed_rows(data)
        if len(typed) >= MAX_MANUAL_RECORDS:
            notice = TOO_MANY
        else:
            typed.append({})
        formset, payments_form = RecordFormSet(initial=typed), PaymentsForm(initial={"payments": data.get("payments")})
    elif action == "submit" and formset.is_valid() and payments_form.is_valid():
        records = [_record(request.user.business, f.cleaned_data) for f in formset.forms if f.has_changed()]
        try:
            tax_return = services.ct1096_file(
                actor=request.user,
                period=period,
                records=records,
                payments=payments_form.cleaned_data["payments"] or ZERO,
                submission_token=services.submission_token_required(request.POST.get("submission_token")),
            )
        except ServiceError as error:
            add_service_error(payments_form, error)
        else:
            return redirect(reverse("filing:return", args=[tax_return.pk]) + "?filed=1")
    return render(
        request,
        "filing/nonwage_manual.html",
        {
            "period": period,
            "formset": formset,
            "payments_form": payments_form,
            "notice": notice,
            "submission_token": request.POST.get("submission_token") or uuid.uuid4(),
            "max": MAX_MANUAL_RECORDS,
        },
    )


def _typed_rows(data) -> list[dict]:
    try:
        total = min(int(data.get("form-TOTAL_FORMS", "0")), MAX_MANUAL_RECORDS + 1)
    except ValueError:
        total = 0
    names = list(RecordFormSet.form.base_fields)
    return [{name: data.get(f"form-{i}-{name}", "") for name in names} for i in range(total)]


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
    )


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
                actor=request.user,
                period=period,
                kind=kind,
                file=form.cleaned_data["file"],
                payments=form.cleaned_data["payments"] or ZERO,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            return redirect("filing:upload_status", token=received.token)
    return render(
        request,
        "filing/nonwage_upload.html",
        {
            "period": period,
            "form": form,
            "kind": UploadKind(kind),
            "csv_columns": nonwage_csv.COLUMNS,
        },
    )


@requires(Action.SUBMIT_RETURN)
def upload_status(request, token):
    found = (
        Upload.objects.select_related("period__registration__tax_type", "tax_return")
        .filter(token=token, business=request.user.business)
        .first()
    )
    if found is None:
        raise Http404
    require_may(
        request, Action.SUBMIT_RETURN, business=request.user.business, tax_type=found.period.registration.tax_type
    )
    checked = found.records_checked if found.finished else (progress_get(found.token) or 0)
    return render(request, "filing/upload_status.html", {"upload": found, "checked": checked})


@requires(Action.SUBMIT_RETURN)
def csv_template(request):
    response = HttpResponse(nonwage_csv.template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="1099-w2g-template.csv"'
    return response
