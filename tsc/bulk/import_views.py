"""File Import and View File Upload Status (the seed's bulk menu): a firm's own files only."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render

from tsc.accounts.access import requires
from tsc.accounts.forms import add_service_error
from tsc.accounts.rights import Action
from tsc.lib.errors import ServiceError

from . import imports
from .import_forms import ImportForm, LayoutForm

IMPORTS_PER_PAGE = 25
RECORDS_PER_PAGE = 100


@requires(Action.BULK_FILING)
def file_import(request):
    """File Import: a CSV file in a saved layout, or a Publication 1220 file with many payers."""
    ctx = request.acting
    form = ImportForm(request.POST or None, request.FILES or None, layouts=imports.layouts_of(ctx))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found = imports.import_receive(ctx=ctx, file=data["file"], kind=data["kind"], layout=data["layout"])
        except ServiceError as error:
            add_service_error(form, error)
        else:
            return redirect("bulk:import_status", token=found.token)
    return render(request, "bulk/import.html", {"form": form, "has_layouts": bool(form.layouts)})


@requires(Action.BULK_FILING)
def layouts(request):
    """Define and save a CSV layout: the columns in the file's order, filler for columns to skip."""
    ctx = request.acting
    form = LayoutForm(request.POST or None, initial={"header_row": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = imports.layout_save(
                ctx=ctx, name=data["name"], columns=data["columns"], header_row=data["header_row"]
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Your layout {saved.name} was saved. Choose it when you import a CSV file.")
            return redirect("bulk:layouts")
    return render(
        request,
        "bulk/layouts.html",
        {"form": form, "layouts": imports.layouts_of(ctx), "fields": imports.FIELDS, "filler": imports.FILLER},
    )


@requires(Action.BULK_FILING)
def import_list(request):
    """View File Upload Status: every file the firm uploaded, newest first."""
    page = Paginator(imports.imports_of(request.acting), IMPORTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "bulk/imports.html", {"page": page})


def _progress(found) -> dict:
    return {
        "status": found.status,
        "label": found.get_status_display(),
        "checked": found.records_checked,
        "total": max(found.records_total, found.records_checked),
        "finished": found.finished,
    }


@requires(Action.BULK_FILING)
def import_status(request, token):
    """One file: its progress while it is processed, then the acknowledgement."""
    found = imports.import_for(request.acting, token)
    page = None
    if found.finished:
        page = Paginator(imports.import_records(found), RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "bulk/import_status.html", {"bulk_import": found, "progress": _progress(found), "page": page}
    )


@requires(Action.BULK_FILING)
def import_progress(request, token):
    """What the status page's script asks every few seconds (JSON, no personal data)."""
    response = JsonResponse(_progress(imports.import_for(request.acting, token)))
    response["Cache-Control"] = "no-store"
    return response


@requires(Action.BULK_FILING)
def import_ack_csv(request, token):
    """The acknowledgement as CSV; no cell can run as a spreadsheet formula."""
    found = imports.import_for(request.acting, token)
    response = StreamingHttpResponse(imports.acknowledgement_csv(found), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="acknowledgement-{found.created_at:%Y%m%d-%H%M%S}.csv"'
    return response
