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


urlpatterns = [path("busy/", _busy_view)]
handler500 = "tsc.lib.busy.server_error"


@pytest.mark.urls("tsc.lib.tests.test_busy")
def test_through_the_whole_stack(client, db):
    client.raise_request_exception = False
    response = client.post("/busy/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
