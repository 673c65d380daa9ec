"""Who is acting, from where: kept for the length of one request so services can write
audit rows without every call site passing the request along."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    # How the request acts (tsc.accounts.acting): for audit rows written by a bulk filer or by
    # staff, "by <login> for <taxpayer> as <relationship>". Empty for a business's own users.
    acting: dict | None = None


_EMPTY = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("tsc_request_context", default=None)


def current() -> RequestContext:
    return _current.get() or _EMPTY


def bind(**changes) -> None:
    """Add to the current request's context (the acting middleware adds how it acts)."""
    from dataclasses import replace

    if (ctx := _current.get()) is not None:
        _current.set(replace(ctx, **changes))


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it,
    # and then the proxy sets REMOTE_ADDR (see README, production deployment).
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(RequestContext(ip=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
