"""Scale-out proof (issue 13): two gunicorn servers and two huey workers on Redis, one PostgreSQL.

    .venv/bin/python bench/scale_out.py                 (scale 0.05: 75,000 returns; about 4 minutes)
    .venv/bin/python bench/scale_out.py --scale 1 --seconds 20

1. Builds the data set of bench/pages.py (COPY) at the given scale in a fresh database
   (default postgres://root@127.0.0.1:5432/tsc_scale_bench), with 20,000 payments scheduled for
   today's bank batch and 20,000 for the next banking day's; Redis db 7 (flushed) carries the task
   queue and the attempt counters.
2. Throughput, same clients and pages (Main Menu, File Returns, history, payments, account, in
   turn): one server alone, then two servers (clients signed in on one server browse on both: the
   sessions live in PostgreSQL). Measured with 3 gunicorn workers a server (the machine's 2 cores
   are the ceiling) and with 1 worker a server (each server a 1-core host).
3. Under load on both servers, with clients signing in again and again on both: 4 Publication
   1220 files uploaded (tsc.filing.uploads.upload_receive, as the upload page does) are checked by
   the two workers, today's batch is enqueued twice at once (the worker's periodic task, one copy
   in each worker) and the next banking day's is sent by `manage.py send_payment_batch --date` from
   two processes at once.
4. Checks nothing was lost or doubled: every record of every upload stored once, one original
   return per period and the filed returns unchanged, every scheduled payment sent exactly once in
   its date's one batch, whose NACHA file has as many entries as the batch says.
Prints pages/s and the growth from one server to two, then every check; exits non-zero if one
fails. The 2-core machine also runs the load generator, PostgreSQL and Redis.
"""

import argparse
import asyncio
import base64
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_URL = "postgres://root@127.0.0.1:5432/tsc_scale_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/7"
PASSWORD = "Demo#2024"  # noqa: S105 - the published demo password
NUTMEG = "1234567-000"
UPLOAD_FEIN = "06-1234567"  # bench_data.FEIN, the payer of every generated Publication 1220 file


def environment(database_url: str, redis_url: str, work: str) -> dict:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.serving.settings",  # tsc.settings, static files in `work`
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "TSC_PII_KEYS": "b1:" + base64.b64encode(os.urandom(32)).decode(),
            "TSC_PII_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "TSC_HUEY_NAME": "tsc-scale-bench",
            "TSC_VAR_DIR": work,  # one host: the servers and workers share the uploads and batch folders
            "TSC_BATCH_HOUR": "0",  # the worker's periodic task sends today's batch whenever it runs
            "TSC_BENCH_STATIC_ROOT": str(Path(work) / "static"),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    return dict(os.environ)


def page_urls(today) -> list[str]:
    from pages import three_years_before

    span = f"start={three_years_before(today):%m/%d/%Y}&end={today:%m/%d/%Y}"
    return [
        "/menu/",
        "/file/",
        f"/returns/history/?tax_type=ST&search_by=period_end&{span}",
        f"/payments/processed/?tax_type=all&search_by=period_end&{span}",
        "/account/",
    ]


def next_banking_day(day: date) -> date:
    """`day` itself when the banks are open, else the next day they are."""
    from tsc.lib.business_days import is_banking_day

    while not is_banking_day(day):
        day += timedelta(days=1)
    return day


def seed_extra(scheduled: int, today):
    """Businesses to upload for, and the payments of two bank batches. Returns (upload targets,
    {send date: payment ids})."""
    from django.db import connection
    from django.utils import timezone
    from serving import dataset

    from tsc.accounts.services import login_create
    from tsc.filing.services import registration_for_filing
    from tsc.lib import pii
    from tsc.payments.models import Payment
    from tsc.taxpayers.models import FilingPeriod, TaxType
    from tsc.taxpayers.services import business_register

    targets = []
    wn = TaxType.objects.get(code=TaxType.WITHHOLDING_NON_WAGE)
    for k in range(4):
        business = business_register(
            registration_number=f"{9100000 + k:07d}-000",
            legal_name=f"Upload Co {k}",
            street="1 Main St",
            city="Hartford",
            zip_code="06103",
            fein=UPLOAD_FEIN,
        )
        admin = login_create(
            business=business, user_id=f"upl{k}", password=PASSWORD, temporary=False, is_administrator=True
        )
        period = registration_for_filing(business=business, tax_type=wn).periods.get(
            period_end=today.replace(year=today.year - 1, month=12, day=31)
        )
        targets.append((admin, period))

    day1 = next_banking_day(today)
    day2 = next_banking_day(day1 + timedelta(days=1))
    periods = list(
        FilingPeriod.objects.filter(
            registration__tax_type__code="ST", registration__business__registration_number__gte="5"
        )
        .values_list("pk", "registration__business_id", "registration__tax_type_id")
        .order_by("pk")[:scheduled]
    )
    cipher = pii.encrypt("4000123456")
    now = timezone.now()
    ids: dict = {}
    with connection.cursor() as dj_cursor:
        cur = dj_cursor.cursor
        pay_id = dataset._next_id(cur, Payment)
        with dataset.Copier(cur, Payment, dataset.PAYMENT_COLUMNS) as c:
            for day in (day1, day2):
                ids[day] = []
                for i in range(scheduled):
                    pk, business_id, tax_type_id = periods[i % len(periods)]
                    amount = Decimal(100 + i % 900) + Decimal("0.25")
                    requested = next_banking_day(day + timedelta(days=1))
                    c.row(
                        *dataset._payment_values(
                            pay_id, cipher, business_id, tax_type_id, pk, amount, requested, now, "scheduled", day
                        )
                    )
                    ids[day].append(pay_id)
                    pay_id += 1
        dataset._reset_sequences(cur, (Payment,))
    return targets, ids


def start_workers(env: dict, work: Path) -> list[subprocess.Popen]:
    procs = []
    for n in (1, 2):
        log = open(work / f"worker{n}.log", "ab")  # noqa: SIM115 - lives as long as the worker
        procs.append(
            subprocess.Popen(  # noqa: S603 - our own command line
                # One thread each, polling every 0.1 s: each takes one of the two copies of the batch task
                # that are enqueued at once, and the uploads queue behind them.
                [sys.executable, "manage.py", "run_huey", "--workers", "1", "--delay", "0.1", "--max-delay", "0.1"],
                cwd=ROOT,
                env=env | {"LOG_LEVEL": "INFO"},
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        )
    time.sleep(3)
    for p in procs:
        assert p.poll() is None, "a huey worker did not start (see worker*.log)"
    return procs


async def browse(bases: list[str], n_clients: int, seconds: float, today, *, sign_ins: bool = False):
    """n_clients signed in (client i on server i mod n), each asking for the pages in turn, request
    k of client i on server (i + k) mod n. With sign_ins, 2 more clients sign in again and again,
    on alternate servers, and open the Main Menu on the other."""
    import httpx
    from serving.load import Client, drive

    clients = [Client(bases[i % len(bases)]) for i in range(n_clients)]
    await asyncio.gather(*(c.sign_in(NUTMEG, "filepay", PASSWORD) for c in clients))
    urls = page_urls(today)

    def next_url(i: int, k: int):
        return bases[(i + k) % len(bases)], urls[(i + k) % len(urls)]

    signed = {"n": 0, "failed": 0}

    async def signer(j: int, deadline: float) -> None:
        k = j
        while time.perf_counter() < deadline:
            c = Client(bases[k % len(bases)])
            try:
                await c.sign_in(NUTMEG, "filepay", PASSWORD)
                menu = await c.get("/menu/", bases[(k + 1) % len(bases)])
                signed["n" if menu.status_code == 200 else "failed"] += 1
            except (AssertionError, OSError, httpx.HTTPError):
                signed["failed"] += 1
            finally:
                await c.close()
            k += 1

    extra = []
    if sign_ins:
        deadline = time.perf_counter() + 3 + seconds
        extra = [signer(j, deadline) for j in range(2)]
    result, *_ = await asyncio.gather(drive(clients, next_url, seconds=seconds, name="pages"), *extra)
    for c in clients:
        await c.close()
    return result, signed


def _started_at(log: str, task_id: str) -> str:
    line = next((ln for ln in log.splitlines() if "Executing" in ln and task_id in ln), "")
    return line[11:23]  # "2026-12-01 01:00:13,480 INFO huey Executing …": the time


def wait_for_tasks(work: Path, task_ids: list[str], timeout: float = 300) -> list[tuple[int, str]]:
    """Wait until each task has run (huey keeps no result for a periodic task: its worker's log
    says it ran); returns the worker (1 or 2) that ran each and when it started."""
    deadline = time.monotonic() + timeout
    while True:
        logs = {n: (work / f"worker{n}.log").read_text(errors="replace") for n in (1, 2)}
        ran = [next((n for n, text in logs.items() if f"{task_id} executed" in text), 0) for task_id in task_ids]
        if all(ran) or time.monotonic() > deadline:
            return [(n, _started_at(logs.get(n, ""), task_id)) for n, task_id in zip(ran, task_ids, strict=True)]
        time.sleep(0.5)


def throughput(env, work, ports, workers: int, seconds: float, clients: int, today, label: str):
    from serving.load import start_gunicorn, stop

    servers = [start_gunicorn(p, env, workers=workers, log=work / f"gunicorn{p}.log") for p in ports]
    try:
        result, _ = asyncio.run(browse([f"http://127.0.0.1:{p}" for p in ports], clients, seconds, today))
    finally:
        for s in servers:
            stop(s)
    print(
        f"  {label:42} {result.rps:6.1f} pages/s  p50 {result.pct(0.5) * 1000:5.0f} ms  "
        f"p95 {result.pct(0.95) * 1000:5.0f} ms{f'  ERRORS {result.errors}' if result.errors else ''}",
        flush=True,
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", 0.05)))
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--records", type=int, default=5000, help="records in each uploaded file")
    parser.add_argument("--scheduled", type=int, default=20000, help="payments in each of the two batches")
    parser.add_argument("--ports", default="8751,8752")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_SCALE_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--keep", action="store_true", help="keep the database and the work folder (logs)")
    args = parser.parse_args()
    assert args.database_url.rsplit("/", 1)[1] not in ("test", "postgres"), "use a bench database of its own"
    ports = [int(p) for p in args.ports.split(",")]

    work = Path(tempfile.mkdtemp(prefix="tsc-scale-bench-"))
    env = environment(args.database_url, args.redis_url, str(work))
    import faulthandler

    faulthandler.dump_traceback_later(900, exit=True)  # a hung run says where, and ends
    import redis
    from bench_data import fresh_postgres, write_file

    redis.Redis.from_url(args.redis_url).flushdb()  # the bench's own db number
    fresh_postgres(args.database_url)
    import django

    django.setup()
    from django.core.files import File
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone
    from serving import dataset
    from serving.load import stop

    started = time.perf_counter()
    today = timezone.localdate()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"Building the data set at scale {args.scale} (COPY)...", flush=True)
    counts = dataset.build(args.scale, log=lambda *a: None)
    targets, scheduled = seed_extra(args.scheduled, today)
    print(
        f"Built in {time.perf_counter() - started:.0f} s: {counts['returns']:,} returns, "
        f"{counts['payments']:,} payments; {args.scheduled:,} payments scheduled for each of "
        + ", ".join(f"{d:%m/%d/%Y}" for d in scheduled),
        flush=True,
    )
    before = snapshot()
    connections.close_all()

    print(f"\nThroughput ({args.clients} clients, {args.seconds:g} s each, load average {os.getloadavg()[0]:.1f}):")
    growth = {}
    for workers in (3, 1):
        one = throughput(
            env, work, ports[:1], workers, args.seconds, args.clients, today, f"1 server x {workers} workers"
        )
        two = throughput(env, work, ports, workers, args.seconds, args.clients, today, f"2 servers x {workers} workers")
        growth[workers] = (one.rps, two.rps)

    print("\nUnder load on both servers, with uploads being checked and both bank batches run twice at once:")
    from serving.load import start_gunicorn

    workers_procs = start_workers(env, work)
    servers = [start_gunicorn(p, env, workers=3, log=work / f"gunicorn{p}.log") for p in ports]
    batch_results = []
    ran_in: list[tuple[int, str]] = []
    try:
        loop_result = {}

        def load_in_thread():
            loop_result["r"] = asyncio.run(
                browse([f"http://127.0.0.1:{p}" for p in ports], args.clients, args.seconds * 2, today, sign_ins=True)
            )

        import threading

        loader = threading.Thread(target=load_in_thread)
        loader.start()
        time.sleep(4)  # clients signed in and browsing
        from tsc.filing.uploads import upload_receive
        from tsc.payments.tasks import send_todays_payment_batch

        day1, day2 = list(scheduled)
        if day1 == today:
            # The periodic task itself, once in each worker (both idle: each takes one at once).
            batch_results = [send_todays_payment_batch(), send_todays_payment_batch()]
        uploads = []
        for k, (admin, period) in enumerate(targets):
            path = work / f"upload{k}.txt"
            write_file(path, args.records, period.period_end.year, name=f"UPLOAD CO {k}")
            with open(path, "rb") as f:
                uploads.append(upload_receive(actor=admin, period=period, kind="pub1220", file=File(f, name=path.name)))
        # Today's batch done before the next day's is sent: the next day's would otherwise (rightly)
        # take today's payments too, and the check below could not tell them apart.
        ran_in = wait_for_tasks(work, [r.id for r in batch_results])
        commands = [
            subprocess.Popen(  # noqa: S603 - our own command line
                [sys.executable, "manage.py", "send_payment_batch", "--date", f"{day2:%m/%d/%Y}"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for _ in range(2)
        ]
        outputs = [c.communicate(timeout=300)[0].decode().strip() for c in commands]
        loader.join()
        deadline = time.monotonic() + 300
        from tsc.filing.models import Upload

        while time.monotonic() < deadline and Upload.objects.filter(status__in=["received", "validating"]).exists():
            time.sleep(1)
    finally:
        for s in servers:
            stop(s)
        for w in workers_procs:
            stop(w)
    result, signed = loop_result["r"]
    print(
        f"  2 servers x 3 workers + 2 huey workers: {result.rps:.1f} pages/s, p95 {result.pct(0.95) * 1000:.0f} ms, "
        f"{result.errors} errors; {signed['n']} sign-ins on one server then the Main Menu on the other"
        f" ({signed['failed']} failed)"
    )
    print(
        f"  today's batch ({day1:%m/%d/%Y}), the periodic task enqueued twice at once: "
        + (
            ", ".join(f"copy {i + 1} started in worker {w} at {at}" for i, (w, at) in enumerate(ran_in))
            or "skipped (not a banking day)"
        )
    )
    for line in outputs:
        print(f"  send_payment_batch --date {day2:%m/%d/%Y}: {line}")

    ok = checks(before, uploads, args.records, scheduled)
    print("\nGrowth from one server to two (pages/s):")
    for workers, (one, two) in growth.items():
        print(f"  {workers} workers a server: {one:.1f} -> {two:.1f}  ({two / one:.2f}x)")
    print(
        f"Whole run: {time.perf_counter() - started:.0f} s on a 2-core machine (load average "
        f"{os.getloadavg()[0]:.1f} at the end)" + (f"; logs and files in {work}" if args.keep else "")
    )
    connections.close_all()
    redis.Redis.from_url(args.redis_url).flushdb()
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
        import psycopg

        with psycopg.connect(args.database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.database_url.rsplit("/", 1)[1]}"')
    return 0 if ok else 1


def snapshot() -> dict:
    from tsc.filing.models import ReturnStatus, TaxReturn
    from tsc.payments.models import Payment, PaymentStatus

    return {
        "filed returns": TaxReturn.objects.filter(status=ReturnStatus.FILED).count(),
        "processed payments": Payment.objects.filter(status=PaymentStatus.PROCESSED).count(),
        "payments": Payment.objects.count(),
    }


def checks(before: dict, uploads, records: int, scheduled: dict) -> bool:
    from django.db.models import Count, Sum

    from tsc.filing.models import InformationReturnRecord, TaxReturn, Upload
    from tsc.payments.models import Payment, PaymentBatch, PaymentStatus

    failures = []

    def check(ok: bool, what: str) -> None:
        print(f"  [{'ok' if ok else 'FAILED'}] {what}")
        if not ok:
            failures.append(what)

    print("\nChecks:")
    after = snapshot()
    for upload in Upload.objects.filter(pk__in=[u.pk for u in uploads]):
        stored = InformationReturnRecord.objects.filter(tax_return_id=upload.tax_return_id)
        numbers = stored.aggregate(n=Count("record_number", distinct=True), all=Count("pk"))
        check(
            upload.status == "checked" and numbers == {"n": records, "all": records},
            f"upload {upload.original_name}: {upload.status}, {numbers['all']:,} records stored, "
            f"{numbers['n']:,} distinct (expected {records:,})",
        )
    check(not TaxReturn.objects.filter(status="staging").exists(), "no records left half-stored (no staging return)")
    doubled = (
        TaxReturn.objects.filter(status="filed", amends__isnull=True)
        .values("period_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    check(doubled == 0, f"one original return per period ({doubled} periods with two)")
    check(
        after["filed returns"] == before["filed returns"],
        f"filed returns unchanged: {before['filed returns']:,} -> {after['filed returns']:,}",
    )
    check(
        after["processed payments"] == before["processed payments"] and after["payments"] == before["payments"],
        f"payments: {before['payments']:,} before, {after['payments']:,} after; processed ones untouched",
    )
    for day, ids in scheduled.items():
        batches = list(PaymentBatch.objects.filter(send_date=day))
        check(len(batches) == 1, f"{day:%m/%d/%Y}: {len(batches)} bank batch(es) (expected 1)")
        if len(batches) != 1:
            continue
        batch = batches[0]
        mine = Payment.objects.filter(pk__in=ids)
        sent = mine.filter(status=PaymentStatus.SENT, batch=batch).count()
        check(sent == len(ids), f"{day:%m/%d/%Y}: {sent:,} of the {len(ids):,} scheduled payments sent in it")
        in_batch = Payment.objects.filter(batch=batch).aggregate(n=Count("pk"), total=Sum("amount"))
        entries = sum(1 for line in batch.content.splitlines() if line.startswith("6"))
        check(
            in_batch["n"] == batch.entry_count == entries and in_batch["total"] == batch.total,
            f"{day:%m/%d/%Y}: batch says {batch.entry_count:,} payments (${batch.total:,}), the database "
            f"{in_batch['n']:,} (${in_batch['total']:,}), its NACHA file {entries:,} entry lines",
        )
    check(
        not Payment.objects.filter(status=PaymentStatus.SENT, batch__isnull=True).exists(),
        "no payment marked sent without a batch",
    )
    dup = Payment.objects.values("confirmation_number").annotate(n=Count("pk")).filter(n__gt=1).count()
    check(dup == 0, "every payment's confirmation number unique")
    print(f"\n{'Nothing lost or doubled.' if not failures else f'{len(failures)} check(s) FAILED'}")
    return not failures


if __name__ == "__main__":
    sys.exit(main())
