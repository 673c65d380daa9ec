"""Background work: Django's ``django.tasks`` API, executed by huey.

App code only ever uses Django's API::

    from django.db import transaction
    from django.tasks import task

    @task
    def process_upload(upload_id: int) -> None:
        ...  # record progress on the upload's status row

    transaction.on_commit(lambda: process_upload.enqueue(upload.pk))

``settings.TASKS`` names :class:`HueyBackend`; ``settings.HUEY`` builds the huey instance
(``huey.contrib.djhuey.HUEY``) from :class:`TscSqliteHuey` or :class:`TscRedisHuey`. Those
classes register the one generic huey task, ``run_django_task``, that runs every django.tasks
task, so ``manage.py run_huey`` is the worker and needs no other import to find it.

Behaviour (see :class:`HueyBackend` for details):

* ``enqueue()`` validates the task and its arguments (JSON only, like every django.tasks
  backend), pushes one huey message and returns a ``TaskResult`` with a fresh id and status
  READY. In huey's immediate mode (tests) the task has already run when ``enqueue()``
  returns, and the result is SUCCESSFUL or FAILED -- exactly like Django's ImmediateBackend,
  which does not re-raise the task's exception either.
* ``get_result(id)`` works from any process: status, timestamps, return value and error
  class are kept in huey's result store. Arguments are never kept there, and stored tracebacks
  carry no exception messages, because both may hold personal data.
* A failing task is logged with its path, result id and exception class only.

Enqueue after the transaction that wrote the task's rows commits (``transaction.on_commit``):
a worker in another process cannot see uncommitted rows.
"""

import json
import logging
import os
import socket
import traceback
from typing import Any

import huey
from django.db import close_old_connections
from django.tasks import Task, TaskContext, TaskResult, TaskResultStatus
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import TaskError
from django.tasks.exceptions import InvalidTask, TaskResultDoesNotExist
from django.tasks.signals import task_enqueued, task_finished, task_started
from django.utils import timezone
from django.utils.json import normalize_json
from django.utils.module_loading import import_string
from huey.storage import MemoryStorage

logger = logging.getLogger(__name__)

# Key of a task's record in huey's result store (huey's own results use the bare task id).
RESULT_KEY = "tsc.djtask:%s"


# --- The huey side -----------------------------------------------------------------------


def runner_for(huey_instance: huey.Huey):
    """The generic huey task that runs django.tasks tasks, registered on ``huey_instance``
    once (idempotent)."""
    runner = getattr(huey_instance, "_tsc_django_task_runner", None)
    if runner is None:

        def run_django_task(task_path: str, args: list, kwargs: dict, task=None) -> None:
            _execute(huey_instance, task.id, task_path, args, kwargs)

        runner = huey_instance.task(name="run_django_task", context=True)(run_django_task)
        huey_instance._tsc_django_task_runner = runner
    return runner


class _RegistersRunner:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        runner_for(self)


class TscSqliteHuey(_RegistersRunner, huey.SqliteHuey):
    """huey on a SQLite file, able to run django.tasks tasks."""


class TscRedisHuey(_RegistersRunner, huey.RedisHuey):
    """huey on Redis, able to run django.tasks tasks."""


def _keeps_results(huey_instance: huey.Huey) -> bool:
    return bool(huey_instance.results)


def _writes_record(huey_instance: huey.Huey) -> bool:
    # Immediate mode always writes one, so enqueue() can return the outcome.
    return _keeps_results(huey_instance) or huey_instance.immediate


def _in_memory(huey_instance: huey.Huey) -> bool:
    return isinstance(huey_instance.storage, MemoryStorage)


def _task_error(exc: BaseException, *, with_messages: bool) -> TaskError:
    path = f"{type(exc).__module__}.{type(exc).__qualname__}"
    if with_messages:
        text = "".join(traceback.format_exception(exc))
    else:
        # Frames (file, line, source) but no exception message: messages may quote personal data.
        text = "Traceback (most recent call last):\n" + "".join(traceback.format_tb(exc.__traceback__)) + path + "\n"
    return TaskError(exception_class_path=path, traceback=text)


def _resolve(task_path: str) -> Task:
    obj = import_string(task_path)
    if not isinstance(obj, Task):
        raise TypeError(f"{task_path!r} is not a django.tasks Task")
    return obj


def _execute(huey_instance: huey.Huey, result_id: str, task_path: str, args: list, kwargs: dict) -> None:
    """Run one django.tasks task inside a huey worker (or in-process in immediate mode).

    Never raises the task's exception: the outcome goes to the result record and the log
    (path and exception class only), so huey neither logs the message nor stores it.
    """
    key = RESULT_KEY % result_id
    keep = _writes_record(huey_instance)
    record = (huey_instance.get(key, peek=True) if keep else None) or _new_record(
        result_id, task_path, backend="default"
    )
    now = timezone.now()
    record.update(status=TaskResultStatus.RUNNING.value, started_at=now, last_attempted_at=now)
    record["worker_ids"].append(f"{socket.gethostname()}:{os.getpid()}")
    if keep:
        huey_instance.put_result(key, record)

    immediate = huey_instance.immediate
    error = None
    if not immediate:
        close_old_connections()
    try:
        django_task = _resolve(task_path)
        started = _to_result(record, django_task, args, kwargs)
        task_started.send(sender=HueyBackend, task_result=started)
        if django_task.takes_context:
            value = django_task.call(TaskContext(task_result=started), *args, **kwargs)
        else:
            value = django_task.call(*args, **kwargs)
        record["return_value"] = normalize_json(value)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: B036 -- like Django's ImmediateBackend: any failure is a FAILED result
        error = _task_error(exc, with_messages=_in_memory(huey_instance))
    finally:
        if not immediate:
            close_old_connections()

    record["finished_at"] = timezone.now()
    if error is None:
        record["status"] = TaskResultStatus.SUCCESSFUL.value
    else:
        record["status"] = TaskResultStatus.FAILED.value
        record["errors"].append((error.exception_class_path, error.traceback))
        logger.error("Task %s (result %s) failed: %s", task_path, result_id, error.exception_class_path)
    if keep:
        huey_instance.put_result(key, record)
    try:
        finished = _to_result(record, _resolve(task_path), args, kwargs)
    except (ImportError, TypeError):
        return
    # Sent outside any except block, so django.tasks' own logger records no exception text.
    task_finished.send(sender=HueyBackend, task_result=finished)


# --- Records: what huey's result store keeps about one django.tasks task -----------------


def _new_record(result_id: str, task_path: str, *, backend: str, django_task: Task | None = None) -> dict:
    return {
        "id": result_id,
        "task_path": task_path,
        "backend": backend,
        "priority": django_task.priority if django_task else None,
        "queue_name": django_task.queue_name if django_task else None,
        "run_after": django_task.run_after if django_task else None,
        "status": TaskResultStatus.READY.value,
        "enqueued_at": None,
        "started_at": None,
        "last_attempted_at": None,
        "finished_at": None,
        "return_value": None,
        "errors": [],  # (exception class path, traceback)
        "worker_ids": [],
    }


def _to_result(record: dict, django_task: Task, args: list, kwargs: dict) -> TaskResult:
    result = TaskResult(
        task=django_task,
        id=record["id"],
        status=TaskResultStatus(record["status"]),
        enqueued_at=record["enqueued_at"],
        started_at=record["started_at"],
        last_attempted_at=record["last_attempted_at"],
        finished_at=record["finished_at"],
        args=args,
        kwargs=kwargs,
        backend=record["backend"],
        errors=[TaskError(exception_class_path=path, traceback=text) for path, text in record["errors"]],
        worker_ids=list(record["worker_ids"]),
    )
    if result.status == TaskResultStatus.SUCCESSFUL:
        object.__setattr__(result, "_return_value", record["return_value"])
    return result


# --- The django.tasks side ---------------------------------------------------------------


class HueyBackend(BaseTaskBackend):
    """A django.tasks backend that hands tasks to huey.

    * ``enqueue(task, args, kwargs)``: validates the task (module-level, importable from its
      module path) and the arguments (JSON-compatible: they are normalised and round-tripped
      through JSON, so the task sees the same values in tests and in a worker; anything else
      raises ``TypeError``/``ValueError``), pushes one ``run_django_task`` huey message and
      returns a ``TaskResult`` with a fresh id (the huey task id) and status READY.
    * Immediate mode (``settings.HUEY["immediate"]``, on in tests): huey runs the task inside
      ``enqueue()``, in the caller's thread and transaction, and ``enqueue()`` returns the
      finished result: SUCCESSFUL with ``return_value``, or FAILED with ``errors`` -- the
      exception is not re-raised, as with Django's ImmediateBackend. ``run_after`` is ignored
      there (the task runs at once).
    * ``get_result(id)``: from any process, while huey keeps results (``HUEY["results"]``,
      default on). The record holds status, timestamps, worker ids, the return value and
      errors (exception class and a traceback without messages; in immediate mode with
      in-memory storage the full traceback). It never holds the arguments: a fetched result
      has empty ``args``/``kwargs``. Return only non-personal values (ids, counts). Records are
      small and are not expired; the application's own rows (an upload's status) are the
      record users see.
    * ``run_after``: huey's ``eta``. ``priority``: passed to huey, which orders by it on SQLite
      (higher first, as in Django) and ignores it on plain Redis. ``queue_name``: only the
      configured ``QUEUES`` (default ``["default"]``) are accepted, and all share huey's one queue.
    * Async task functions are run with ``async_to_sync``.

    ``OPTIONS={"huey": <Huey instance>}`` uses that instance instead of the configured one
    (for tests).
    """

    supports_defer = True
    supports_async_task = True
    supports_priority = True  # the same in every environment; huey's plain Redis storage ignores it

    def __init__(self, alias, params):
        super().__init__(alias, params)
        self._huey = self.options.get("huey")

    @property
    def huey(self) -> huey.Huey:
        if self._huey is None:
            from huey.contrib.djhuey import HUEY

            self._huey = HUEY
        return self._huey

    @property
    def supports_get_result(self) -> bool:
        return _keeps_results(self.huey)

    @staticmethod
    def _check_importable(task):
        # Not in validate_task(): that also runs while @task decorates, before the name exists.
        try:
            resolved = import_string(task.module_path)
        except ImportError:
            resolved = None
        if not isinstance(resolved, Task) or resolved.func is not task.func:
            raise InvalidTask(f"Task must be importable from its module path ({task.module_path!r}).")

    @staticmethod
    def _json(value: Any) -> Any:
        return json.loads(json.dumps(normalize_json(value)))

    def enqueue(self, task, args, kwargs):
        self.validate_task(task)
        self._check_importable(task)
        args = self._json(list(args))
        kwargs = self._json(dict(kwargs))

        hq = self.huey
        immediate = hq.immediate
        message = runner_for(hq).s(
            task.module_path,
            args,
            kwargs,
            eta=None if immediate else task.run_after,
            priority=task.priority or None,
        )
        record = _new_record(message.id, task.module_path, backend=self.alias, django_task=task)
        record["enqueued_at"] = timezone.now()
        key = RESULT_KEY % message.id
        if _writes_record(hq):
            hq.put_result(key, record)
        task_enqueued.send(sender=type(self), task_result=_to_result(record, task, args, kwargs))

        hq.enqueue(message)

        if immediate:
            # The task has run already: return its outcome.
            record = hq.get(key, peek=_keeps_results(hq)) or record
        return _to_result(record, task, args, kwargs)

    def get_result(self, result_id):
        if not self.supports_get_result:
            raise NotImplementedError("huey is configured without results (HUEY['results'] is off).")
        record = self.huey.get(RESULT_KEY % result_id, peek=True)
        if record is None:
            raise TaskResultDoesNotExist(result_id)
        task = _resolve(record["task_path"])
        changes = {name: record[name] for name in ("priority", "queue_name", "run_after") if record[name] is not None}
        if any(getattr(task, name) != value for name, value in changes.items()):
            task = task.using(**changes)
        return _to_result(record, task, [], {})
