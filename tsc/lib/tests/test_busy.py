"""A busy database answers 503 with Retry-After, never 500."""

import sqlite3

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.urls import path

from tsc.lib.busy import BusyDatabaseMiddleware, is_busy, server_error


def locked() -> OperationalError:
    try:
        raise sqlite3.OperationalError("database is locked")
    except sqlite3.OperationalError as cause:
        error = OperationalError("database is locked")
        error.__cause__ = cause
        return error


class FakePgError(Exception):
    sqlstate = "55P03"


def pg_lock_timeout() -> OperationalError:
    error = OperationalError("canceling statement due to lock timeout")
    error.__cause__ = FakePgError()
    return error


@pytest.mark.parametrize("error", [locked(), pg_lock_timeout()], ids=["sqlite", "postgresql"])
def test_a_busy_database_in_a_view_answers_503(rf, error):
    middleware = BusyDatabaseMiddleware(lambda request: HttpResponse())
    response = middleware.process_exception(rf.post("/file/1/"), error)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "try again in a moment" in response.content.decode()


def test_other_errors_are_left_alone(rf):
    middleware = BusyDatabaseMiddleware(lambda request: HttpResponse())
    assert middleware.process_exception(rf.get("/"), OperationalError("no such table: x")) is None
    assert not is_busy(ValueError("database is locked"))


def test_a_busy_database_outside_a_view_is_503_too(rf):
    try:
        raise locked()
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503


def _busy_view(request):
    raise locked()


def _writing_view(request):
    from tsc.taxpayers.models import TaxType

    TaxType.objects.filter(pk=-1).update(name="x")  # a write: it needs SQLite's write lock
    return HttpResponse("written")


urlpatterns = [path("busy/", _busy_view), path("write/", _writing_view)]
handler500 = "tsc.lib.busy.server_error"


@pytest.mark.urls("tsc.lib.tests.test_busy")
def test_through_the_whole_stack(client, db):
    client.raise_request_exception = False
    response = client.post("/busy/")
    assert response.status_code == 503 and response["Retry-After"] == "5"


@pytest.mark.urls("tsc.lib.tests.test_busy")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_sqlite_lock_held_by_another_process_answers_503(client):
    """Not a made-up exception: another connection holds the write lock (as a long upload once
    did), the request waits out the busy timeout and is told to try again."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's single writer lock")
    client.raise_request_exception = False
    assert client.post("/write/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout=100")  # the real wait is 5 s (settings)
    other = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        other.execute("BEGIN IMMEDIATE")  # the write lock, held
        response = client.post("/write/")
    finally:
        other.rollback()
        other.close()
        connection.close()  # the next test gets the 5 s busy timeout again
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert b"The service is busy" in response.content and b"Please try again in a moment." in response.content
    assert client.post("/write/").status_code == 200  # the lock released: written
