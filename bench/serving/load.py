"""Serving and load for the benches: gunicorn with the production settings, clients that sign in
through the real pages (Welcome page, then Sign in, with their CSRF tokens), and an asyncio +
httpx load generator with per-page latency percentiles.

Cookies are kept by hand: with DEBUG off the session and CSRF cookies are Secure, and a client
speaking plain HTTP to gunicorn (TLS ends at the load balancer in production) would otherwise
never send them back.
"""

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent.parent
VENV_BIN = Path(sys.executable).parent
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def start_gunicorn(port: int, env: dict, *, workers: int = 3, log: Path | None = None) -> subprocess.Popen:
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen(  # noqa: S603 - our own command line
        [
            str(VENV_BIN / "gunicorn"),
            "tsc.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
            "--backlog",
            "2048",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
        ],
        env=env,
        stdout=out,
        stderr=out,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn on port {port} exited with {proc.returncode} (log: {log})")
        try:
            httpx.get(f"http://127.0.0.1:{port}/privacy/", timeout=2)
            return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    stop(proc)
    raise RuntimeError(f"gunicorn on port {port} did not answer within 60 s")


def stop(proc: subprocess.Popen) -> None:
    """Stop a process we started (and its children: gunicorn's workers), by its own group id."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class Client:
    """One browser: its own connection and cookies, signed in through the real pages."""

    def __init__(self, base: str):
        self.base = base
        self.http = httpx.AsyncClient(base_url=base, timeout=120, follow_redirects=False)
        self.cookies: dict[str, str] = {}

    def _headers(self) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def _keep(self, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        self.http.cookies.clear()

    async def get(self, url: str, base: str | None = None) -> httpx.Response:
        response = await self.http.get((base or "") + url, headers=self._headers())
        self._keep(response)
        return response

    async def post(self, url: str, data: dict) -> httpx.Response:
        response = await self.http.post(url, data=data, headers=self._headers())
        self._keep(response)
        return response

    async def _form_token(self, url: str) -> str:
        page = await self.get(url)
        found = CSRF_INPUT.search(page.content)
        assert page.status_code == 200 and found, (url, page.status_code)
        return found.group(1).decode()

    async def sign_in(self, registration_number: str, user_id: str, password: str) -> float:
        """Welcome page, registration number, Sign in page, password. Returns the seconds the
        password step took (the Argon2 check)."""
        token = await self._form_token("/")
        r = await self.post("/", {"csrfmiddlewaretoken": token, "registration_number": registration_number})
        assert r.status_code == 302 and r.headers["location"].endswith("/sign-in/"), (r.status_code, r.text[:300])
        token = await self._form_token("/sign-in/")
        started = time.perf_counter()
        r = await self.post("/sign-in/", {"csrfmiddlewaretoken": token, "user_id": user_id, "password": password})
        assert r.status_code == 302 and r.headers["location"].endswith("/menu/"), (r.status_code, r.text[:300])
        return time.perf_counter() - started

    async def close(self) -> None:
        await self.http.aclose()


@dataclass
class Result:
    name: str
    duration: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    bytes: int = 0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.duration

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def drive(clients: list[Client], urls, *, seconds: float, warmup: float = 3.0, name: str = "") -> Result:
    """Every client asks for its next URL as soon as the last one answered, for warmup + seconds;
    the requests that end in the window (after the warm-up) count. `urls` is one URL for
    all, or a function (client index, request number) → (base or None, URL)."""
    result = Result(name, seconds)
    t0 = time.perf_counter()
    window_start, window_end = t0 + warmup, t0 + warmup + seconds

    async def one(i: int, client: Client) -> None:
        n = 0
        while (now := time.perf_counter()) < window_end:
            base, url = urls(i, n) if callable(urls) else (None, urls)
            n += 1
            started = now
            try:
                response = await client.get(url, base)
                ok = response.status_code == 200
                size = len(response.content)
            except httpx.HTTPError:
                ok, size = False, 0
            ended = time.perf_counter()
            if window_start <= ended <= window_end:
                if ok:
                    result.latencies.append(ended - started)
                    result.bytes = size
                else:
                    result.errors += 1

    await asyncio.gather(*(one(i, c) for i, c in enumerate(clients)))
    return result


async def drive_sign_ins(
    clients: list[Client], logins: list[tuple[str, str]], password: str, *, seconds: float, warmup: float = 3.0
) -> tuple[Result, Result]:
    """Every client signs in again and again through the real pages, as a new visitor each time
    (no cookies), with the logins in turn; the sign-ins that end in the window (after the
    warm-up) count. Returns the whole sign-ins (four requests each) and their password steps."""
    whole, password_step = Result("sign-in", seconds), Result("password step", seconds)
    t0 = time.perf_counter()
    window_start, window_end = t0 + warmup, t0 + warmup + seconds

    async def one(i: int, client: Client) -> None:
        n = i
        while (started := time.perf_counter()) < window_end:
            number, user_id = logins[n % len(logins)]
            n += len(clients)
            client.cookies.clear()
            try:
                step = await client.sign_in(number, user_id, password)
                ok = True
            except (httpx.HTTPError, AssertionError):
                ok, step = False, 0.0
            ended = time.perf_counter()
            if window_start <= ended <= window_end:
                if ok:
                    whole.latencies.append(ended - started)
                    password_step.latencies.append(step)
                else:
                    whole.errors += 1

    await asyncio.gather(*(one(i, c) for i, c in enumerate(clients)))
    return whole, password_step
