"""Announcements for visitors: today's, and the e-mail subscription (explicit opt-in)."""

from django.contrib import messages
from django.shortcuts import redirect, render

from . import services
from .forms import SubscribeForm


def announcements(request):
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.subscribe(form.cleaned_data["email"])
        messages.success(
            request,
            "Check your e-mail: we sent a link to confirm the address. Nothing more is sent until you confirm it.",
        )
        return redirect("notices:announcements")
    return render(request, "notices/announcements.html", {"form": form, "current": services.current()})


def confirm(request, token: str):
    ok = services.confirm(token)
    return render(request, "notices/subscription.html", {"confirmed": ok, "unsubscribed": False})


def unsubscribe(request, token: str):
    """One click: the link in every announcement e-mail stops them (a GET, so mail clients that
    open links do the same; there is nothing to take back but an address)."""
    services.unsubscribe(token)
    return render(request, "notices/subscription.html", {"confirmed": False, "unsubscribed": True})
