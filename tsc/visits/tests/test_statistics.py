"""Statistics for DRS staff: the arithmetic on a small known log, the page, the CSV export."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from tsc.accounts.models import Login
from tsc.accounts.tests.twofactor_helpers import force_back_office_login
from tsc.visits.export import neutralised
from tsc.visits.models import Visit
from tsc.visits.selectors import visit_statistics

D1, D2, OUTSIDE = date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)


def _visit(day, path, status=200, hour=10, sent=1000, received=0, ms=10, agent="Firefox"):
    return Visit(
        date=day,
        time=f"{hour:02d}:15:00",
        hour=hour,
        client_ip="192.0.2.1",
        server_ip="192.0.2.250",
        status=status,
        path=path,
        bytes_sent=sent,
        bytes_received=received,
        user_agent=agent,
        protocol="HTTP/1.1",
        duration_ms=ms,
    )


@pytest.fixture
def log(db):
    """10 visits on two days (and one the day after, outside the range)."""
    Visit.objects.bulk_create(
        [
            _visit(D1, "/", hour=9, ms=10),
            _visit(D1, "/", hour=9, ms=20),
            _visit(D1, "/", hour=10, ms=30),
            _visit(D1, "/privacy/", hour=10, sent=500, ms=100),
            _visit(D1, "/menu/", status=302, hour=14, sent=0, ms=40, agent="Chrome"),
            _visit(D2, "/", hour=9, ms=20),
            _visit(D2, "/privacy/", hour=9, sent=500, ms=300),
            _visit(D2, "/missing/", status=404, hour=23, sent=200, ms=5, agent='=HYPERLINK("http://x")'),
            _visit(D2, "/payments/", status=500, hour=23, sent=300, ms=1000, received=2048, agent="Chrome"),
            _visit(D2, "/payments/", status=200, hour=23, sent=300, ms=600, received=1024, agent="Chrome"),
            _visit(OUTSIDE, "/outside/", status=500, hour=1, ms=99999),
        ]
    )


def test_the_arithmetic_on_a_known_log(log):
    stats = visit_statistics(D1, D2)
    assert stats.visits == 10
    assert stats.bytes_sent == 1000 * 4 + 500 + 0 + 500 + 200 + 300 + 300
    assert stats.bytes_received == 3072
    assert stats.avg_ms == (10 + 20 + 30 + 100 + 40 + 20 + 300 + 5 + 1000 + 600) / 10
    assert [(p["path"], p["visits"]) for p in stats.most_visited][:3] == [("/", 4), ("/payments/", 2), ("/privacy/", 2)]
    assert [(p["path"], p["visits"]) for p in stats.least_visited][:2] == [("/menu/", 1), ("/missing/", 1)]
    assert "/outside/" not in {p["path"] for p in stats.most_visited}
    assert [(s["status"], s["visits"], s["share"]) for s in stats.statuses] == [
        (200, 7, 70.0),
        (302, 1, 10.0),
        (404, 1, 10.0),
        (500, 1, 10.0),
    ]
    assert stats.error_rate == 20.0
    assert [(c["class"], c["visits"]) for c in stats.status_classes] == [("2xx", 7), ("3xx", 1), ("4xx", 1), ("5xx", 1)]
    by_hour = {h["hour"]: h["visits"] for h in stats.hours}
    assert len(by_hour) == 24 and by_hour[9] == 4 and by_hour[10] == 2 and by_hour[23] == 3 and by_hour[1] == 0
    assert [(d["date"], d["visits"], d["bytes_sent"], d["bytes_received"]) for d in stats.days] == [
        (D1, 5, 3500, 0),
        (D2, 5, 2300, 3072),
    ]
    assert [(a["user_agent"], a["visits"]) for a in stats.user_agents] == [
        ("Firefox", 6),
        ("Chrome", 3),
        ('=HYPERLINK("http://x")', 1),
    ]
    slow = stats.slow_pages[0]
    assert (slow["path"], slow["avg_ms"], slow["max_ms"], slow["visits"]) == ("/payments/", 800.0, 1000, 2)
    assert [p["path"] for p in stats.slow_pages][1] == "/privacy/"  # (100 + 300) / 2


def test_an_empty_range_has_no_visits_and_24_empty_hours(db):
    stats = visit_statistics(D1, D2)
    assert stats.visits == 0 and stats.error_rate == 0 and sum(h["visits"] for h in stats.hours) == 0


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("/privacy/", "/privacy/"),
        (42, "42"),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(cell, written):
    assert neutralised(cell) == written


@pytest.fixture
def staff(client, db):
    clerk = Login.objects.create_superuser("clerk7", "Demo#2024")
    force_back_office_login(client, clerk)
    return clerk


URL = reverse("visits:statistics")


def test_staff_see_charts_and_tables_for_the_range(client, staff, log):
    response = client.get(URL, {"start": "11/02/2026", "end": "11/03/2026"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('role="img"') == 6 and '<title id="chart-hours-title">Busiest hours</title>' in html
    assert "chart-hours-desc" in html and "/payments/" in html and "20.0 %" in html
    assert "/outside/" not in html
    assert 'href="/backoffice/statistics/export.csv?start=11/02/2026&amp;end=11/03/2026"' in html
    assert 'aria-current="page">Statistics<' in html


def test_the_page_opens_on_the_last_30_days(client, staff, time_machine):
    time_machine.move_to("2026-11-24 10:00:00-05:00", tick=False)
    html = client.get(URL).content.decode()
    assert 'value="10/26/2026"' in html and 'value="11/24/2026"' in html and "No visits were logged" in html


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("2026-11-02", "11/03/2026", "start", "including the slashes"),
        ("11/02/2026", "02/30/2026", "end", "does not exist"),
        ("11/03/2026", "11/02/2026", "end", "on or after the first day"),
        ("01/01/2020", "11/02/2026", "start", "at most three years"),
    ],
)
def test_bad_dates_are_explained_next_to_the_field_and_kept(client, staff, start, end, field, message):
    response = client.get(URL, {"start": start, "end": end})
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert f'value="{start}"' in html and f'value="{end}"' in html and 'role="img"' not in html
    export = client.get(reverse("visits:statistics_export"), {"start": start, "end": end})
    assert export["Content-Type"].startswith("text/html")


def test_the_csv_export_holds_the_numbers_and_neutralises_cells(client, staff, log):
    response = client.get(reverse("visits:statistics_export"), {"start": "11/02/2026", "end": "11/03/2026"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="visit-statistics-20261102-20261103.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["statistic", "item", "visits"]
    assert rows[2][:3] == ["total", "all visits", "10"]
    assert ["most visited page", "/", "4"] in [r[:3] for r in rows]
    assert ["user agent", '\'=HYPERLINK("http://x")', "1"] in [r[:3] for r in rows]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize("name", ["visits:statistics", "visits:statistics_export"])
def test_only_staff_past_the_code_step_get_the_statistics(client, demo, name):
    url = reverse(name)
    assert client.get(url).url.startswith("/drs-admin/login/?next=")
    client.force_login(demo.admin, backend="tsc.accounts.backends.LoginBackend")
    assert client.get(url).url.startswith("/drs-admin/login/?next=")
    staff = Login.objects.create_superuser("clerk6", "Demo#2024")
    client.force_login(staff, backend="tsc.accounts.backends.LoginBackend")  # password only, no code
    assert client.get(url).status_code == 302
    force_back_office_login(client, staff)
    assert client.get(url).status_code == 200
