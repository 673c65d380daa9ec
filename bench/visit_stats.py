"""Benchmark: the visit statistics of the back office on a large visit log.

    .venv/bin/python bench/visit_stats.py [N]            (SQLite, default 1,000,000 visits)
    BENCH_KEEP=1 BENCH_DATABASE_URL=…                    (PostgreSQL: time again, no new seed)
    BENCH_DATABASE_URL=postgres://root@127.0.0.1:5432/tsc_bench .venv/bin/python bench/visit_stats.py
                                                        (PostgreSQL, default 10,000,000 visits)

Seeds N visits spread evenly over a year, day after day as the loader adds them, with bulk
inserts made by the database itself (INSERT ... SELECT over generate_series on PostgreSQL, a
recursive CTE on SQLite), in batches of a million, with every index of the Visit table in place;
then times each query of tsc/visits/selectors.py over the last 30 days and over the whole year,
and the whole page's set.
Target (issue 12): the statistics of a 30-day range in well under a second on 10 million rows.
"""

import base64
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = tempfile.mkdtemp(prefix="tsc-bench-")
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "tsc.settings_test",
        "TSC_VAR_DIR": WORK,
        "TSC_PII_KEYS": "b1:" + base64.b64encode(os.urandom(32)).decode(),
        "TSC_PII_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", ""),
    }
)
# BENCH_KEEP=1 times the statistics again on the visits a previous run left (PostgreSQL).
KEEP = os.environ.get("BENCH_KEEP") == "1"
if os.environ["DATABASE_URL"].startswith("postgres") and not KEEP:
    from bench_data import fresh_postgres  # noqa: E402

    fresh_postgres(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from tsc.visits import selectors  # noqa: E402

LAST_DAY = date(2026, 11, 24)
DAYS = 365
BATCH = 1_000_000
AGENTS = 24
PAGES = 400

# One batch of visits numbered from %(first)s: days in order over the year, pages and hours
# skewed (a few pages and the working day are busy), statuses mostly 200.
POSTGRES_BATCH = """
INSERT INTO visits_visit (date, time, hour, client_ip, server_ip, status, path, query, bytes_sent,
                          bytes_received, user_agent, referrer, protocol, duration_ms)
SELECT %(first_day)s::date + (i::bigint * %(days)s / %(n)s)::int,
       make_time(h, (i * 7) %% 60, ((i * 13) %% 60)::float8),
       h,
       ('10.' || (i %% 250) || '.' || ((i / 250) %% 250) || '.' || ((i / 62500) %% 250))::inet,
       ('10.0.0.' || (1 + i %% 4))::inet,
       CASE WHEN r < 0.90 THEN 200 WHEN r < 0.95 THEN 302 WHEN r < 0.99 THEN 404 ELSE 500 END,
       '/page/' || floor(%(pages)s * power(random(), 3))::int || '/',
       CASE WHEN i %% 5 = 0 THEN 'page=2' ELSE '' END,
       (500 + random() * 60000)::int,
       CASE WHEN i %% 10 = 0 THEN (random() * 5000)::int ELSE 0 END,
       'Mozilla/5.0 (Bench) Agent/' || floor(%(agents)s * power(random(), 2))::int,
       CASE WHEN i %% 3 = 0 THEN 'https://portal.ct.gov/drs' ELSE '' END,
       'HTTP/1.1',
       (5 + power(random(), 4) * 2000)::int
FROM (SELECT i, random() AS r,
             LEAST(23, GREATEST(0, round(13 + 3.5 * sqrt(-2 * ln(random())) * cos(2 * pi() * random()))))::int AS h
      FROM generate_series(%(first)s, %(last)s) AS i) AS g
"""

SQLITE_BATCH = """
WITH RECURSIVE n(i) AS (SELECT %(first)s UNION ALL SELECT i + 1 FROM n WHERE i < %(last)s),
g AS (SELECT i, (abs(random()) %% 1000000) / 1e6 AS r, (abs(random()) %% 1000000) / 1e6 AS p,
             (abs(random()) %% 1000000) / 1e6 AS a, 8 + (abs(random()) %% 6) + (abs(random()) %% 6) AS h FROM n)
INSERT INTO visits_visit (date, time, hour, client_ip, server_ip, status, path, query, bytes_sent,
                          bytes_received, user_agent, referrer, protocol, duration_ms)
SELECT date(%(first_day)s, '+' || (i * %(days)s / %(n)s) || ' days'),
       printf('%%02d:%%02d:%%02d', h, (i * 7) %% 60, (i * 13) %% 60),
       h,
       '10.' || (i %% 250) || '.' || ((i / 250) %% 250) || '.' || ((i / 62500) %% 250),
       '10.0.0.' || (1 + i %% 4),
       CASE WHEN r < 0.90 THEN 200 WHEN r < 0.95 THEN 302 WHEN r < 0.99 THEN 404 ELSE 500 END,
       '/page/' || CAST(%(pages)s * p * p * p AS INTEGER) || '/',
       CASE WHEN i %% 5 = 0 THEN 'page=2' ELSE '' END,
       500 + abs(random()) %% 60000,
       CASE WHEN i %% 10 = 0 THEN abs(random()) %% 5000 ELSE 0 END,
       'Mozilla/5.0 (Bench) Agent/' || CAST(%(agents)s * a * a AS INTEGER),
       CASE WHEN i %% 3 = 0 THEN 'https://portal.ct.gov/drs' ELSE '' END,
       'HTTP/1.1',
       5 + CAST(2000 * r * r * r * r AS INTEGER)
FROM g
"""


def seed(n: int) -> float:
    postgres = connection.vendor == "postgresql"
    started = time.perf_counter()
    first_day = LAST_DAY - timedelta(days=DAYS - 1)
    with connection.cursor() as cursor:
        for first in range(0, n, BATCH):
            params = {
                "first": first,
                "last": min(first + BATCH, n) - 1,
                "first_day": first_day.isoformat(),
                "days": DAYS,
                "n": n,
                "pages": PAGES,
                "agents": AGENTS,
            }
            cursor.execute(POSTGRES_BATCH if postgres else SQLITE_BATCH, params)
            print(f"  {min(first + BATCH, n):>12,} visits", flush=True)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        # What autovacuum and ANALYZE do in production: statistics and the visibility map.
        cursor.execute("VACUUM ANALYZE visits_visit" if postgres else "ANALYZE")
    return seconds


def timed(label: str, call) -> float:
    started = time.perf_counter()
    call()
    seconds = time.perf_counter() - started
    print(f"  {label:<28} {seconds * 1000:>9.1f} ms")
    return seconds


def measure(start: date, end: date) -> None:
    s, e = start, end
    total = 0.0
    total += timed("visits and bytes by day", lambda: selectors.days(s, e))
    total += timed("pages (most, least, slow)", lambda: selectors.pages(s, e))
    total += timed("by HTTP status", lambda: selectors.statuses(s, e))
    total += timed("busiest hours", lambda: selectors.hours(s, e))
    total += timed("user agents", lambda: selectors.user_agents(s, e))
    print(f"  {'sum of the above':<28} {total * 1000:>9.1f} ms")
    timed("the page's visit_statistics", lambda: selectors.visit_statistics(s, e))


def main() -> None:
    postgres = os.environ["DATABASE_URL"].startswith("postgres")
    n = int(sys.argv[1]) if len(sys.argv) > 1 else (10_000_000 if postgres else 1_000_000)
    call_command("migrate", verbosity=0)
    if KEEP and postgres:
        print(f"Visit statistics on {connection.vendor}: the visits of a previous run")
    else:
        print(f"Visit statistics on {connection.vendor}: seeding {n:,} visits over {DAYS} days")
        seconds = seed(n)
        print(f"  seeded in {seconds:.1f} s ({n / seconds:,.0f} visits/s)")
    for days in (30, DAYS):
        start = LAST_DAY - timedelta(days=days - 1)
        rows = selectors.visits_between(start, LAST_DAY).count()
        print(f"\nLast {days} days ({start:%m/%d/%Y} to {LAST_DAY:%m/%d/%Y}, {rows:,} visits):")
        measure(start, LAST_DAY)


if __name__ == "__main__":
    main()
