from django.shortcuts import redirect, render

from tsc.accounts.views import SIGNIN_BUSINESS
from tsc.taxpayers.selectors import business_by_registration_number

from .forms import WelcomeForm

UNKNOWN_NUMBER = (
    "We could not find a business registered with DRS under that Tax Registration Number. "
    "Check the number on your registration certificate and try again."
)


def welcome(request):
    """Step 1 of signing in: the Tax Registration Number. It is kept in the session, never in
    the URL, and the next page looks the same whether or not the business has any users."""
    if request.acting.is_portal_user:
        return redirect("accounts:menu")
    form = WelcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        business = business_by_registration_number(form.cleaned_data["registration_number"])
        if business is None:
            form.add_error("registration_number", UNKNOWN_NUMBER)
        else:
            request.session[SIGNIN_BUSINESS] = business.pk
            return redirect("accounts:sign_in")
    return render(request, "site/welcome.html", {"form": form})


def privacy(request):
    return render(request, "site/privacy.html")
