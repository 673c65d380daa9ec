"""View decorators: who may reach a page. The decision itself lives in rights.py."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from .rights import Action, may, may_any


def signed_in(view):
    """A signed-in, active TSC user of a business. Anyone else goes to the Welcome page; a
    user holding a temporary password must replace it first."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and getattr(user, "business_id", None)):
            return redirect("site:welcome")
        if user.must_change_password and not getattr(view, "allowed_with_temporary_password", False):
            return redirect("accounts:first_sign_in")
        return view(request, *args, **kwargs)

    return wrapper


def allowed_with_temporary_password(view):
    view.allowed_with_temporary_password = True
    return view


def requires(*actions: Action):
    """The login must hold one of `actions` on at least one tax type of its business (or, for
    business actions, be the TSC Administrator). Pages about one tax type check `may` too."""

    def decorate(view):
        @signed_in
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not any(may_any(request.user, action) for action in actions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def require_may(request, *actions: Action, business, tax_type=None) -> None:
    """For pages about one taxpayer's data: 404 to outsiders (do not confirm it exists), 403
    to an insider holding none of `actions`."""
    from django.http import Http404

    if business is None or request.user.business_id != business.pk:
        raise Http404
    if not any(may(request.user, action, business=business, tax_type=tax_type) for action in actions):
        raise PermissionDenied
