"""Loading finished visit files into the database, and keeping them only as long as allowed.

`visits_load` claims a file by inserting its name into LoadedVisitFile, inserts its visits in
bulk (COPY on PostgreSQL, one prepared INSERT with executemany on SQLite), all in one
transaction, then deletes the file. A crash before the commit leaves nothing loaded and the file
in place; a crash after it leaves the name recorded, so the next run only deletes the file. Two
loaders at once: the second waits on the unique name and then skips the file.
"""

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from . import logfile
from .models import LoadedVisitFile, Visit

logger = logging.getLogger(__name__)

CHUNK = 10_000
COLUMNS = (
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
)


@dataclass
class LoadResult:
    files: int = 0
    visits: int = 0
    bad_lines: int = 0


def visits_load(*, now: datetime | None = None) -> LoadResult:
    """Load every finished visit file (see logfile.finished_files) and delete it."""
    now = now or timezone.now()
    result = LoadResult()
    for path in logfile.finished_files(logfile.directory(settings.VAR_DIR), now):
        try:
            with transaction.atomic():
                claim = LoadedVisitFile.objects.create(name=path.name, visits=0, loaded_at=now)
                visits, bad = _load_file(path, now)
                claim.visits = visits
                claim.save(update_fields=["visits"])
        except IntegrityError:
            logger.info("Visit file %s was loaded before; deleting it", path.name)
        else:
            result.files += 1
            result.visits += visits
            result.bad_lines += bad
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    return result


def _load_file(path: Path, now: datetime) -> tuple[int, int]:
    loaded = bad = 0
    chunk: list[tuple] = []
    for row in _rows(path, cutoff=_cutoff(timezone.localdate(now))):
        if row is None:
            bad += 1
            continue
        chunk.append(row)
        if len(chunk) >= CHUNK:
            insert_visits(chunk)
            loaded += len(chunk)
            chunk = []
    if chunk:
        insert_visits(chunk)
        loaded += len(chunk)
    return loaded, bad


def _rows(path: Path, *, cutoff: date) -> Iterator[tuple | None]:
    """Rows in COLUMNS order (dates and times as ISO text); None for a line that cannot be read.
    Visits already past retention are skipped."""
    zone = ZoneInfo(settings.TIME_ZONE)
    with open(path, encoding="utf-8", errors="replace", newline="\n") as lines:
        for line in lines:
            fields = logfile.parse(line)
            if fields is None:
                yield None
                continue
            epoch, client, server, status, page, query, sent, received, agent, referrer, protocol, ms = fields
            try:
                at = datetime.fromtimestamp(float(epoch), zone)
                row = (
                    at.date().isoformat(),
                    at.time().isoformat(),
                    at.hour,
                    client or None,
                    server or None,
                    int(status),
                    page,
                    query,
                    int(sent),
                    int(received),
                    agent,
                    referrer,
                    protocol,
                    int(ms),
                )
            except (ValueError, OverflowError, OSError):
                yield None
                continue
            if at.date() >= cutoff:
                yield row


def insert_visits(rows: list[tuple]) -> None:
    """Insert rows (in COLUMNS order) in bulk, bypassing the ORM's per-object work."""
    meta = Visit._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(meta.get_field(name).column) for name in COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Names come from the model's metadata, never from input; values go through COPY.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


def _cutoff(today: date) -> date:
    return today - timedelta(days=settings.TSC_VISIT_RETENTION_DAYS)


@transaction.atomic
def visits_purge(*, today: date | None = None) -> int:
    """Delete visits older than TSC_VISIT_RETENTION_DAYS (and the names of files loaded as long
    ago). Returns the number of visits deleted."""
    cutoff = _cutoff(today or timezone.localdate())
    deleted, _ = Visit.objects.filter(date__lt=cutoff).delete()
    LoadedVisitFile.objects.filter(loaded_at__date__lt=cutoff).delete()
    return deleted
