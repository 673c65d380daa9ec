"""A large upload is checked on two cores: a child process reads and checks the file and makes the
rows to store while this process stores them (and, on PostgreSQL, the server takes them in).

The child is forked: it starts at once and inherits the settings and keys. It reads the sealed
file and runs the very same checks (`uploads._Checker`, `uploads.checked_batches`), makes each
batch's rows with the TINs encrypted (`bulk.batch_rows`: COPY's text on PostgreSQL, a text per
column on SQLite) and sends them, the progress and at the end what it found through a pipe; it
never uses the database, huey or logging, so nothing it inherited is touched twice. No TIN
crosses the pipe in clear. This process only inserts each batch (`bulk.Rows.insert`): on
PostgreSQL that leaves the second core to the server, whose share of the work is as large as the
child's. Memory stays flat: the pipe holds at most one batch, and the child waits until it is
read.

Everything else is as without the child: the same short staging transactions, the same problems
in the same order, and a crash (of either process) leaves staged records the next attempt
deletes. Small files (under TSC_UPLOAD_PIPELINE_RECORDS, and always inside a transaction, as in
tests) are checked in this process alone: a fork costs more than it saves there.
"""

from __future__ import annotations

import gc
import multiprocessing
import warnings
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection

from tsc.lib.sealed_files import SealedFileError

if TYPE_CHECKING:
    from .bulk import Rows
    from .models import Upload
    from .uploads import _Checker

# No word from the child for this long means it is stuck: it is stopped and the attempt fails
# (the task is retried, and the staged records are deleted then).
SILENCE_SECONDS = 300


def wanted(upload: Upload) -> bool:
    threshold = settings.TSC_UPLOAD_PIPELINE_RECORDS
    return (
        0 < threshold <= upload.expected_records
        and not connection.in_atomic_block
        and "fork" in multiprocessing.get_all_start_methods()
    )


def _child(checker: _Checker, checked_batches, pipe) -> None:
    def progress(_token, records: int) -> None:
        pipe.send(("progress", records))

    # A short-lived process making no reference cycles of note: the collector would only walk
    # the 100,000s of short-lived tuples of the checks over and over (and touch the pages it
    # shares with the parent).
    gc.disable()

    checker.progress = progress
    unreadable = ""
    try:
        try:
            for rows, paid, withheld in checked_batches(checker):
                pipe.send(("batch", rows, str(paid), str(withheld), checker.records))
        except SealedFileError as error:
            unreadable = str(error)
        pipe.send(
            (
                "done",
                {
                    "records": checker.records,
                    "problem_count": checker.problem_count,
                    "problems": checker.problems,
                    "other_states": checker.other_states,
                    "unreadable": unreadable,
                },
            )
        )
    except BaseException as error:  # noqa: BLE001 - the parent is told, whatever it was
        pipe.send(("error", type(error).__name__))
    finally:
        pipe.close()  # then multiprocessing ends the child with os._exit: nothing of the parent's is closed


def batches(checker: _Checker, checked_batches) -> Iterator[tuple[Rows, Decimal, Decimal]]:
    """What `checked_batches(checker)` (uploads.checked_batches) yields, made by a child process. When the child
    is done, `checker` holds what it found (records, problems, other states), as if it had run
    here; an unreadable file raises SealedFileError here, as it would have."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    with warnings.catch_warnings():
        # Python warns that forking a threaded process may deadlock a child that takes a lock
        # another thread held. This child takes none: no logging, database, huey or imports.
        warnings.simplefilter("ignore", DeprecationWarning)
        child = context.Process(target=_child, args=(checker, checked_batches, send), daemon=True)
        child.start()
    send.close()
    try:
        while True:
            if not receive.poll(SILENCE_SECONDS):
                raise RuntimeError("the upload's checking process stopped answering")
            try:
                message = receive.recv()
            except EOFError:
                raise RuntimeError("the upload's checking process ended without finishing") from None
            kind = message[0]
            if kind == "batch":
                _, rows, paid, withheld, records = message
                checker.records = records
                yield rows, Decimal(paid), Decimal(withheld)
            elif kind == "progress":
                checker.records = message[1]
                checker.progress(checker.upload.token, message[1])
            elif kind == "done":
                found = message[1]
                checker.records = found["records"]
                checker.problem_count = found["problem_count"]
                checker.problems = found["problems"]
                checker.other_states = found["other_states"]
                if found["unreadable"]:
                    raise SealedFileError(found["unreadable"])
                return
            else:
                raise RuntimeError(f"the upload's checking process failed ({message[1]})")
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()
