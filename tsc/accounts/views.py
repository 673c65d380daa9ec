import hashlib

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tsc.lib.request_context import client_ip
from tsc.lib.throttle import TOO_MANY_ATTEMPTS, Guard
from tsc.taxpayers.models import Business

from . import forms, rights
from .access import allowed_with_temporary_password, requires, signed_in
from .models import IDENTITY_QUESTIONS, QUESTION_TEXT, Login
from .services import (
    CurrentPasswordWrong,
    ServiceError,
    SignInOutcome,
    contact_update,
    first_sign_in_complete,
    identity_questions_update,
    password_change,
    password_reset_with_answers,
    profile_create_with_enrollment,
    sign_in_check,
    telephone_password_update,
)

SIGNIN_BUSINESS = "tsc_signin_business"
FORGOT_USER = "tsc_forgot_user_id"

LOCKED_MESSAGE = (
    "This login is locked. Contact your business's TSC Administrator to unlock it. (DRS cannot unlock TSC users.)"
)
DISABLED_MESSAGE = "This login has been disabled. Contact your business's TSC Administrator."
BAD_CREDENTIALS_MESSAGE = (
    "The User ID or password is not correct. Passwords are case sensitive. "
    "After 3 failed attempts in a row a login is locked."
)
BAD_ANSWERS_MESSAGE = "Your answers do not match our records. After 3 failed attempts in a row a login is locked."


def _signin_business(request) -> Business | None:
    business_id = request.session.get(SIGNIN_BUSINESS)
    return Business.objects.filter(pk=business_id).first() if business_id else None


def _guard(request, kind: str, business: Business, user_id: str = "") -> Guard:
    """Attempt limits for this client address and this login (tsc/lib/throttle.py)."""
    login_key = f"{business.pk}:{user_id.strip().lower()}" if user_id else str(business.pk)
    return Guard(kind, address=client_ip(request), login_key=login_key)


def _start_session(request, login: Login) -> None:
    # auth_login rotates the session key (no fixation) and keeps nothing of the visitor's session
    # that matters once signed in.
    auth_login(request, login, backend="tsc.accounts.backends.LoginBackend")
    request.session.pop(FORGOT_USER, None)


def sign_in(request):
    business = _signin_business(request)
    if business is None:
        return redirect("site:welcome")
    form = forms.SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        guard = _guard(request, "sign_in", business, form.cleaned_data["user_id"])
        if guard.blocked:
            form.add_error(None, TOO_MANY_ATTEMPTS)
            return render(request, "accounts/sign_in.html", {"form": form, "business": business}, status=429)
        result = sign_in_check(
            business=business, user_id=form.cleaned_data["user_id"], password=form.cleaned_data["password"]
        )
        if result.outcome != SignInOutcome.OK:
            guard.failed()
        if result.outcome == SignInOutcome.OK:
            from .twofactor_views import second_step  # (imports this module)

            # Two-factor sign-in: the code (or set-up) step comes first, the login not yet signed in.
            if (response := second_step(request, result.login)) is not None:
                return response
            _start_session(request, result.login)
            return redirect("accounts:first_sign_in" if result.login.must_change_password else "accounts:menu")
        form.add_error(
            None,
            {SignInOutcome.LOCKED: LOCKED_MESSAGE, SignInOutcome.DISABLED: DISABLED_MESSAGE}.get(
                result.outcome, BAD_CREDENTIALS_MESSAGE
            ),
        )
        form.data = form.data.copy()
        form.data["password"] = ""  # never echo a password back
    return render(request, "accounts/sign_in.html", {"form": form, "business": business})


@require_POST
def sign_out(request):
    logout(request)
    return redirect("accounts:signed_out")


def signed_out(request):
    reason = request.GET.get("reason")
    return render(request, "accounts/signed_out.html", {"timeout": reason == "timeout", "locked": reason == "locked"})


def first_time(request):
    """First-time profile for a business: proved with the enrollment code DRS mailed."""
    business = _signin_business(request)
    if business is None:
        return redirect("site:welcome")
    form = forms.ProfileCreateForm(request.POST or None)
    guard = _guard(request, "enroll", business)
    if request.method == "POST" and guard.blocked:
        form.is_valid()
        form.add_error(None, TOO_MANY_ATTEMPTS)
        return render(request, "accounts/first_time.html", {"form": form, "business": business}, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            login = profile_create_with_enrollment(
                business=business,
                enrollment_code=data["enrollment_code"],
                user_id=data["user_id"],
                password=data["password1"],
                contact=form.contact(),
                questions=form.questions(),
                telephone_password=data["telephone_password"],
            )
        except ServiceError as error:
            if error.field == "enrollment_code":
                guard.failed()
            forms.add_service_error(form, error)
        else:
            _start_session(request, login)
            messages.success(
                request,
                f"Your profile is created. You are the TSC Administrator for "
                f"{business.legal_name}. Write down your User ID and password and keep "
                f"them in a safe place.",
            )
            return redirect("accounts:menu")
    return render(request, "accounts/first_time.html", {"form": form, "business": business})


def _decoy_questions(business: Business, user_id: str) -> tuple[str, str]:
    """Questions shown for a User ID that does not exist, chosen from the User ID so the same
    ID always shows the same pair: the page does not reveal which IDs exist."""
    digest = hashlib.sha256(f"{business.pk}:{user_id.lower()}".encode()).digest()
    first = digest[0] % len(IDENTITY_QUESTIONS)
    second = (first + 1 + digest[1] % (len(IDENTITY_QUESTIONS) - 1)) % len(IDENTITY_QUESTIONS)
    return IDENTITY_QUESTIONS[first][0], IDENTITY_QUESTIONS[second][0]


def forgot_password(request):
    business = _signin_business(request)
    if business is None:
        return redirect("site:welcome")
    form = forms.ForgotPasswordUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request.session[FORGOT_USER] = form.cleaned_data["user_id"].strip()
        return redirect("accounts:forgot_password_answers")
    return render(request, "accounts/forgot_password.html", {"form": form, "business": business})


def forgot_password_answers(request):
    business = _signin_business(request)
    user_id = request.session.get(FORGOT_USER)
    if business is None or not user_id:
        return redirect("site:welcome")
    login = Login.objects.filter(business=business, user_id__iexact=user_id).first()
    if login is not None and login.has_identity_questions:
        q1, q2 = login.question1, login.question2
    else:
        q1, q2 = _decoy_questions(business, user_id)
    # The new password is checked against the rule only (not against the login's User ID or
    # name) until the answers are known to be right: the page must not tell which IDs exist.
    form = forms.ForgotPasswordAnswersForm(
        request.POST or None, question1=QUESTION_TEXT[q1], question2=QUESTION_TEXT[q2]
    )
    guard = _guard(request, "forgot", business, user_id)
    if request.method == "POST" and guard.blocked:
        form.is_valid()
        form.add_error(None, TOO_MANY_ATTEMPTS)
        return render(
            request,
            "accounts/forgot_password_answers.html",
            {"form": form, "business": business, "user_id": user_id},
            status=429,
        )
    if request.method == "POST":
        valid = form.is_valid()
        answers = (form.cleaned_data.get("answer1"), form.cleaned_data.get("answer2"))
        if all(answers):
            try:
                result = password_reset_with_answers(
                    login=login,
                    answer1=answers[0],
                    answer2=answers[1],
                    new_password=form.cleaned_data["password1"] if valid else None,
                )
            except ServiceError as error:
                forms.add_service_error(form, error)
            else:
                if result.outcome == SignInOutcome.OK:
                    request.session.pop(FORGOT_USER, None)
                    messages.success(request, "Your password was changed. Sign in with your new password.")
                    return redirect("accounts:sign_in")
                if result.outcome != SignInOutcome.ANSWERS_RIGHT:
                    guard.failed()
                    form.add_error(
                        None,
                        {SignInOutcome.LOCKED: LOCKED_MESSAGE, SignInOutcome.DISABLED: DISABLED_MESSAGE}.get(
                            result.outcome, BAD_ANSWERS_MESSAGE
                        ),
                    )
    return render(
        request, "accounts/forgot_password_answers.html", {"form": form, "business": business, "user_id": user_id}
    )


@signed_in
def main_menu(request):
    return render(request, "accounts/main_menu.html", {"entries": rights.menu_for(request.acting)})


@signed_in
def administrator_contact(request):
    administrator = Login.objects.filter(business_id=request.acting.taxpayer_id, is_administrator=True).first()
    return render(request, "accounts/administrator_contact.html", {"administrator": administrator})


@signed_in
def profile(request):
    return render(request, "accounts/profile.html", {"login": request.user})


@signed_in
def profile_contact(request):
    login = request.user
    initial = {f: getattr(login, f) for f in forms.ContactForm.base_fields}
    form = forms.ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        contact_update(login=login, contact=form.contact())
        messages.success(request, "Your contact information was updated.")
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile_form.html",
        {"form": form, "title": "Update contact information", "submit": "Save contact information"},
    )


def _profile_change(request, form, action, title: str, submit: str, done: str):
    if request.method == "POST" and form.is_valid():
        try:
            action(form.cleaned_data)
        except CurrentPasswordWrong as error:
            if error.locked:  # the third wrong password in a row: signed out, like at sign-in
                logout(request)
                return redirect(reverse("accounts:signed_out") + "?reason=locked")
            forms.add_service_error(form, error)
        except ServiceError as error:
            forms.add_service_error(form, error)
        else:
            messages.success(request, done)
            return redirect("accounts:profile")
    return render(request, "accounts/profile_form.html", {"form": form, "title": title, "submit": submit})


@signed_in
def profile_password(request):
    login = request.user
    form = forms.PasswordChangeForm(request.POST or None, login=login)

    def change(data):
        password_change(login=login, current_password=data["current_password"], new_password=data["password1"])
        # Keep this session signed in; others using the old password are signed out.
        from django.contrib.auth import update_session_auth_hash

        update_session_auth_hash(request, login)

    return _profile_change(
        request, form, change, "Change your password", "Change password", "Your password was changed."
    )


@signed_in
def profile_questions(request):
    login = request.user
    form = forms.IdentityQuestionsChangeForm(
        request.POST or None, initial={"question1": login.question1, "question2": login.question2}
    )
    return _profile_change(
        request,
        form,
        lambda data: identity_questions_update(
            login=login, current_password=data["current_password"], questions=form.questions()
        ),
        "Change your identity questions",
        "Save identity questions",
        "Your identity questions were changed.",
    )


@signed_in
def profile_telephone_password(request):
    login = request.user
    form = forms.TelephonePasswordChangeForm(request.POST or None)
    return _profile_change(
        request,
        form,
        lambda data: telephone_password_update(
            login=login, current_password=data["current_password"], telephone_password=data["telephone_password"]
        ),
        "Telephone password",
        "Save telephone password",
        "Your telephone password was updated.",
    )


@signed_in
@allowed_with_temporary_password
def first_sign_in(request):
    login = request.user
    if not login.must_change_password:
        return redirect("accounts:menu")
    initial = {f: getattr(login, f) for f in forms.ContactForm.base_fields}
    form = forms.FirstSignInForm(request.POST or None, initial=initial, login=login)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            first_sign_in_complete(
                login=login,
                password=data["password1"],
                questions=form.questions(),
                contact=form.contact(),
                telephone_password=data["telephone_password"],
            )
        except ServiceError as error:
            forms.add_service_error(form, error)
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, login)
            messages.success(request, "Your password and profile are set.")
            return redirect("accounts:menu")
    return render(request, "accounts/first_sign_in.html", {"form": form})


@requires(rights.Action.VIEW_HISTORY)
def history(request):
    ctx = request.acting
    shown = (
        rights.Action.VIEW_RETURNS,
        rights.Action.VIEW_PAYMENTS,
        rights.Action.VIEW_CANCELLED_PAYMENTS,
        rights.Action.VIEW_ACCOUNT,
        rights.Action.REQUEST_STATUS_LETTER,
    )
    return render(request, "accounts/history_hub.html", {"rights": {a.value: rights.may_any(ctx, a) for a in shown}})
