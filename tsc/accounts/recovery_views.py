"""A locked-out TSC Administrator gets back in with the recovery code DRS mailed (recovery.py)."""

from django.contrib import messages
from django.shortcuts import redirect, render

from tsc.lib.throttle import TOO_MANY_ATTEMPTS

from . import forms
from .models import QUESTION_TEXT, AdministratorRecoveryCode, Login
from .recovery import WRONG_CODE, Recovery, administrator_recover, recovery_code_check
from .services import ServiceError
from .views import _guard, _signin_business

RECOVERY = "tsc_recovery"


def recover(request):
    business = _signin_business(request)
    if business is None:
        return redirect("site:welcome")
    form = forms.RecoveryCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        guard = _guard(request, "recovery", business, form.cleaned_data["user_id"])
        if guard.blocked:
            form.add_error(None, TOO_MANY_ATTEMPTS)
            return render(request, "accounts/recover.html", {"form": form, "business": business}, status=429)
        found = recovery_code_check(
            business=business, user_id=form.cleaned_data["user_id"], code=form.cleaned_data["recovery_code"]
        )
        if found is None:
            guard.failed()
            form.add_error(None, WRONG_CODE)
        else:
            request.session[RECOVERY] = {"code": found.code_id, "login": found.login.pk}
            return redirect("accounts:recover_answers")
    return render(request, "accounts/recover.html", {"form": form, "business": business})


def _pending(request) -> Recovery | None:
    pending = request.session.get(RECOVERY) or {}
    login = Login.objects.filter(
        pk=pending.get("login"), business_id=request.session.get("tsc_signin_business")
    ).first()
    if login is None or not AdministratorRecoveryCode.objects.filter(pk=pending.get("code"), login=login).exists():
        return None
    return Recovery(pending["code"], login)


def recover_answers(request):
    business = _signin_business(request)
    recovery = _pending(request) if business else None
    if recovery is None:
        return redirect("site:welcome")
    login = recovery.login
    form = forms.ForgotPasswordAnswersForm(
        request.POST or None, question1=QUESTION_TEXT[login.question1], question2=QUESTION_TEXT[login.question2]
    )
    form.login_for_validation = login  # the code proved who this is: the full password rule applies
    if request.method == "POST" and form.is_valid():
        guard = _guard(request, "recovery", business, login.user_id)
        data = form.cleaned_data
        try:
            done = not guard.blocked and administrator_recover(
                recovery=recovery, answer1=data["answer1"], answer2=data["answer2"], new_password=data["password1"]
            )
        except ServiceError as error:
            forms.add_service_error(form, error)
        else:
            if done:
                request.session.pop(RECOVERY, None)
                messages.success(request, "Your login is unlocked and your password changed. Sign in with it now.")
                return redirect("accounts:sign_in")
            guard.failed()
            form.add_error(None, TOO_MANY_ATTEMPTS if guard.blocked else "Your answers do not match our records.")
    return render(request, "accounts/recover_answers.html", {"form": form, "login": login})
