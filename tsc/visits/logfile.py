"""The visit files: one line per request, appended by the middleware, loaded by a task.

Each process writes its own file per hour (UTC), ``VAR_DIR/visits/<YYYYMMDDHH>-<host>-<pid>.log``,
opened with O_APPEND: a line is one write() on a file no other process writes, so there is no
lock, no database and no waiting on the request path. A file is *finished* once its hour has
ended (plus a grace period); only finished files are loaded (services.visits_load).

A line is tab-separated, version first::

    v1  epoch  client_ip  server_ip  status  path  query  bytes_sent  bytes_received  user_agent
        referrer  protocol  duration_ms

Text fields never hold control characters (scrub.py removes them), so tabs and newlines need no
escaping.
"""

import os
import re
import socket
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

VERSION = "v1"
FIELDS = 13  # with the version
# A request that began in the last second of an hour writes to that hour's file when it ends; a
# file is left alone until this long after its hour.
GRACE = timedelta(minutes=2)

_NAME = re.compile(r"(?P<hour>\d{10})-[A-Za-z0-9.\-]+-\d+\.log")
_HOST = re.sub(r"[^A-Za-z0-9.\-]", "-", socket.gethostname())[:64] or "host"


def directory(var_dir) -> Path:
    return Path(var_dir) / "visits"


class Appender:
    """The current file of this process. Safe across threads: the (key, fd) pair is swapped as
    one reference, and a replaced descriptor is closed only two files later, so a thread that
    picked it up just before the swap still writes into the right file."""

    def __init__(self):
        self._current: tuple[tuple, int] | None = None
        self._retired: list[int] = []
        self._lock = threading.Lock()

    def write(self, folder: str, epoch: float, line: str) -> None:
        key = (folder, int(epoch) // 3600, os.getpid())
        current = self._current
        fd = current[1] if current is not None and current[0] == key else self._open(key)
        os.write(fd, line.encode("utf-8", "replace"))

    def _open(self, key: tuple) -> int:
        with self._lock:
            current = self._current
            if current is not None and current[0] == key:
                return current[1]
            folder, hour, pid = key
            os.makedirs(folder, mode=0o700, exist_ok=True)
            name = f"{datetime.fromtimestamp(hour * 3600, UTC):%Y%m%d%H}-{_HOST}-{pid}.log"
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
            fd = os.open(os.path.join(folder, name), flags, 0o600)
            self._current = (key, fd)
            if current is not None:
                self._retired.append(current[1])
                while len(self._retired) > 2:
                    try:
                        os.close(self._retired.pop(0))
                    except OSError:
                        pass
            return fd


def finished_files(folder: Path, now: datetime) -> list[Path]:
    """The visit files whose hour ended at least GRACE before `now`, oldest first."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.fullmatch(path.name)
        if not match:
            continue
        hour = datetime.strptime(match["hour"], "%Y%m%d%H").replace(tzinfo=UTC)
        if hour + timedelta(hours=1) + GRACE <= now:
            found.append(path)
    return sorted(found)


def parse(line: str) -> list[str] | None:
    """The fields of a line (without the version), or None for a line that is not whole (a
    process killed mid-write) or not of this version."""
    fields = line.rstrip("\n").split("\t")
    if len(fields) != FIELDS or fields[0] != VERSION or not line.endswith("\n"):
        return None
    return fields[1:]
