"""Benchmark: a Publication 1220 file of N payees, uploaded and checked end to end.

    .venv/bin/python bench/pub1220.py [N]                                        (default 100000)
    DATABASE_URL=postgres://root@127.0.0.1:5432/test .venv/bin/python bench/pub1220.py

Generates a valid file (streaming, never held in memory) and stores it sealed like a real
upload, then times the upload's processing (tsc/filing/uploads.py): unseal, parse and check
every record, and stage the records on the draft CT-1096 in short transactions (COPY on
PostgreSQL, executemany on SQLite). In the same run it times the floor, a bare fixed-width
parse of the same plaintext file, and the parse and check alone (no storing), and prints the
ratios and peak RSS. SQLite in a temporary folder by default; with a PostgreSQL DATABASE_URL
the bench makes its own database "<name>_bench" on that server (created afresh, never the
named one); BENCH_DATABASE_URL names the bench database exactly.
Targets (issue 8): at least 50 % of the bare parse; peak memory flat in N (under 300 MB).
Uploads of TSC_UPLOAD_PIPELINE_RECORDS (default 20,000) or more are checked by a child process
while the worker stores them, as in production; TSC_UPLOAD_PIPELINE_RECORDS=0 runs the worker
alone. Figures: docs/bench-results.md, "Uploads (issue 8)" (12/01/2026: 32-36 % of the floor on
an idle machine in the morning; in the afternoon, after the runs of records checked at once, at
load average 3-6 from other work: SQLite 36-67 %, median 53 %, PostgreSQL 38-60 %, median 46 %).
The CPU time per record of each process is printed too: it does not depend on the load as the
elapsed time does.
"""

import base64
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = tempfile.mkdtemp(prefix="tsc-bench-")


def bench_database_url() -> str:
    """PostgreSQL when asked for: never the database DATABASE_URL names (it is created afresh)."""
    if url := os.environ.get("BENCH_DATABASE_URL"):
        return url
    url = urlsplit(os.environ.get("DATABASE_URL", ""))
    if not url.scheme.startswith("postgres"):
        return ""
    return urlunsplit(url._replace(path=f"{url.path.rstrip('/')}_bench"))


os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "tsc.settings_test",
        "DEBUG": "0",
        "TSC_VAR_DIR": WORK,
        "TSC_PII_KEYS": "b1:" + base64.b64encode(os.urandom(32)).decode(),
        "TSC_PII_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
        "DATABASE_URL": bench_database_url(),
    }
)


if os.environ["DATABASE_URL"].startswith("postgres"):
    from bench_data import fresh_postgres

    fresh_postgres(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from bench_data import FEIN, make_upload, write_file  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from tsc.filing.models import Upload  # noqa: E402
from tsc.filing.services import registration_for_filing  # noqa: E402
from tsc.filing.uploads import _Checker, upload_process  # noqa: E402
from tsc.taxpayers.models import TaxType  # noqa: E402
from tsc.taxpayers.services import business_register  # noqa: E402


def bare_parse(path: Path) -> float:
    """The floor: read the file and slice the fixed-width fields of every B record (TIN, name,
    the amounts, the state tax), with no checking and no storing. Returns seconds."""
    started = time.perf_counter()
    count = 0
    total = 0
    with open(path, "rb") as f:
        for line in f:
            if line[:1] == b"B":
                tin = line[11:20].decode("ascii")
                name = line[287:327].decode("ascii").rstrip()
                amounts = [int(line[54 + 12 * i : 66 + 12 * i]) for i in range(18)]
                tax = int(line[722:734] or b"0")
                count += bool(tin and name)
                total += sum(amounts) + tax
    return time.perf_counter() - started


def check_only(upload) -> float:
    """The upload's own reading and checking (unseal, parse, every check), storing nothing: what
    is left when the storing costs nothing. Returns seconds."""
    upload = Upload.objects.select_related("period__registration__business", "business").get(pk=upload.pk)
    started = time.perf_counter()
    for _ in _Checker(upload):
        pass
    return time.perf_counter() - started


def backend_cpu() -> float:
    """CPU seconds the PostgreSQL server process of this connection has used (0 on SQLite, or when
    the server runs elsewhere): the third party on the same two cores."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(n: int) -> None:
    call_command("migrate", verbosity=0)
    business = business_register(
        registration_number="9876543-000",
        legal_name="Bench Co",
        street="1 Main St",
        city="Hartford",
        zip_code="06103",
        fein=FEIN,
    )
    period = registration_for_filing(business=business, tax_type=TaxType.objects.get(code="WN")).periods.get(
        period_end=date(timezone.localdate().year - 1, 12, 31)
    )
    path = Path(WORK) / "bench.txt"
    started = time.perf_counter()
    write_file(path, n, period.period_end.year)
    written = time.perf_counter() - started
    rss_before = peak_rss_mb()
    upload = make_upload(business, period, path, expected=n)
    bare = bare_parse(path)
    checked = check_only(upload)
    cpu_before, server_before = os.times(), backend_cpu()
    started = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        # BENCH_PROFILE=cpu counts CPU time, not elapsed time: other work on the machine drops out.
        timer = time.process_time if os.environ["BENCH_PROFILE"] == "cpu" else time.perf_counter
        with cProfile.Profile(timer) as profile:
            result = upload_process(str(upload.token))
        pstats.Stats(profile).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative")).print_stats(25)
    else:
        result = upload_process(str(upload.token))
    elapsed = time.perf_counter() - started
    cpu, server = os.times(), backend_cpu() - server_before
    worker_cpu = cpu.user + cpu.system - cpu_before.user - cpu_before.system
    child_cpu = cpu.children_user + cpu.children_system - cpu_before.children_user - cpu_before.children_system
    assert result.status == "checked", result.problems[:5]  # stored on a draft CT-1096, ready to submit
    assert result.tax_return.records.count() == n
    print(f"records:            {n:,}")
    print(f"file size:          {path.stat().st_size / 1e6:,.1f} MB (written in {written:.2f} s)")
    print(f"parse+validate+store: {elapsed:.2f} s  ({n / elapsed:,.0f} records/s) on {connection.vendor}")
    print(
        f"CPU per record:     worker {worker_cpu / n * 1e6:.1f} us, child {child_cpu / n * 1e6:.1f} us"
        + (f", PostgreSQL server {server / n * 1e6:.1f} us" if server else "")
    )
    print(f"bare parse (floor): {bare:.2f} s  ({n / bare:,.0f} records/s), same file, same run")
    print(f"check only, no storing: {checked:.2f} s  ({n / checked:,.0f} records/s), {bare / checked:.0%} of the floor")
    ratio = bare / elapsed
    print(f"ratio to the floor: {ratio:.0%}  (target: at least 50 %) -> {'met' if ratio >= 0.5 else 'NOT met'}")
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"peak RSS:           {peak_rss_mb():,.0f} MB (before processing: {rss_before:,.0f} MB; "
        f"the checking child at most {child_rss:,.0f} MB)"
    )
    print(
        f"target:             100,000 records < 10 s, peak RSS < 300 MB -> "
        f"{'met' if (n < 100_000 or elapsed < 10 * n / 100_000) and peak_rss_mb() < 300 else 'NOT met'}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
