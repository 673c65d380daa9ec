"""The DRS back office: the day's work for revenue staff, in the portal's own look.

Only DRS staff reach it, and only from a session that passed the two-factor code step of the
staff sign-in (/drs-admin/login/, tsc/accounts/twofactor_views.py). Every action is a service
call that writes its audit row with the staff login as the actor. Staff never see passwords,
identity answers, full SSNs or account numbers, and cannot unlock a business's sub-users (only
its TSC Administrator can: seed).
"""

from decimal import Decimal, InvalidOperation
from functools import wraps
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tsc.accounts.acting import Acting
from tsc.accounts.models import Login
from tsc.filing.forms import three_years_before
from tsc.filing.models import TaxReturn
from tsc.ledger import account
from tsc.ledger import services as ledger
from tsc.ledger.models import ModifiedReason, PenaltyWaiver, Refund, RefundStatus, WaiverStatus
from tsc.lib.errors import ServiceError
from tsc.payments import batch as bank
from tsc.payments.models import PaymentBatch
from tsc.taxpayers.models import Business


def staff_only(view):
    """DRS staff, signed in through the staff sign-in with its code step; anyone else is sent
    there (a portal login is not staff: it signs in again as staff or goes nowhere)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        # The same decision as the admin's (active staff, code step passed: back_office_protect),
        # for DRS staff only: a business's login is never staff here.
        user = request.user
        if not (admin.site.has_permission(request) and isinstance(user, Login) and user.business_id is None):
            return redirect(reverse("admin:login") + "?" + urlencode({"next": request.get_full_path()}))
        return view(request, *args, **kwargs)

    return wrapper


def _done(request, message: str, to: str, *args):
    messages.success(request, message)
    return redirect(to, *args)


def _refused(request, error: ServiceError, to: str, *args):
    messages.error(request, str(error))
    return redirect(to, *args)


@staff_only
def home(request):
    return render(
        request,
        "backoffice/home.html",
        {
            "to_process": ledger.returns_to_process().count(),
            "waivers": PenaltyWaiver.objects.filter(status=WaiverStatus.REQUESTED).count(),
            "refunds": Refund.objects.filter(status=RefundStatus.UNDER_REVIEW).count(),
            "batches": PaymentBatch.objects.filter(posted_at__isnull=True).count(),
        },
    )


# ---- filed returns to process ----------------------------------------------------------------


@staff_only
def work_queue(request):
    returns = list(ledger.returns_to_process()[:200])
    return render(request, "backoffice/work_queue.html", {"returns": returns})


@staff_only
@require_POST
def return_process(request, return_id: int):
    tax_return = get_object_or_404(TaxReturn, pk=return_id)
    try:
        ledger.return_process(tax_return=tax_return, actor=request.user)
    except ServiceError as error:
        return _refused(request, error, "backoffice:work_queue")
    return _done(
        request,
        f"Processed {tax_return.form} {tax_return.confirmation_number} for {tax_return.business.legal_name}: "
        f"tax ${tax_return.tax_due:,.2f}, penalty ${tax_return.penalty:,.2f}.",
        "backoffice:work_queue",
    )


# ---- bank batches ----------------------------------------------------------------------------


@staff_only
def batches(request):
    return render(
        request,
        "backoffice/batches.html",
        {"batches": PaymentBatch.objects.all()[:60], "reasons": bank.RETURN_REASONS},
    )


@staff_only
@require_POST
def batch_post(request, batch_id: int):
    batch = get_object_or_404(PaymentBatch, pk=batch_id)
    posted = bank.payment_batch_post(batch=batch, actor=request.user)
    return _done(request, f"Posted {posted} payment(s) of the {batch.send_date:%m/%d/%Y} batch.", "backoffice:batches")


@staff_only
@require_POST
def payment_return(request):
    try:
        payment = bank.payment_return(
            confirmation_number=request.POST.get("confirmation_number", ""),
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    except ServiceError as error:
        return _refused(request, error, "backoffice:batches")
    return _done(
        request,
        f"Payment {payment.confirmation_number} is returned by the bank ({payment.return_reason}).",
        "backoffice:batches",
    )


# ---- penalty waivers -------------------------------------------------------------------------


@staff_only
def waivers(request):
    waiting = PenaltyWaiver.objects.filter(status=WaiverStatus.REQUESTED).select_related(
        "business", "tax_type", "period"
    )
    decided = PenaltyWaiver.objects.exclude(status=WaiverStatus.REQUESTED).select_related(
        "business", "tax_type", "period"
    )[:50]
    return render(request, "backoffice/waivers.html", {"waiting": waiting.order_by("requested_at"), "decided": decided})


@staff_only
def waiver(request, waiver_id: int):
    found = get_object_or_404(PenaltyWaiver.objects.select_related("business", "tax_type", "period"), pk=waiver_id)
    s = account.period_statement(found.period, as_of=timezone.localdate())
    if request.method == "POST":
        try:
            ledger.waiver_decide(
                waiver=found,
                approve=request.POST.get("decision") == "approve",
                reply=request.POST.get("reply", ""),
                actor=request.user,
            )
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            return _done(request, f"Penalty waiver {found.confirmation_number} decided.", "backoffice:waivers")
    return render(request, "backoffice/waiver.html", {"waiver": found, "s": s, "reply": request.POST.get("reply", "")})


# ---- refunds ---------------------------------------------------------------------------------


@staff_only
def refunds(request):
    status = request.GET.get("status", RefundStatus.UNDER_REVIEW)
    if status not in RefundStatus.values:
        raise Http404
    found = Refund.objects.filter(status=status).select_related("business", "period__registration__tax_type")
    return render(
        request,
        "backoffice/refunds.html",
        {
            "refunds": found.order_by("created_at")[:200],
            "status": status,
            "statuses": RefundStatus.choices,
            "next_status": {k.value: sorted(v) for k, v in ledger.NEXT_STATUS.items()},
            "reasons": ModifiedReason.choices,
        },
    )


@staff_only
@require_POST
def refund_status(request, refund_id: int):
    refund = get_object_or_404(Refund, pk=refund_id)
    issued = request.POST.get("issued_amount", "").replace(",", "").replace("$", "").strip()
    try:
        amount = Decimal(issued) if issued else None
    except InvalidOperation:
        amount = Decimal("-1")  # refused by the service with the message about the amount
    try:
        ledger.refund_status_set(
            refund=refund,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
            issued_amount=amount,
            actor=request.user,
        )
    except (ServiceError, ValueError) as error:
        messages.error(request, str(error) if isinstance(error, ServiceError) else "Choose the new status.")
        return redirect(reverse("backoffice:refunds") + f"?status={refund.status}")
    refund.refresh_from_db()
    messages.success(request, f"The refund of ${refund.amount:,.2f} is now {refund.get_status_display()}.")
    return redirect(reverse("backoffice:refunds") + f"?status={refund.status}")


# ---- taxpayer look-up ------------------------------------------------------------------------


def _business_search(query: str):
    query = query.strip()
    if not query:
        return Business.objects.none()
    digits = "".join(c for c in query if c.isdigit())
    match = Q(legal_name__icontains=query) | Q(dba_name__icontains=query) | Q(registration_number=query)
    if len(digits) == 9:  # a FEIN with or without its dash
        match |= Q(fein=f"{digits[:2]}-{digits[2:]}")
    if len(digits) == 10:  # a registration number without its dash
        match |= Q(registration_number=f"{digits[:7]}-{digits[7:]}")
    return Business.objects.filter(match).order_by("legal_name")[:50]


@staff_only
def taxpayers(request):
    query = request.GET.get("q", "")
    return render(request, "backoffice/taxpayers.html", {"q": query, "found": _business_search(query)})


@staff_only
def taxpayer(request, business_id: int):
    return _taxpayer_page(request, get_object_or_404(Business, pk=business_id))


def _taxpayer_page(request, business: Business, issued_code: dict | None = None):
    ctx = Acting.staff_for(request.user, business)
    today = timezone.localdate()
    rows = account.account_periods(ctx, by="period_end", start=three_years_before(today), end=today, as_of=today)
    return render(
        request,
        "backoffice/taxpayer.html",
        {
            "business": business,
            "rows": [r for r in rows if r.filed or r.statement.balance],
            "owed": sum((r.statement.balance_due for r in rows), Decimal("0.00")),
            "blockers": account.standing_blockers(business.pk, on=today),
            "has_administrator": business.logins.filter(is_administrator=True).exists(),
            "issued_code": issued_code,
            "letters": _letters(business),
            "bulk_filer": _bulk_filer(business),
        },
    )


def _bulk_filer(business):
    from tsc.bulk.services import bulk_filer_of, clients_of

    found = bulk_filer_of(business.pk)
    return {"active": found is not None, "clients": list(clients_of(found)) if found else []}


def _letters(business):
    try:
        from tsc.letters.models import StatusLetter
    except ImportError:  # pragma: no cover - the letters app is always installed
        return []
    return StatusLetter.objects.filter(business=business).order_by("-issued_on")[:20]


@staff_only
@require_POST
def taxpayer_code(request, business_id: int):
    """Issue an enrollment code (no administrator yet) or an administrator recovery code. The
    code is shown once, in this answer, for staff to mail; only its hash is kept."""
    from tsc.accounts.recovery import recovery_code_issue
    from tsc.accounts.services import enrollment_code_issue

    business = get_object_or_404(Business, pk=business_id)
    try:
        if request.POST.get("kind") == "enrollment":
            code = enrollment_code_issue(business=business, actor=request.user)
            what = "Enrollment code"
        else:
            code = recovery_code_issue(business=business, actor=request.user)
            what = "Administrator recovery code"
    except ServiceError as error:
        return _refused(request, error, "backoffice:taxpayer", business.pk)
    return _taxpayer_page(request, business, {"what": what, "code": code})


@staff_only
@require_POST
def letter_revoke(request, business_id: int, letter_id: int):
    from tsc.letters.models import StatusLetter
    from tsc.letters.services import status_letter_revoke

    letter = get_object_or_404(StatusLetter, pk=letter_id, business_id=business_id)
    reason = request.POST.get("reason", "").strip()
    try:
        status_letter_revoke(letter=letter, actor=request.user, reason=reason)
    except ServiceError as error:
        return _refused(request, error, "backoffice:taxpayer", business_id)
    return _done(request, f"Status letter {letter.letter_id} is revoked.", "backoffice:taxpayer", business_id)


# ---- Third Party Bulk Filers -----------------------------------------------------------------


@staff_only
@require_POST
def bulk_filer_designation(request, business_id: int):
    """Designate the business as a Third Party Bulk Filer, or end the designation."""
    from tsc.bulk import services as bulk

    business = get_object_or_404(Business, pk=business_id)
    if request.POST.get("designate") == "yes":
        bulk.bulk_filer_designate(firm=business, actor=request.user)
        return _done(request, f"{business.legal_name} is a Third Party Bulk Filer.", "backoffice:taxpayer", business.pk)
    if found := bulk.bulk_filer_of(business.pk):
        bulk.bulk_filer_revoke(bulk_filer=found, actor=request.user)
    return _done(
        request, f"{business.legal_name} is no longer a Third Party Bulk Filer.", "backoffice:taxpayer", business.pk
    )


@staff_only
@require_POST
def bulk_client_record(request, business_id: int):
    """Record a client's signed authorization of the firm: a business by registration number, or
    an individual by SSN."""
    from tsc.bulk import services as bulk

    firm = bulk.bulk_filer_of(business_id)
    if firm is None:
        raise Http404
    number = request.POST.get("registration_number", "").strip()
    try:
        if number:
            client = Business.objects.filter(registration_number=number).first()
            if client is None:
                raise ServiceError("No business has that registration number.")
            bulk.staff_authorization_record(actor=request.user, bulk_filer=firm, client=client)
        else:
            bulk.staff_authorization_record(actor=request.user, bulk_filer=firm, ssn=request.POST.get("ssn", ""))
    except ServiceError as error:
        return _refused(request, error, "backoffice:taxpayer", business_id)
    return _done(request, "The client's signed authorization is recorded.", "backoffice:taxpayer", business_id)


# ---- announcements ---------------------------------------------------------------------------


@staff_only
def announcements(request):
    from tsc.notices import services as notices
    from tsc.notices.forms import AnnouncementForm
    from tsc.notices.models import Announcement

    form = AnnouncementForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notices.announcement_publish(
                actor=request.user,
                title=data["title"],
                body=data["body"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except ServiceError as error:
            from tsc.accounts.forms import add_service_error

            add_service_error(form, error)
        else:
            return _done(request, "The announcement is published.", "backoffice:announcements")
    return render(
        request,
        "backoffice/announcements.html",
        {"form": form, "announcements": Announcement.objects.all()[:50], "today": timezone.localdate()},
    )


@staff_only
@require_POST
def announcement_withdraw(request, announcement_id: int):
    from tsc.notices import services as notices
    from tsc.notices.models import Announcement

    notices.announcement_withdraw(actor=request.user, announcement=get_object_or_404(Announcement, pk=announcement_id))
    return _done(request, "The announcement is withdrawn.", "backoffice:announcements")


# ---- contact us ------------------------------------------------------------------------------


@staff_only
def contact_messages(request):
    from tsc.contact.models import ContactMessage

    waiting = ContactMessage.objects.filter(answered_at__isnull=True).order_by("created_at")[:200]
    answered = ContactMessage.objects.filter(answered_at__isnull=False).order_by("-answered_at")[:50]
    return render(request, "backoffice/contact_messages.html", {"waiting": waiting, "answered": answered})


@staff_only
def contact_message(request, message_id: int):
    from tsc.contact import services as contact
    from tsc.contact.models import ContactMessage

    message = get_object_or_404(ContactMessage, pk=message_id)
    if request.method == "POST":
        try:
            contact.message_answer(message=message, reply=request.POST.get("reply", ""), actor=request.user)
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            return _done(request, "The reply was sent.", "backoffice:contact_messages")
    return render(
        request,
        "backoffice/contact_message.html",
        {"message": message, "reply": request.POST.get("reply", ""), "account_rule": contact.ACCOUNT_REPLY},
    )
