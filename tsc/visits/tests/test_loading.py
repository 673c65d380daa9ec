"""Loading visit files: only finished hours, in bulk, never twice (even after a crash), then the
retention purge."""

import shutil
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tsc.visits import logfile, services
from tsc.visits.models import LoadedVisitFile, Visit
from tsc.visits.services import visits_load, visits_purge

LATER = timedelta(hours=2)


def _visit_files(settings):
    return sorted(logfile.directory(settings.VAR_DIR).glob("*.log"))


@pytest.fixture
def five_visits(client, db, settings):
    for page in ("/privacy/", "/", "/privacy/", "/no-such-page/", "/privacy/"):
        client.get(page)
    [path] = _visit_files(settings)
    return path


def test_the_current_hours_file_waits_until_the_hour_has_ended(five_visits):
    assert visits_load().files == 0
    assert five_visits.exists() and not Visit.objects.exists()
    assert visits_load(now=timezone.now() + LATER).visits == 5
    assert not five_visits.exists()
    assert LoadedVisitFile.objects.get().visits == 5
    assert Visit.objects.filter(path="/privacy/").count() == 3
    assert Visit.objects.get(path="/no-such-page/").status == 404


def test_a_crash_mid_load_loads_nothing_and_the_next_run_loads_everything_once(five_visits, monkeypatch):
    real = services.insert_visits
    calls = []

    def crash_on_second_chunk(rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        real(rows)

    monkeypatch.setattr(services, "CHUNK", 2)
    monkeypatch.setattr(services, "insert_visits", crash_on_second_chunk)
    with pytest.raises(RuntimeError):
        visits_load(now=timezone.now() + LATER)
    assert calls == [2, 2]
    assert not Visit.objects.exists() and not LoadedVisitFile.objects.exists()
    assert five_visits.exists()

    monkeypatch.setattr(services, "insert_visits", real)
    assert visits_load(now=timezone.now() + LATER).visits == 5
    assert visits_load(now=timezone.now() + LATER).visits == 0
    assert Visit.objects.count() == 5


def test_a_crash_after_the_commit_but_before_the_delete_loads_nothing_twice(five_visits, tmp_path):
    kept = tmp_path / "kept.log"
    shutil.copy(five_visits, kept)
    assert visits_load(now=timezone.now() + LATER).visits == 5
    shutil.copy(kept, five_visits)  # as if the loader died before deleting the file
    result = visits_load(now=timezone.now() + LATER)
    assert (result.files, result.visits) == (0, 0)
    assert not five_visits.exists()
    assert Visit.objects.count() == 5


def test_a_torn_last_line_is_skipped_and_counted(five_visits):
    with open(five_visits, "a") as out:
        out.write("v1\t1700000000.000\t127.0.0.1")  # a process killed mid-write
    result = visits_load(now=timezone.now() + LATER)
    assert (result.visits, result.bad_lines) == (5, 1)


def test_file_names_say_which_hour_they_belong_to(tmp_path):
    for name in ("2026112413-web1-100.log", "2026112414-web1-100.log", "2026112414-web2-7.log", "notes.txt"):
        (tmp_path / name).write_text("")
    at = datetime(2026, 11, 24, 15, 1, tzinfo=UTC)  # 14:00-15:00 ended a minute ago: within the grace period
    assert [p.name for p in logfile.finished_files(tmp_path, at)] == ["2026112413-web1-100.log"]
    at = datetime(2026, 11, 24, 15, 2, tzinfo=UTC)
    assert len(logfile.finished_files(tmp_path, at)) == 3


def test_the_command_loads_and_purges(five_visits, capsys, time_machine):
    time_machine.move_to(timezone.now() + LATER)
    call_command("load_visits", "--purge")
    out = capsys.readouterr().out
    assert "Loaded 5 visit(s) from 1 file(s)." in out and "Deleted 0 visit(s)" in out


def _visit(day: date, **values):
    row = {
        "date": day,
        "time": "10:00:00",
        "hour": 10,
        "status": 200,
        "path": "/",
        "bytes_sent": 100,
        "bytes_received": 0,
        "duration_ms": 5,
    }
    return Visit(**(row | values))


def test_the_nightly_purge_keeps_visits_for_the_configured_days(db, settings):
    settings.TSC_VISIT_RETENTION_DAYS = 30
    today = date(2026, 11, 24)
    Visit.objects.bulk_create(
        [_visit(today - timedelta(days=age)) for age in (0, 29, 30, 31, 400)],
    )
    assert visits_purge(today=today) == 2
    assert sorted((today - v.date).days for v in Visit.objects.all()) == [0, 29, 30]


def test_the_retention_defaults_to_a_year():
    from tsc import settings as production

    assert production.TSC_VISIT_RETENTION_DAYS == 365
