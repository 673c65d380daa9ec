import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

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


class PrivatePagesMiddleware:
    """No browser or proxy keeps a page with tax data: every response to a signed-in visitor,
    and every PDF or download whoever asked, is `Cache-Control: no-store`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        private = (user is not None and user.is_authenticated) or response.get("Content-Disposition")
        if private or response.get("Content-Type", "").startswith("application/pdf"):
            patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
            response["Pragma"] = "no-cache"
        return response
