"""Add/Update Users: the TSC Administrator's pages. Outsiders get 404, other users 403."""

from django.contrib import messages
from django.shortcuts import redirect, render

from tsc.taxpayers.selectors import business_tax_types

from . import passwords, selectors, user_forms
from .access import requires
from .forms import add_service_error
from .models import ACCESS_LEVEL_DESCRIPTIONS, AccessLevel
from .rights import Action
from .services import ServiceError
from .user_services import user_add, user_update

manage_users = requires(Action.MANAGE_USERS)


def _descriptions():
    return [(label, ACCESS_LEVEL_DESCRIPTIONS[AccessLevel(value)]) for value, label in AccessLevel.choices]


def _no_store(response):
    # Pages that show a temporary password must not be kept by the browser or a proxy.
    response["Cache-Control"] = "no-store"
    return response


@manage_users
def users(request):
    business = request.acting.taxpayer
    tax_types, rows = selectors.user_rows(business)
    return render(
        request,
        "accounts/users/list.html",
        {
            "tax_types": tax_types,
            "rows": rows,
            "gaps": selectors.backup_gaps(business),
            "descriptions": _descriptions(),
        },
    )


@manage_users
def user_add_view(request):
    business = request.acting.taxpayer
    form = user_forms.AddUserForm(request.POST or None, tax_types=business_tax_types(business))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        temporary = passwords.generate_temporary_password() if form.generate else data["temporary_password"]
        try:
            login = user_add(
                actor=request.acting.login,
                user_id=data["user_id"],
                user_name=data["user_name"],
                temporary_password=temporary,
                rights=form.rights(),
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            # Shown once, in this response only: never stored readable, never in a URL or message.
            return _no_store(
                render(
                    request,
                    "accounts/users/password_shown.html",
                    {"login": login, "temporary_password": temporary, "added": True},
                )
            )
    return render(request, "accounts/users/add.html", {"form": form, "descriptions": _descriptions()})


def _edit_form(request, login, data=None):
    levels = {r.tax_type_id: r.level for r in login.rights.all()}
    initial = {
        "version": login.version,
        "user_name": login.user_name,
        "status": login.status,
        "is_administrator": login.is_administrator,
    }
    return user_forms.EditUserForm(
        data,
        initial=initial,
        login=login,
        tax_types=business_tax_types(login.business),
        initial_levels=levels,
        is_self=login.pk == request.acting.login.pk,
    )


@manage_users
def user_edit(request, login_id: int):
    login = selectors.user_for(request.acting, login_id)
    form = _edit_form(request, login, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        transfer = data["is_administrator"] and not login.is_administrator
        if transfer and "confirm_transfer" not in request.POST:
            return render(request, "accounts/users/confirm_transfer.html", {"login": login, "post": request.POST})
        temporary = ""
        if form.generate:
            temporary = passwords.generate_temporary_password()
        elif data["set_temporary_password"]:
            temporary = data["temporary_password"]
        try:
            updated = user_update(
                actor=request.acting.login,
                login_id=login.pk,
                expected_version=data["version"],
                user_name=data["user_name"],
                status=data["status"],
                rights=form.rights(),
                temporary_password=temporary,
                make_administrator=transfer,
            )
        except ServiceError as error:
            if error.field == "version":  # stale: start again from what is saved now
                messages.error(request, error.message)
                login = selectors.user_for(request.acting, login_id)
                form = _edit_form(request, login)
            else:
                add_service_error(form, error)
        else:
            if transfer:
                messages.success(
                    request,
                    f"{updated.user_id} is now the TSC Administrator. You no longer have the administrator's rights.",
                )
                return redirect("accounts:menu")
            if temporary:
                return _no_store(
                    render(
                        request,
                        "accounts/users/password_shown.html",
                        {"login": updated, "temporary_password": temporary, "added": False},
                    )
                )
            messages.success(request, f"The changes to {updated.user_id} were saved.")
            return redirect("accounts:users")
    return render(request, "accounts/users/edit.html", {"form": form, "login": login, "descriptions": _descriptions()})


@manage_users
def user_activity(request):
    return render(request, "accounts/users/activity.html", {"events": selectors.user_activity(request.acting.taxpayer)})
