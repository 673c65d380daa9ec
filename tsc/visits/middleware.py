"""Writes the visit log: one line per request, appended to this process's file for the hour.

First in settings.MIDDLEWARE, so it sees the final status and the body every other middleware
produced (static files served by WhiteNoise included: the policy logs "the web page or file
requested"). It never touches the database and never fails a request: a write that fails is
logged (without the line) and dropped. It reads nothing about who is signed in.
"""

import ipaddress
import logging
import socket
import time

from django.conf import settings

from tsc.lib.request_context import client_ip

from . import logfile
from .scrub import scrub_path, scrub_query, scrub_url, scrub_user_agent

logger = logging.getLogger(__name__)

_appender = logfile.Appender()
_server_ip: str | None = None
MAX_INT = 2**63 - 1
_NO_CONTROL = dict.fromkeys(range(32))


def server_ip(request) -> str:
    """The address of this web server: the WSGI server's SERVER_ADDR when it gives one, else
    TSC_SERVER_IP, else the address this host uses for outgoing traffic (found once)."""
    if addr := request.META.get("SERVER_ADDR"):
        return addr
    global _server_ip
    if _server_ip is None:
        _server_ip = getattr(settings, "TSC_SERVER_IP", "") or _host_address()
    return _server_ip


def _host_address() -> str:
    try:
        # A UDP "connection" sends nothing; it only asks the kernel which local address it would use.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            return probe.getsockname()[0]
    except OSError:
        try:
            return str(ipaddress.ip_address(socket.gethostbyname(socket.gethostname())))
        except (OSError, ValueError):
            return "127.0.0.1"


_folders: dict = {}


def _folder(var_dir) -> str:
    """VAR_DIR/visits as text, worked out once per VAR_DIR (tests change it)."""
    folder = _folders.get(var_dir)
    if folder is None:
        folder = _folders[var_dir] = str(logfile.directory(var_dir))
    return folder


def _int(value, default: int = 0) -> int:
    if not value:
        return default
    try:
        return min(max(int(value), 0), MAX_INT)
    except (TypeError, ValueError):
        return default


class VisitLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        try:
            self._record(request, response, started)
        except Exception:  # noqa: BLE001 -- the log must never cost a visitor the page
            logger.exception("Visit not logged")
        return response

    def _record(self, request, response, started: float) -> None:
        meta = request.META
        # Bytes received: the body's declared length, which is what a WSGI server lets Django read.
        received = _int(meta.get("CONTENT_LENGTH"))
        parts = [
            client_ip(request) or "",
            server_ip(request),
            str(response.status_code),
            scrub_path(request.path)[:1024],
            scrub_query(meta.get("QUERY_STRING", ""))[:512],
        ]
        tail = [
            str(received),
            scrub_user_agent(meta.get("HTTP_USER_AGENT", ""))[:512],
            scrub_url(meta.get("HTTP_REFERER", ""))[:1024],
            meta.get("SERVER_PROTOCOL", "")[:16].translate(_NO_CONTROL),
        ]
        folder = _folder(settings.VAR_DIR)
        if not response.streaming:
            self._write(folder, parts, len(response.content), tail, started)
        elif response.has_header("Content-Length"):
            self._write(folder, parts, _int(response["Content-Length"]), tail, started)
        else:
            # A stream of unknown length: count it as it goes out, write when it ends.
            response.streaming_content = self._counted(response.streaming_content, folder, parts, tail, started)

    def _counted(self, chunks, folder, parts, tail, started):
        sent = 0
        try:
            for chunk in chunks:
                sent += len(chunk)
                yield chunk
        finally:
            try:
                self._write(folder, parts, sent, tail, started)
            except Exception:  # noqa: BLE001
                logger.exception("Visit not logged")

    @staticmethod
    def _write(folder: str, parts: list[str], sent: int, tail: list[str], started: float) -> None:
        duration_ms = round((time.perf_counter() - started) * 1000)
        now = time.time()
        line = "\t".join([logfile.VERSION, f"{now:.3f}", *parts, str(sent), *tail, str(duration_ms)]) + "\n"
        try:
            _appender.write(folder, now, line)
        except OSError as error:
            logger.warning("Visit not logged: %s (%s)", type(error).__name__, error.errno)
