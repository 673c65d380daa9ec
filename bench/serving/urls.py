"""The app's URLconf plus /bench-floor/: a tiny response that still goes through every middleware
(sessions, authentication, the acting context, idle timeout, visit log, CSP...). The pages' bench
measures each page against it."""

from django.http import HttpResponse
from django.urls import path

from tsc.urls import handler500  # noqa: F401 - handler500 is used by Django
from tsc.urls import urlpatterns as app_urlpatterns


def floor(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench-floor/", floor), *app_urlpatterns]
