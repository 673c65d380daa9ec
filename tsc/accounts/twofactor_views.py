"""Two-factor sign-in pages (the rules are in twofactor.py).

After a right password a login with two-factor sign-in on is not signed in yet: the session
holds only the pending login's id (`PENDING`) until the code step (or, where it is required but
not set up, the set-up step) is done. Then the session is started and marked `VERIFIED`; the DRS
back office admits staff only from such a session (`back_office_protect`).
"""

import time
from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tsc.lib.forms import UswdsForm
from tsc.lib.request_context import client_ip
from tsc.lib.throttle import TOO_MANY_ATTEMPTS, Guard

from . import selectors, twofactor
from .access import requires, signed_in
from .forms import CurrentPasswordMixin, add_service_error
from .models import Login
from .rights import Action
from .services import CurrentPasswordWrong, ServiceError
from .twofactor import CodeOutcome, SecondStep
from .views import DISABLED_MESSAGE, LOCKED_MESSAGE, SIGNIN_BUSINESS, _profile_change, _start_session

PENDING = "tsc_two_factor_pending"
VERIFIED = "tsc_two_factor_verified"
PENDING_SECONDS = 10 * 60  # between the password and the code

STAFF_LOCKED_MESSAGE = "This login is locked. Ask the DRS back-office administrator to unlock it."
TOO_SLOW_MESSAGE = "For your security, sign in again: the code was not entered within 10 minutes."


class CodeForm(UswdsForm):
    code = forms.CharField(
        label="6-digit code",
        max_length=20,
        help_text="From your authenticator app. Lost your device? Enter one of your recovery codes instead.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class ConfirmForm(UswdsForm):
    code = forms.CharField(
        label="6-digit code",
        max_length=10,
        help_text="The code your authenticator app shows now for this account.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class CurrentPasswordForm(CurrentPasswordMixin, UswdsForm):
    pass


class RequirementForm(UswdsForm):
    required = forms.BooleanField(
        label="Require two-factor sign-in for all users of this business",
        required=False,
        help_text="Users who have not set it up are asked to, right after their password, at their next sign-in.",
    )


def _no_store(response):
    # Pages that show recovery codes must not be kept by the browser or a proxy.
    response["Cache-Control"] = "no-store"
    return response


# ---- after the password: the code step or the set-up step ------------------------------------


def second_step(request, login: Login, *, next_url: str = ""):
    """Called where a right password would start the session. None: no second step (sign in as
    before); otherwise the redirect to the code or set-up step, the login still signed out."""
    step = twofactor.second_step_for(login)
    if step is None:
        return None
    if step == SecondStep.SETUP:
        twofactor.twofactor_setup_start(login=login)
    request.session.cycle_key()  # a new key for the half-signed-in visitor
    request.session[PENDING] = {"login": login.pk, "since": int(time.time()), "step": step.value, "next": next_url}
    return redirect("accounts:sign_in_code" if step == SecondStep.CODE else "accounts:sign_in_setup")


def _pending(request) -> tuple[Login | None, dict]:
    data = request.session.get(PENDING) or {}
    if not data or time.time() - data.get("since", 0) > PENDING_SECONDS:
        return None, data
    login = Login.objects.select_related("business").filter(pk=data.get("login")).first()
    # A taxpayer's login signs in for the business chosen on the Welcome page, staff for none.
    if login is None or (login.business_id is not None and login.business_id != request.session.get(SIGNIN_BUSINESS)):
        return None, data
    return login, data


def _start_again(request, data: dict, message: str = ""):
    request.session.pop(PENDING, None)
    if message:
        messages.error(request, message)
    if not data:
        return redirect("site:welcome")
    login = Login.objects.filter(pk=data.get("login")).first()
    return redirect("admin:login" if login is not None and login.business_id is None else "accounts:sign_in")


def _finish(request, login: Login, data: dict) -> str:
    """Start the session (signed in, with two-factor verified); returns where to go next."""
    request.session.pop(PENDING, None)
    _start_session(request, login)
    request.session[VERIFIED] = login.pk
    if data.get("next"):
        return data["next"]
    return reverse("accounts:first_sign_in" if login.must_change_password else "accounts:menu")


def _guard(request, login: Login) -> Guard:
    # The same per-login counter as the password step (views._guard): the two steps share it.
    who = f"{login.business_id if login.business_id is not None else 'staff'}:{login.user_id.lower()}"
    return Guard("sign_in", address=client_ip(request), login_key=who)


def sign_in_code(request):
    login, data = _pending(request)
    if login is None:
        return _start_again(request, data, TOO_SLOW_MESSAGE if data else "")
    if data["step"] != SecondStep.CODE:
        return redirect("accounts:sign_in_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        guard = _guard(request, login)
        if guard.blocked:
            form.add_error(None, TOO_MANY_ATTEMPTS)
            return render(request, "accounts/twofactor/code.html", {"form": form, "login": login}, status=429)
        result = twofactor.twofactor_verify(login=login, code=form.cleaned_data["code"])
        if result.outcome == CodeOutcome.OK:
            next_url = _finish(request, login, data)
            if result.used_recovery_code:
                messages.warning(
                    request,
                    f"You signed in with a recovery code; it cannot be used again. {result.recovery_codes_left} "
                    f"recovery codes are left. Make new ones under Update Password/Profile, Two-factor sign-in.",
                )
            return redirect(next_url)
        guard.failed()
        if result.outcome != CodeOutcome.WRONG:
            staff = login.business_id is None
            locked = STAFF_LOCKED_MESSAGE if staff else LOCKED_MESSAGE
            return _start_again(request, data, locked if result.outcome == CodeOutcome.LOCKED else DISABLED_MESSAGE)
        form.add_error("code", twofactor.WRONG_CODE + " After 3 failed attempts in a row a login is locked.")
        form.data = form.data.copy()
        form.data["code"] = ""
    return render(request, "accounts/twofactor/code.html", {"form": form, "login": login})


def sign_in_setup(request):
    """Two-factor sign-in is required but not set up: set it up before anything else."""
    login, data = _pending(request)
    if login is None:
        return _start_again(request, data, TOO_SLOW_MESSAGE if data else "")
    if data["step"] != SecondStep.SETUP:
        return redirect("accounts:sign_in_code")
    device = twofactor.device_for(login)
    if device is None or device.confirmed:
        return _start_again(request, data, "Sign in again to set up two-factor sign-in.")
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = twofactor.twofactor_confirm(login=login, code=form.cleaned_data["code"])
        except ServiceError as error:
            add_service_error(form, error)
        else:
            next_url = _finish(request, login, data)
            return _recovery_codes_page(request, codes, next_url=next_url, turned_on=True)
    return render(
        request,
        "accounts/twofactor/setup.html",
        {
            "form": form,
            "login": login,
            "provisioning": twofactor.provisioning(device),
            "required": True,
            "cancel_url": reverse("admin:login" if login.business_id is None else "accounts:sign_in"),
        },
    )


def _recovery_codes_page(request, codes: list[str], *, next_url: str, turned_on: bool):
    # Shown once, in this response only: never stored readable, never in a URL or message.
    return _no_store(
        render(
            request,
            "accounts/twofactor/recovery_codes.html",
            {"codes": codes, "next_url": next_url, "turned_on": turned_on},
        )
    )


# ---- the login's own settings (Update Password/Profile) ----------------------------------------


@signed_in
def profile_two_factor(request):
    login = request.user
    if request.method == "POST":
        try:
            twofactor.twofactor_setup_start(login=login)
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect("accounts:profile_two_factor")
        return redirect("accounts:profile_two_factor_setup")
    device = twofactor.device_for(login)
    enabled = device is not None and device.confirmed
    return render(
        request,
        "accounts/twofactor/status.html",
        {
            "enabled": enabled,
            "since": device.confirmed_at if enabled else None,
            "required": twofactor.required_for(login),
            "codes_left": twofactor.recovery_codes_left(login) if enabled else 0,
        },
    )


@signed_in
def profile_two_factor_setup(request):
    login = request.user
    device = twofactor.device_for(login)
    if device is None or device.confirmed:
        return redirect("accounts:profile_two_factor")
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = twofactor.twofactor_confirm(login=login, code=form.cleaned_data["code"])
        except ServiceError as error:
            add_service_error(form, error)
        else:
            request.session[VERIFIED] = login.pk  # the device was just shown to be in hand
            return _recovery_codes_page(request, codes, next_url=reverse("accounts:profile_two_factor"), turned_on=True)
    return render(
        request,
        "accounts/twofactor/setup.html",
        {
            "form": form,
            "login": login,
            "provisioning": twofactor.provisioning(device),
            "required": False,
            "cancel_url": reverse("accounts:profile_two_factor"),
        },
    )


@signed_in
def profile_two_factor_off(request):
    login = request.user
    if not twofactor.enabled_for(login):
        return redirect("accounts:profile_two_factor")
    form = CurrentPasswordForm(request.POST or None)
    return _profile_change(
        request,
        form,
        lambda data: twofactor.twofactor_turn_off(login=login, current_password=data["current_password"]),
        "Turn off two-factor sign-in",
        "Turn off two-factor sign-in",
        "Two-factor sign-in is off. You sign in with your password only.",
    )


@signed_in
def profile_two_factor_codes(request):
    login = request.user
    if not twofactor.enabled_for(login):
        return redirect("accounts:profile_two_factor")
    form = CurrentPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = twofactor.recovery_codes_replace(
                login=login, current_password=form.cleaned_data["current_password"]
            )
        except CurrentPasswordWrong as error:
            if error.locked:  # the third wrong password in a row: signed out, like at sign-in
                logout(request)
                return redirect(reverse("accounts:signed_out") + "?reason=locked")
            add_service_error(form, error)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            return _recovery_codes_page(
                request, codes, next_url=reverse("accounts:profile_two_factor"), turned_on=False
            )
    return render(
        request,
        "accounts/profile_form.html",
        {"form": form, "title": "Make new recovery codes", "submit": "Make new recovery codes"},
    )


# ---- the TSC Administrator (Add/Update Users) ------------------------------------------------

manage_users = requires(Action.MANAGE_USERS)


@manage_users
def users_two_factor(request):
    business = request.acting.taxpayer
    required = twofactor.required_for_business(business)
    # Bound on any POST: an unticked box sends no field at all.
    form = RequirementForm(request.POST if request.method == "POST" else None, initial={"required": required})
    if request.method == "POST" and form.is_valid():
        try:
            twofactor.twofactor_requirement_set(actor=request.acting.login, required=form.cleaned_data["required"])
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                "Two-factor sign-in is now required for all users."
                if form.cleaned_data["required"]
                else "Two-factor sign-in is no longer required. Users who turned it on keep it.",
            )
            return redirect("accounts:users_two_factor")
    return render(
        request,
        "accounts/twofactor/users.html",
        {"form": form, "required": required, "rows": twofactor.business_users_two_factor(business)},
    )


@manage_users
def user_two_factor_reset(request, login_id: int):
    login = selectors.user_for(request.acting, login_id)  # 404 to outsiders, 403 to other users
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        twofactor.twofactor_reset(actor=request.acting.login, login_id=login.pk)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Two-factor sign-in was reset for {login.user_id}. "
            f"They sign in with their password{' and set it up again' if twofactor.required_for(login) else ''}.",
        )
    return redirect("accounts:users_two_factor")


# ---- the DRS back office (/drs-admin/) --------------------------------------------------------


class BackOfficeLoginView(LoginView):
    """The back office's sign-in: the password, then always the second step."""

    def form_valid(self, form):
        response = second_step(self.request, form.get_user(), next_url=self.get_success_url())
        if response is None:  # staff always need two-factor (twofactor.required_for): refuse
            form.add_error(None, "DRS staff must use two-factor sign-in.")
            return self.form_invalid(form)
        return response


def back_office_sign_in(site, request, extra_context=None):
    """AdminSite.login, with the second step in place of starting the session."""
    from django.contrib.admin.forms import AdminAuthenticationForm
    from django.contrib.auth import REDIRECT_FIELD_NAME

    redirect_url = LoginView().get_redirect_url(request) or reverse("admin:index", current_app=site.name)
    if request.method == "GET" and site.has_permission(request):
        return redirect(redirect_url)
    context = {
        **site.each_context(request),
        "title": _("Log in"),
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
        REDIRECT_FIELD_NAME: redirect_url,
        **(extra_context or {}),
    }
    request.current_app = site.name
    return BackOfficeLoginView.as_view(
        extra_context=context,
        authentication_form=AdminAuthenticationForm,
        template_name="admin/login.html",
        next_page=reverse("admin:index", current_app=site.name),
    )(request)


def back_office_protect(site) -> None:
    """Staff reach `site` only from a session that passed the code step (call before its URLs
    are built): its sign-in page asks for the code, and its permission check for the mark."""
    plain = site.has_permission

    def has_permission(request):
        return plain(request) and request.session.get(VERIFIED) == request.user.pk

    site.has_permission = has_permission
    site.login = partial(back_office_sign_in, site)
