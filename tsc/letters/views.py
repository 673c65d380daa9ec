"""Status letters: the TSC Administrator requests one and downloads it; anyone holding a letter
checks it on the public verification page (rate-limited per client address)."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from tsc.accounts.access import requires
from tsc.accounts.rights import Action
from tsc.lib import throttle
from tsc.lib.errors import ServiceError
from tsc.lib.request_context import client_ip

from . import selectors, services, wording
from .forms import VerifyForm
from .models import normalize_letter_id


@requires(Action.REQUEST_STATUS_LETTER)
def status_letter(request):
    ctx = request.acting
    refused = None
    if request.method == "POST":
        try:
            letter = services.status_letter_request(ctx=ctx)
        except ServiceError as exc:
            refused = exc
        else:
            return redirect(reverse("letters:letter", args=[letter.letter_id]) + "?issued=1")
    context = {
        "wording": wording,
        "letters": selectors.letters_of(ctx),
        "refused": refused,
        "blockers": getattr(refused, "blockers", []),
    }
    return render(request, "letters/status_letter.html", context)


def _verify_url(request, letter) -> str:
    return request.build_absolute_uri(reverse("letters:verify_letter", args=[letter.letter_id]))


@requires(Action.REQUEST_STATUS_LETTER)
def letter(request, letter_id: str):
    found = selectors.letter_for(request.acting, letter_id)
    context = {
        "letter": found,
        "just_issued": request.GET.get("issued") == "1",
        "verify_url": _verify_url(request, found),
        "wording": wording,
    }
    return render(request, "letters/letter.html", context)


@requires(Action.REQUEST_STATUS_LETTER)
def letter_pdf(request, letter_id: str):
    from .pdf import status_letter_pdf

    found = selectors.letter_for(request.acting, letter_id)
    content = status_letter_pdf(found, verify_url=_verify_url(request, found))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="status-letter-{found.letter_id}.pdf"'
    return response


# ---- public verification ---------------------------------------------------------------------


class VerifyGuard(throttle.Guard):
    """Lookups of unknown Letter IDs per client address: past the limit, nothing is looked up,
    so IDs cannot be guessed in bulk (the ID space is about 2**58)."""

    def __init__(self, *, address: str | None):
        limit = int(getattr(settings, "TSC_THROTTLE_VERIFY_PER_ADDRESS", 20))
        self.pairs = [(throttle.Rule("verify-status-letter-address", limit, 60 * 60), address)]


TOO_MANY_LOOKUPS = (
    "Too many Letter IDs were checked from your network that did not match a status letter. "
    "Wait an hour and try again, or call DRS at 860-297-5962."
)


def _no_store(response):
    # A revocation must show at once: no browser or proxy keeps the answer.
    response["Cache-Control"] = "no-store"
    return response


def verify(request):
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        return redirect("letters:verify_letter", form.cleaned_data["letter_id"])
    return render(request, "letters/verify.html", {"form": form})


def verify_letter(request, letter_id: str):
    guard = VerifyGuard(address=client_ip(request))
    form = VerifyForm(initial={"letter_id": letter_id})
    if guard.blocked:
        context = {"form": form, "throttled": TOO_MANY_LOOKUPS}
        return _no_store(render(request, "letters/verify.html", context, status=429))
    canonical = normalize_letter_id(letter_id)
    found = selectors.letter_to_verify(canonical) if canonical else None
    if found is None:
        guard.failed()
        return _no_store(render(request, "letters/verify.html", {"form": form, "unknown": True}, status=404))
    if found.letter_id != letter_id:
        return redirect("letters:verify_letter", found.letter_id)
    return _no_store(render(request, "letters/verify.html", {"form": VerifyForm(), "found": found}))
