"""View decorators and loaders: who may reach a page. The decision itself lives in rights.py;
which taxpayer a request acts for lives in acting.py (`request.acting`)."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect

from .acting import Acting, acting
from .rights import Action, may, may_any


def signed_in(view):
    """A signed-in portal login acting for a taxpayer. Anyone else goes to the Welcome page; a
    login holding a temporary password must replace it first."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        ctx = acting(request)
        if not ctx.is_portal_user:
            return redirect("site:welcome")
        if ctx.login.must_change_password and not getattr(view, "allowed_with_temporary_password", False):
            return redirect("accounts:first_sign_in")
        return view(request, *args, **kwargs)

    return wrapper


def allowed_with_temporary_password(view):
    view.allowed_with_temporary_password = True
    return view


def requires(*actions: Action):
    """The context must hold one of `actions` on at least one tax type of its taxpayer (or, for
    business actions, be its TSC Administrator). Pages about one object load it with `load`."""

    def decorate(view):
        @signed_in
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not any(may_any(request.acting, action) for action in actions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def load(ctx: Acting, obj, *, business_id: int | None, tax_type, actions: tuple[Action, ...], mine: bool = False):
    """The loaders' common end: 404 to outsiders (do not confirm the object exists), 403 to an
    insider holding none of `actions` on its tax type. `mine` lets an object the acting login
    made itself through (a File Only user's own confirmation)."""
    if obj is None or not ctx.owns(business_id):
        raise Http404
    if mine or any(may(ctx, action, tax_type=tax_type) for action in actions):
        return obj
    raise PermissionDenied


def require_may(ctx: Acting, *actions: Action, tax_type=None) -> None:
    """403 unless the context holds one of `actions` (on `tax_type`)."""
    if not any(may(ctx, action, tax_type=tax_type) for action in actions):
        raise PermissionDenied
