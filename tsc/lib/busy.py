"""A busy database answers 503 "try again", never 500.

SQLite allows one writer at a time: a request that waited out the busy timeout (5 s, settings)
gets "database is locked". PostgreSQL can refuse with a lock timeout, a serialization failure or
a deadlock. None of these is a bug in the request: the visitor is told to try again in a moment
(HTTP 503 with Retry-After), and nothing half-done was kept (the transaction rolled back).
"""

import logging

from django.db import OperationalError
from django.db.utils import DatabaseError
from django.http import HttpResponse
from django.template.loader import render_to_string

log = logging.getLogger(__name__)
RETRY_AFTER = 5
# PostgreSQL SQLSTATEs: lock_not_available, serialization_failure, deadlock_detected, query_canceled
# (statement or lock timeout).
_PG_BUSY = {"55P03", "40001", "40P01", "57014"}


def is_busy(error: BaseException | None) -> bool:
    if not isinstance(error, DatabaseError):
        return False
    cause = error.__cause__
    state = getattr(cause, "sqlstate", None) or getattr(getattr(cause, "diag", None), "sqlstate", None)
    if state in _PG_BUSY:
        return True
    text = str(error).lower()
    return isinstance(error, OperationalError) and ("database is locked" in text or "database table is locked" in text)


def busy_response(request=None) -> HttpResponse:
    body = render_to_string("busy.html", request=request)
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class BusyDatabaseMiddleware:
    """Turns a busy-database error raised by a view into 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_busy(exception):
            log.warning("database busy: %s %s answered 503", request.method, request.path)
            return busy_response(request)
        return None


def server_error(request):
    """handler500: a busy database raised outside a view (say, saving the session) is still a 503."""
    import sys

    if is_busy(sys.exc_info()[1]):
        return busy_response()
    from django.views.defaults import server_error as default

    return default(request)
