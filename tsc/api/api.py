"""The JSON API for tax software of Third Party Bulk Filers (django-ninja): `/api/v1/…`, its
OpenAPI schema at `/api/openapi.json` and a documentation page at `/api/docs`.

Every answer is JSON, errors included: `{"detail": "…", "field": "…"}` (and `errors` for a
request that is not valid). Every call is audited as `api.call` (method, path template, status,
the token's prefix), never a body, a secret or an SSN. See docs/adr/0008-bulk-filer-api.md.
"""

import logging
from functools import wraps

from django.db.utils import DatabaseError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import re_path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import DocsBase

from tsc.audit.services import audit_record
from tsc.lib.busy import RETRY_AFTER, is_busy

from .auth import ApiError
from .models import Scope

log = logging.getLogger(__name__)

DESCRIPTION = """\
An API for the tax software of **Third Party Bulk Filers**: list your clients, schedule and
cancel their payments, upload files to import and fetch their acknowledgements — the same work
as the bulk filing pages of the Taxpayer Service Center.

**Tokens.** Your firm's TSC Administrator creates API tokens on the API tokens page of the
portal (`/bulk/api-tokens/`), each with the scopes it needs; the token is shown once. Send it
as `Authorization: Bearer tsc_<prefix>_<secret>`. No token, a wrong or revoked one: 401. A token
without the operation's scope: 403.

**Idempotency.** Every POST needs an `Idempotency-Key` header (any unique string up to 255
characters, such as a UUID; 400 without it). Sending the same key with the same request again
returns the first answer (status and body, with `Idempotent-Replayed: true`) and does nothing
twice; the same key with a different request is refused with 409.

**Limits.** Each token may make a limited number of calls a minute; beyond it: 429 with
`Retry-After` (seconds).

**Formats.** Money is a string of dollars and cents (`"1250.00"`), dates are ISO 8601
(`"2026-11-30"`). A business that is not your client is answered 404, as if it did not exist.
Every call is recorded in the audit log of your firm.
"""


class DocsPage(DocsBase):
    """The documentation as a server-rendered page of the site (no script from elsewhere: the
    site's Content Security Policy allows none)."""

    def render_page(self, request, api, **kwargs):
        schema = api.get_openapi_schema()
        operations = [
            {"method": method.upper(), "path": path, **operation}
            for path, methods in schema["paths"].items()
            for method, operation in methods.items()
        ]
        return render(
            request,
            "api/docs.html",
            {"operations": operations, "scopes": Scope.choices, "openapi_url": self.get_openapi_url(api, kwargs)},
        )


api = NinjaAPI(
    title="Taxpayer Service Center API for tax software",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=DocsPage(),
    docs_url="/docs",
)


def _error(request, status: int, detail: str, *, field=None, errors=None, headers=None) -> HttpResponse:
    body = {"detail": detail} | ({"field": field} if field else {}) | ({"errors": errors} if errors else {})
    response = api.create_response(request, body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return _error(request, exc.status, exc.detail, field=exc.field, headers=exc.headers)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _error(
        request,
        401,
        "Send a valid API token: Authorization: Bearer tsc_<prefix>_<secret>.",
        headers={"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(ValidationError)
def _not_valid(request, exc: ValidationError):
    problems = [
        {"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in exc.errors
    ]
    return _error(request, 422, "The request is not valid.", errors=problems)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return _error(request, exc.status_code, str(exc) or "The request could not be read.")


@api.exception_handler(Exception)
def _unexpected(request, exc: Exception):
    if is_busy(exc if isinstance(exc, DatabaseError) else None):
        return _error(
            request, 503, "The service is busy. Try again shortly.", headers={"Retry-After": str(RETRY_AFTER)}
        )
    log.exception("API error on %s %s", request.method, request.path)
    return _error(request, 500, "Something went wrong on our side. Try again later.")


def _audited(run):
    """`api.call` for every call that reached an operation, whatever its answer."""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        response = run(request, *args, **kwargs)
        token = getattr(request, "api_token", None)
        match = getattr(request, "resolver_match", None)
        try:
            audit_record(
                event="api.call",
                target=token,
                business=token.bulk_filer.firm if token is not None else None,
                data={
                    "method": request.method,
                    "path": "/" + (match.route if match is not None else request.path_info.lstrip("/")),
                    "status": response.status_code,
                    "token": token.prefix if token is not None else "",
                },
            )
        except DatabaseError:  # the answer stands; a busy database must not turn it into a 500
            log.warning("api.call not audited: %s %s %s", request.method, request.path, response.status_code)
        return response

    return wrapper


api.add_decorator(_audited, mode="view")

from . import v1  # noqa: E402  (the operations register themselves on `api`)

api.add_router("/v1", v1.router)


# ---- URLs ----------------------------------------------------------------------------------------


def _json_errors(view):
    """ninja answers a method an operation does not take with a plain-text 405, and its root URL
    raises the site's HTML 404: JSON instead."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return not_found(request)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            response = JsonResponse({"detail": f"Use {allowed or 'another method'} here."}, status=405)
            response["Allow"] = allowed
        return response

    wrapper.csrf_exempt = True
    return wrapper


def not_found(request, rest=""):
    return JsonResponse({"detail": "There is no such API operation. See /api/docs."}, status=404)


not_found.csrf_exempt = True


def _urls():
    patterns, _, _ = api.urls
    for pattern in patterns:
        pattern.callback = _json_errors(pattern.callback)
    # Anything else under /api/ is a JSON 404, never the site's HTML page.
    return [*patterns, re_path(r"^(?P<rest>.*)$", not_found, name="not_found")]


# `path("api/", include("tsc.api.api"))` in tsc/urls.py: the namespace ninja reverses its own URLs in.
app_name = "api"
urlpatterns = _urls()
