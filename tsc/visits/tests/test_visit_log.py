"""The visit log: every field of the policy for a real request, nothing that identifies anyone."""

import ipaddress
import urllib.error
import urllib.request
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tsc.visits import logfile
from tsc.visits.middleware import server_ip
from tsc.visits.models import Visit
from tsc.visits.services import visits_load

# The policy's list ("A. Automatic Information"), plus the response time; nothing else.
POLICY_FIELDS = {
    "id",
    "date",
    "time",
    "hour",
    "client_ip",
    "server_ip",
    "status",
    "path",
    "query",
    "bytes_sent",
    "bytes_received",
    "user_agent",
    "referrer",
    "protocol",
    "duration_ms",
}


def load_now():
    """Load the files of the current hour too (as the worker will once the hour has ended)."""
    return visits_load(now=timezone.now() + timedelta(hours=2))


def _fetch(url, *, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 -- the test's own live server
            return response.status, response.read(), response.version
    except urllib.error.HTTPError as error:
        return error.code, error.read(), 11


def test_every_field_of_a_real_request_is_logged(live_server):
    before = timezone.localtime()
    agent = "Mozilla/5.0 (TSC visit-log test) Firefox/125.0"
    status, body, version = _fetch(
        live_server.url + "/privacy/?page=2&ssn=123-45-6789&tax_type=ST",
        headers={
            "User-Agent": agent,
            "Referer": "https://jane:pw@search.example.com/find?q=jane%40example.com&page=3#x",
        },
    )
    posted = b"x" * 1234
    refused, refused_body, _ = _fetch(live_server.url + "/privacy/", data=posted, headers={"User-Agent": agent})
    after = timezone.localtime()
    assert status == 200 and version == 11 and refused == 403

    assert load_now().visits == 2
    got = Visit.objects.get(status=200)
    assert before.date() <= got.date <= after.date()
    assert before.time().replace(microsecond=0) <= got.time.replace(microsecond=0) <= after.time()
    assert got.hour == got.time.hour
    assert got.client_ip == "127.0.0.1"
    assert got.server_ip == server_ip(SimpleNamespace(META={}))
    ipaddress.ip_address(got.server_ip)
    assert got.path == "/privacy/"
    assert got.query == "page=2&tax_type=ST"  # the SSN is gone, name and value
    assert got.url == "/privacy/?page=2&tax_type=ST"
    assert got.bytes_sent == len(body) > 0
    assert got.bytes_received == 0
    assert got.user_agent == agent
    assert got.referrer == "https://search.example.com/find?page=3"  # no credentials, e-mail or fragment
    assert got.protocol == "HTTP/1.1"
    assert got.duration_ms >= 0

    post = Visit.objects.get(status=403)
    assert post.bytes_received == len(posted)
    assert post.bytes_sent == len(refused_body)
    assert post.referrer == ""


def test_the_log_holds_nothing_that_identifies_a_visitor(client, demo):
    """The policy: the automatic data is not matched with personal information."""
    names = {f.name for f in Visit._meta.get_fields()}
    assert names == POLICY_FIELDS
    assert not any(f.is_relation for f in Visit._meta.get_fields())

    client.force_login(demo.admin, backend="tsc.accounts.backends.LoginBackend")
    client.get("/menu/", HTTP_USER_AGENT="Agent/1.0")
    load_now()
    row = Visit.objects.values().get(path="/menu/")
    stored = " ".join(str(value) for key, value in row.items() if key != "id")
    for identifying in filter(
        None,
        (
            demo.admin.user_id,
            demo.admin.email,
            client.session.session_key,
            demo.nutmeg.registration_number,
            demo.nutmeg.legal_name,
        ),
    ):
        assert identifying not in stored
    assert set(row) == {"id"} | (POLICY_FIELDS - {"id"})


def test_the_request_path_writes_a_file_not_the_database(client, db, settings, django_assert_num_queries):
    with django_assert_num_queries(0):
        client.get("/privacy/")
    files = list(logfile.directory(settings.VAR_DIR).iterdir())
    assert len(files) == 1 and files[0].name.endswith(".log")
    assert files[0].stat().st_mode & 0o777 == 0o600
    line = files[0].read_text()
    assert line.count("\n") == 1 and line.startswith("v1\t")


def test_a_stream_is_counted_as_it_goes_out(client, db):
    from django.http import StreamingHttpResponse

    from tsc.visits.middleware import VisitLogMiddleware

    middleware = VisitLogMiddleware(lambda request: StreamingHttpResponse(iter([b"abc", b"defg"])))
    request = SimpleNamespace(
        META={"REMOTE_ADDR": "192.0.2.7", "SERVER_PROTOCOL": "HTTP/2.0", "QUERY_STRING": ""}, path="/stream/"
    )
    response = middleware(request)
    assert b"".join(response.streaming_content) == b"abcdefg"
    load_now()
    row = Visit.objects.get(path="/stream/")
    assert (row.bytes_sent, row.client_ip, row.protocol) == (7, "192.0.2.7", "HTTP/2.0")


def test_a_failing_write_never_fails_the_request(client, db, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.VAR_DIR = blocker  # VAR_DIR/visits cannot be created
    assert client.get("/privacy/").status_code == 200


@pytest.mark.parametrize("header", ["HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP"])
def test_the_client_address_is_not_taken_from_headers_a_visitor_sets(client, db, header):
    client.get("/privacy/", **{header: "203.0.113.9"}, REMOTE_ADDR="198.51.100.4")
    load_now()
    assert Visit.objects.get().client_ip == "198.51.100.4"
