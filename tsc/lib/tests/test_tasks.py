"""tsc.lib.tasks: django.tasks executed by huey.

In tests huey is in immediate mode, so .enqueue() runs the task at once. The worker tests run a
real `manage.py run_huey` against a SQLite file (and Redis, when reachable). No test here
touches the test database, so the module behaves the same on SQLite and PostgreSQL runs.
"""

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.tasks import TaskResultStatus, default_task_backend, task_backends
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone

from tsc.lib.tasks import HueyBackend, TscRedisHuey, TscSqliteHuey
from tsc.lib.tests.tasks_fixture import add, async_add, attempt, bad_return_value, echo, fail, write_marker

SECRET = "123-45-6789"


# --- Immediate mode (the test default) ---------------------------------------------------


def test_the_configured_backend_is_huey_in_immediate_mode():
    from huey.contrib.djhuey import HUEY

    assert isinstance(task_backends["default"], HueyBackend)
    assert settings.HUEY["immediate"] is True
    assert HUEY.immediate
    assert isinstance(HUEY, TscSqliteHuey | TscRedisHuey)


def test_enqueue_runs_the_task_at_once(tmp_path):
    marker = tmp_path / "marker.txt"
    result = write_marker.enqueue(str(marker), "hello")

    assert marker.read_text() == "hello"
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5
    assert result.is_finished
    assert result.args == [str(marker), "hello"]
    assert result.backend == "default"
    assert result.attempts == 1
    assert result.enqueued_at <= result.started_at <= result.finished_at


def test_results_can_be_fetched_without_their_arguments():
    result = add.enqueue(2, 3)
    assert result.return_value == 5

    fetched = add.get_result(result.id)
    assert fetched.status == TaskResultStatus.SUCCESSFUL
    assert fetched.return_value == 5
    assert fetched.task.func is add.func
    assert fetched.args == [] and fetched.kwargs == {}  # arguments are never stored

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL


def test_each_enqueue_has_a_fresh_id_and_unknown_ids_are_refused():
    assert add.enqueue(1, 1).id != add.enqueue(1, 1).id
    with pytest.raises(TaskResultDoesNotExist):
        default_task_backend.get_result("no-such-result")


def test_a_failing_task_is_a_failed_result_and_logs_no_arguments(caplog):
    caplog.set_level(logging.DEBUG)
    result = fail.enqueue(SECRET)  # not re-raised, as with Django's ImmediateBackend

    assert result.status == TaskResultStatus.FAILED
    assert result.is_finished
    assert result.errors[0].exception_class is ValueError
    with pytest.raises(ValueError, match="Task failed"):
        _ = result.return_value
    assert fail.get_result(result.id).status == TaskResultStatus.FAILED

    assert "tsc.lib.tests.tasks_fixture.fail" in caplog.text
    assert "builtins.ValueError" in caplog.text
    assert SECRET not in caplog.text
    assert "could not process" not in caplog.text


def test_a_return_value_that_is_not_json_fails_the_task():
    result = bad_return_value.enqueue()
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class is TypeError


@pytest.mark.parametrize("bad", [object(), {1, 2}, timezone.now(), Path("marker.txt")])
def test_arguments_that_are_not_json_are_refused(tmp_path, bad):
    marker = tmp_path / "marker.txt"
    with pytest.raises(TypeError):
        write_marker.enqueue(str(marker), bad)
    with pytest.raises(TypeError):
        write_marker.enqueue(path=str(marker), text=bad)
    assert not marker.exists()


def test_undecodable_bytes_are_refused():
    with pytest.raises(ValueError):
        echo.enqueue(b"\xff")


def test_the_task_sees_its_arguments_as_json_would_give_them():
    result = echo.enqueue((1, 2), b"bytes", mapping={1: "one"}, nested=[(None, True)])
    assert result.return_value == [[[1, 2], "bytes"], {"mapping": {"1": "one"}, "nested": [[None, True]]}]


def test_context_async_and_run_after():
    assert attempt.enqueue().return_value == 1
    # In a fresh thread: once Playwright's sync API has run in this process (browser tests), the
    # main thread holds an event loop, and async_to_sync refuses to run there.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(lambda: async_add.enqueue(2, 2).return_value).result() == 4
    later = add.using(run_after=timezone.now() + timedelta(hours=1))
    assert later.enqueue(1, 2).return_value == 3  # immediate mode runs deferred tasks at once


# --- A real worker -----------------------------------------------------------------------


def _redis_url() -> str | None:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    except Exception:
        return None
    return url


@contextlib.contextmanager
def _worker(tmp_path: Path, env: dict):
    """`manage.py run_huey` in a subprocess, stopped gracefully (SIGINT) on exit."""
    log_path = tmp_path / "worker.log"
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tsc.settings_test",
        "TSC_HUEY_IMMEDIATE": "0",
        "TSC_VAR_DIR": str(tmp_path / "var"),
        **env,
    }
    # --skip-checks: the system checks (URLs, models) are the rest of the suite's business.
    command = [sys.executable, "manage.py", "run_huey", "--skip-checks", "--workers", "1"]
    command += ["--delay", "0.1", "--max-delay", "0.5"]  # poll the queue often
    with log_path.open("w") as log:
        proc = subprocess.Popen(  # noqa: S603 -- fixed command
            command, cwd=settings.BASE_DIR, env=full_env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            yield proc, log_path
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def _wait_for(proc, log_path: Path, predicate, what: str, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        if proc.poll() is not None:
            pytest.fail(f"worker exited ({proc.returncode}) before {what}:\n{log_path.read_text()}")
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}:\n{log_path.read_text()}")


def _finished(backend: HueyBackend, result_id: str):
    def check():
        result = backend.get_result(result_id)
        return result if result.is_finished else None

    return check


def _exercise_worker(tmp_path: Path, huey_instance, env: dict, *, run_after: bool):
    assert not huey_instance.immediate
    backend = HueyBackend("default", {"OPTIONS": {"huey": huey_instance}})
    marker = tmp_path / "marker.txt"
    later_marker = tmp_path / "later.txt"

    # Enqueued before the worker starts: the queue, not the process, carries the work.
    queued = backend.enqueue(write_marker, [str(marker), "from the worker"], {})
    assert queued.status == TaskResultStatus.READY
    assert not marker.exists()
    failing = backend.enqueue(fail, [SECRET], {})

    with _worker(tmp_path, env) as (proc, log_path):
        _wait_for(proc, log_path, lambda: marker.exists() and marker.read_text() == "from the worker", "the marker")
        if run_after:  # enqueued while the worker is up and idle: only run_after holds it back
            not_before = timezone.now() + timedelta(seconds=1)
            deferred = backend.enqueue(write_marker.using(run_after=not_before), [str(later_marker), "later"], {})
        done = _wait_for(proc, log_path, _finished(backend, queued.id), "the result")
        assert done.status == TaskResultStatus.SUCCESSFUL
        assert done.return_value == len("from the worker")
        assert done.worker_ids and done.started_at >= done.enqueued_at

        failed = _wait_for(proc, log_path, _finished(backend, failing.id), "the failure")
        assert failed.status == TaskResultStatus.FAILED
        assert failed.errors[0].exception_class is ValueError
        assert SECRET not in failed.errors[0].traceback  # stored tracebacks carry no messages

        if run_after:
            ran = _wait_for(proc, log_path, _finished(backend, deferred.id), "the deferred task")
            assert ran.status == TaskResultStatus.SUCCESSFUL
            assert ran.started_at >= not_before
            assert later_marker.read_text() == "later"

    assert proc.returncode == 0, log_path.read_text()  # stopped gracefully
    log = log_path.read_text()
    assert "tsc.lib.tests.tasks_fixture.fail" in log and "builtins.ValueError" in log
    assert SECRET not in log and "could not process" not in log


def test_a_real_worker_runs_tasks_from_a_sqlite_queue(tmp_path):
    huey_file = tmp_path / "huey.sqlite3"
    huey_instance = TscSqliteHuey("tsc", filename=str(huey_file), immediate=False)
    _exercise_worker(tmp_path, huey_instance, {"TSC_HUEY_FILE": str(huey_file), "REDIS_URL": ""}, run_after=True)


def test_a_real_worker_runs_tasks_from_a_redis_queue(tmp_path):
    url = _redis_url()
    if url is None:
        pytest.skip("Redis is not reachable")
    name = f"tsc-test-{uuid.uuid4().hex}"  # never the real queue
    huey_instance = TscRedisHuey(name, url=url, immediate=False)
    try:
        _exercise_worker(tmp_path, huey_instance, {"REDIS_URL": url, "TSC_HUEY_NAME": name}, run_after=False)
    finally:
        huey_instance.flush()
