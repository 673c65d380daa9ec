import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

LAST_SEEN = "tsc_last_seen"
# Write the timestamp at most this often: one session write per request would be wasteful.
_RESOLUTION = 30


class IdleTimeoutMiddleware:
    """Signs a login out after TSC_IDLE_TIMEOUT seconds without a request and says so."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if last is not None and now - last > settings.TSC_IDLE_TIMEOUT:
                logout(request)
                return redirect(reverse("accounts:signed_out") + "?reason=timeout")
            if last is None or now - last >= _RESOLUTION:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
