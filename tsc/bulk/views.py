"""Third Party Bulk Filing pages (the seed's bulk menu) and, for a client's TSC Administrator,
the firms authorized to act for the business."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tsc.accounts.access import requires, signed_in
from tsc.accounts.acting import BULK_CLIENT, Acting
from tsc.accounts.forms import add_service_error
from tsc.accounts.rights import Action
from tsc.audit.services import audit_record
from tsc.lib.errors import ServiceError
from tsc.payments.forms import BankingForm

from . import services
from .forms import ClientForm, ClientNumberForm, FirmNumberForm, IndividualPaymentForm
from .models import ClientAuthorization


def _firm(request):
    """The firm's designation: the one read with the signed-in login when it acts for its own
    firm (no query: every bulk page asks), else read."""
    login = request.user
    if login.is_authenticated and login.business_id == request.acting.taxpayer_id:
        business = login.business
        if business is not None and "bulk_filer" in business._state.fields_cache:
            designation = business._state.fields_cache["bulk_filer"]
            return designation if designation is not None and designation.active else None
    return services.bulk_filer_of(request.acting.taxpayer_id)


@requires(Action.BULK_FILING)
def menu(request):
    bulk_filer = _firm(request)
    return render(request, "bulk/menu.html", {"firm": bulk_filer.firm, "clients": services.clients_of(bulk_filer)})


@requires(Action.BULK_FILING)
def file_for_clients(request):
    return render(request, "bulk/file_for_clients.html", {"form": ClientNumberForm()})


def _act_for(request, authorization: ClientAuthorization) -> None:
    request.session[BULK_CLIENT] = authorization.pk
    audit_record(
        event="bulk_client.selected",
        actor=request.user,
        target=authorization,
        business=authorization.client,
        data={"firm": authorization.bulk_filer.firm.registration_number},
    )
    messages.success(
        request,
        f"You are acting for {authorization.client.legal_name} ({authorization.client.registration_number}). "
        "Choose Stop acting for this client to return to your firm.",
    )


@requires(Action.BULK_FILING)
def single_client(request):
    """Key and Send – Single Client Filing: choose the client; then File Returns works for it with
    the same forms and rules as the client's own users."""
    form = ClientNumberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            authorization = services.client_by_number(_firm(request), form.cleaned_data["registration_number"])
        except ServiceError as error:
            add_service_error(form, error)
        else:
            _act_for(request, authorization)
            return redirect(request.POST.get("then") if request.POST.get("then") == "payments" else "filing:index")
    return render(request, "bulk/single.html", {"form": form})


@signed_in
@require_POST
def stop_acting(request):
    request.session.pop(BULK_CLIENT, None)
    return redirect("bulk:menu")


@requires(Action.BULK_FILING)
def pay_for_client(request):
    """Make a Payment for your Client: by the client's registration number (then Make Payments
    for that client) or an individual client's SSN (income tax estimated payments)."""
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        bulk_filer = _firm(request)
        try:
            if form.cleaned_data["registration_number"]:
                authorization = services.client_by_number(bulk_filer, form.cleaned_data["registration_number"])
                _act_for(request, authorization)
                return redirect("payments:make")
            authorization = services.client_by_ssn(bulk_filer, form.cleaned_data["ssn"])
        except ServiceError as error:
            add_service_error(form, error)
        else:
            return redirect("bulk:pay_individual", authorization.pk)
    return render(request, "bulk/pay.html", {"form": form})


@requires(Action.BULK_FILING)
def client_bank(request):
    """Update Client Bank Information: only a registration and tax type that already has
    banking information (seed)."""
    bulk_filer = _firm(request)
    number = (request.POST.get("registration_number") or request.GET.get("registration_number") or "").strip()
    finder = ClientNumberForm({"registration_number": number} if number else None)
    context = {"finder": finder}
    if not number or not finder.is_valid():
        return render(request, "bulk/bank.html", context)
    try:
        authorization = services.client_by_number(bulk_filer, number)
    except ServiceError as error:
        add_service_error(finder, error)
        return render(request, "bulk/bank.html", context)
    ctx = Acting.bulk_filer_for(request.acting.login, authorization)
    from tsc.payments import selectors as payment_selectors
    from tsc.payments import services as payments

    on_file = [(t, a) for t, a in payment_selectors.bank_accounts(ctx) if a is not None]
    context |= {"client": authorization.client, "accounts": on_file, "number": number}
    if not on_file:
        context["refusal"] = (
            f"{authorization.client.legal_name} has no banking information on file for any tax type. Only a "
            "registration that already has banking information can be changed here; the business adds it "
            "under Make Changes to the Business Profile."
        )
        return render(request, "bulk/bank.html", context)
    form = BankingForm(request.POST if "routing_number" in request.POST else None, tax_types=[t for t, _ in on_file])
    context["form"] = form
    if "routing_number" in request.POST and form.is_valid():
        try:
            saved = payments.bank_account_set(ctx=ctx, tax_types=form.chosen_tax_types(), account=form.bank())
        except ServiceError as error:
            add_service_error(form, error)
        else:
            names = ", ".join(b.tax_type.name for b in saved)
            client = authorization.client.legal_name
            messages.success(request, f"The banking information of {client} was saved for {names}.")
            return redirect("bulk:menu")
    return render(request, "bulk/bank.html", context)


# ---- the client's side ---------------------------------------------------------------------


@requires(Action.CHANGE_BUSINESS_PROFILE)
def authorizations(request):
    ctx = request.acting
    form = FirmNumberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            authorization = services.client_authorize(ctx=ctx, firm_registration_number=form.cleaned_data["firm"])
        except ServiceError as error:
            add_service_error(form, error)
        else:
            firm = authorization.bulk_filer.firm.legal_name
            messages.success(request, f"{firm} may now file and pay for your business.")
            return redirect("bulk:authorizations")
    found = ClientAuthorization.objects.filter(client_id=ctx.taxpayer_id).select_related("bulk_filer__firm")
    return render(request, "bulk/authorizations.html", {"form": form, "authorizations": found})


@requires(Action.CHANGE_BUSINESS_PROFILE)
@require_POST
def authorization_revoke(request, authorization_id: int):
    from django.http import Http404

    if not ClientAuthorization.objects.filter(pk=authorization_id, client_id=request.acting.taxpayer_id).exists():
        raise Http404
    try:
        authorization = services.client_revoke(ctx=request.acting, authorization_id=authorization_id)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{authorization.bulk_filer.firm.legal_name} may no longer act for your business.")
    return redirect("bulk:authorizations")


def _individual_authorization(request, authorization_id: int) -> ClientAuthorization:
    from django.http import Http404

    found = (
        ClientAuthorization.objects.select_related("individual", "bulk_filer")
        .filter(pk=authorization_id, bulk_filer__firm_id=request.acting.taxpayer_id, individual__isnull=False)
        .first()
    )
    if found is None or not found.active:
        raise Http404
    return found


@requires(Action.BULK_FILING)
def pay_individual(request, authorization_id: int):
    """Make a Payment for your Client, an individual known by SSN: income tax estimated payments."""
    import uuid

    from tsc.payments import services as payments

    authorization = _individual_authorization(request, authorization_id)
    this_year = payments.today().year
    years = [this_year + 1, this_year, this_year - 1]
    form = IndividualPaymentForm(
        request.POST or None,
        years=years,
        initial={"tax_year": this_year, "requested_date": payments.earliest_payment_date()},
    )
    token = request.POST.get("submission_token") or str(uuid.uuid4())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = payments.individual_payment_schedule(
                ctx=request.acting,
                authorization=authorization,
                tax_year=data["tax_year"],
                amount=data["amount"],
                requested_date=data["requested_date"],
                account=form.bank(),
                submission_token=uuid.UUID(token),
            )
        except (ServiceError, ValueError) as error:
            add_service_error(form, error if isinstance(error, ServiceError) else ServiceError("Please try again."))
        else:
            return redirect("bulk:individual_payment", payment.pk)
    return render(
        request,
        "bulk/pay_individual.html",
        {"form": form, "person": authorization.individual, "submission_token": token},
    )


@requires(Action.BULK_FILING)
def individual_payment(request, payment_id: int):
    from django.http import Http404

    from tsc.payments.models import Payment

    payment = (
        Payment.objects.select_related("individual", "tax_type")
        .filter(pk=payment_id, individual__isnull=False, bulk_filer__firm_id=request.acting.taxpayer_id)
        .first()
    )
    if payment is None:
        raise Http404
    return render(request, "bulk/individual_payment.html", {"payment": payment})


COMBINED_ROWS = 10
COMBINED_MAX_ROWS = 200


@requires(Action.BULK_FILING)
def combined_filing(request):
    """Key and Send – Combined Client Filing: CT-WH payments of many clients, one bank account."""
    from tsc.payments.services import earliest_payment_date

    from .combined import combined_pay, rows_from
    from .forms import CombinedForm

    data = request.POST if request.method == "POST" else request.GET
    try:
        count = min(max(int(data.get("rows", COMBINED_ROWS)), 1), COMBINED_MAX_ROWS)
    except ValueError:
        count = COMBINED_ROWS
    if request.method == "POST" and request.POST.get("action") == "more":
        count = min(count + COMBINED_ROWS, COMBINED_MAX_ROWS)
    rows = rows_from(data, count)
    if request.method == "POST" and request.POST.get("action") == "submit":
        form = CombinedForm(request.POST)
    else:  # first visit, or more rows: what was typed stays, nothing is checked yet
        form = CombinedForm(initial={"requested_date": earliest_payment_date()} | request.POST.dict())
    done = None
    if request.method == "POST" and request.POST.get("action") == "submit":
        if not any(not r.blank for r in rows):
            form.add_error(None, "Enter at least one client's payment.")
        elif form.is_valid():
            rows = combined_pay(
                ctx=request.acting,
                rows=rows,
                account=form.bank(),
                requested_date=form.cleaned_data["requested_date"],
            )
            done = [r for r in rows if r.payment is not None]
    return render(
        request,
        "bulk/combined.html",
        {"form": form, "rows": rows, "count": count, "done": done, "failed": [r for r in rows if r.errors]},
    )
