"""A large CSV File Import on PostgreSQL split between processes (issue 11, ADR 0014): one interpreter
needs about 135 µs of CPU to check and file a row, whatever its threads, and a machine has more
than one core.

The rows not yet acknowledged are read once, here, and dealt out by client: every row of one
registration number (as written in the file) goes to the same part, in file order, so what one
row of a client depends on (the CT-941 credit of the prior quarter, a period filed earlier in the
file) is filed before it, by the same process, exactly as in one process. This process files part
0; each other part goes to a child process started afresh (`python -m tsc.bulk.import_parts`: no
fork, so no lock or connection of a busy worker is inherited), which reads its rows from a pipe
and files them with its own database connection. Parts share nothing but the database: no two of
them touch the same client's periods, returns or payments.

Safe to stop anywhere: every batch is its own transaction, every filing has a submission token
derived from the import and the record number, and every row's acknowledgement is unique by
(import, record number). A part that fails (its process exits with an error, or this one raises)
fails the run; the other parts are stopped, and the rerun (the task's retry, or the stalled-import
sweep) files what is left, once. Smaller files, SQLite, and a call inside a transaction (a child
could not see what is not committed) stay in one process.
"""

import gc
import os
import pickle
import subprocess
import sys
import threading
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection

if TYPE_CHECKING:  # imported where used: a child imports this module before Django is set up
    from collections.abc import Iterable

    from .models import BulkImport

PROCESSES = int(os.environ.get("TSC_IMPORT_PROCESSES", "2"))  # at most, for one import
PARTS_ROWS = 10_000  # from this many rows
CHILD = (sys.executable, "-m", "tsc.bulk.import_parts")
# The collector's thresholds while an import files (3.12's are 700, 10, 10): an import makes and drops
# tens of objects a row, few of them in cycles.
COLLECT_LESS = (20_000, 50, 100)


class ImportPartError(RuntimeError):
    pass


def parts_for(bulk_import: "BulkImport") -> int:
    """How many processes share this import's rows (1: this one alone)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block or bulk_import.records_total < PARTS_ROWS:
        return 1
    return max(1, PROCESSES)


def part_of(registration_number: str, parts: int) -> int:
    """The part of a client's rows: the same for every row of one registration number, on every run."""
    return zlib.crc32(registration_number.encode()) % parts


def process_in_parts(bulk_import: "BulkImport", rows: "Iterable", parts: int) -> None:
    """File `rows` (the import's `_Row`s not yet acknowledged, in file order) in `parts` processes.
    The children are started first: their interpreters and Django start while this one reads the
    rows (about half a second of a core each, otherwise added at the end, the children's parts
    finishing last)."""
    from .import_csv import file_rows

    children = [_spawn() for _ in range(1, parts)]
    try:
        split: list[list] = [[] for _ in range(parts)]
        for row in rows:
            split[part_of(row.get("registration_number"), parts)].append(row)
        for child, part in zip(children, split[1:], strict=True):
            _hand(child, bulk_import, part)
        file_rows(bulk_import, split[0])
    except BaseException:
        for child in children:
            child.kill()
            child.wait()
        raise
    failed = [child.wait() for child in children]
    if any(failed):
        raise ImportPartError(f"Import {bulk_import.token}: a part failed (exit {max(failed, key=abs)}); run it again.")


def _spawn() -> subprocess.Popen:
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE,
        "TSC_IMPORT_DATABASE_NAME": connection.settings_dict["NAME"],  # this one's (a test database too)
    }
    root = Path(__file__).resolve().parent.parent.parent
    # This interpreter, this module; nothing from users on the command line.
    return subprocess.Popen(CHILD, stdin=subprocess.PIPE, env=env, cwd=root)  # noqa: S603


def _hand(child: subprocess.Popen, bulk_import: "BulkImport", rows: list) -> None:
    """Give the child its part (maybe none): the import and its rows, from a thread (the child reads
    them once it is up, while this one files)."""
    first_run = getattr(bulk_import, "first_run", False)
    payload = pickle.dumps((bulk_import.pk, first_run, [(r.number, r.cells, r.problem) for r in rows]))
    threading.Thread(target=_feed, args=(child, payload), daemon=True).start()


def _feed(child: subprocess.Popen, payload: bytes) -> None:
    try:
        child.stdin.write(payload)
        child.stdin.close()
    except OSError:  # the child died: its exit status says so
        pass


def main() -> None:
    """A child: read the import's id and its rows from stdin, then file them."""
    import django

    django.setup()  # while the parent reads the rows
    # A process that lives for one part: what Django loaded stays for good, out of the collector's
    # way, and the rows' many short-lived objects are collected less often (about 8 % of its CPU).
    gc.freeze()
    gc.set_threshold(*COLLECT_LESS)
    pk, first_run, rows = pickle.load(sys.stdin.buffer)  # noqa: S301 - written by the parent process
    if name := os.environ.get("TSC_IMPORT_DATABASE_NAME"):
        settings.DATABASES["default"]["NAME"] = name
    from django.db import connection as child_connection

    from .import_csv import _Row, file_rows
    from .models import BulkImport

    try:
        bulk_import = BulkImport.objects.select_related("bulk_filer__firm", "uploaded_by").get(pk=pk)
        bulk_import.first_run = first_run  # the parent's run is this import's first (import_run)
        file_rows(bulk_import, [_Row(number, cells, problem) for number, cells, problem in rows])
    finally:
        child_connection.close()


if __name__ == "__main__":
    main()
