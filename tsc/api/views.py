"""API tokens: the firm's TSC Administrator lists, creates and revokes them. A new token is shown
once, on the answer to the form that created it (never stored, never in a redirect)."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tsc.accounts.access import requires
from tsc.accounts.forms import add_service_error
from tsc.accounts.rights import Action
from tsc.lib.errors import ServiceError

from . import services
from .forms import ApiTokenForm


def firm_administrator(view):
    """The bulk filing pages' gate, and then the firm's own TSC Administrator only."""

    @requires(Action.BULK_FILING)
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not services.may_manage_tokens(request.acting):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@firm_administrator
def token_list(request):
    return render(request, "api/tokens.html", {"tokens": services.api_tokens_of(request.acting)})


@firm_administrator
def token_create(request):
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, full = services.api_token_create(
                ctx=request.acting, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"]
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            return render(request, "api/token_created.html", {"token": token, "full": full})
    return render(request, "api/token_create.html", {"form": form})


@firm_administrator
@require_POST
def token_revoke(request, token_id: int):
    try:
        token = services.api_token_revoke(ctx=request.acting, token_id=token_id)
    except ServiceError as error:
        raise Http404 from error
    messages.success(request, f"The API token {token.name} (tsc_{token.prefix}_…) is revoked: it no longer works.")
    return redirect("api_tokens:list")
