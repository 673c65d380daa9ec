"""Benchmark: the daily bank batch with N scheduled payments.

    .venv/bin/python bench/payment_batch.py [N]        (default 100000)
    BENCH_DATABASE_URL=postgres://root@127.0.0.1:5432/tsc_bench .venv/bin/python bench/payment_batch.py

Seeds N scheduled payments due to be sent on one banking day (bulk inserts), then times
payment_batch_send: lock them, write one NACHA file, keep it encrypted, mark them sent, in one
transaction. Prints payments/s and peak RSS. Target (issue 9): 100,000 payments in under 5 s on
SQLite and on PostgreSQL, memory flat in N.
"""

import base64
import os
import resource
import sys
import tempfile
import time
import uuid
from datetime import date
from decimal import Decimal
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
if os.environ["DATABASE_URL"].startswith("postgres"):
    from bench_data import fresh_postgres  # noqa: E402

    fresh_postgres(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from tsc.lib.formats import nacha  # noqa: E402
from tsc.payments.batch import payment_batch_send  # noqa: E402
from tsc.payments.models import Payment, PaymentStatus  # noqa: E402
from tsc.site.demo import seed_demo  # noqa: E402
from tsc.taxpayers.models import Business  # noqa: E402

SEND_DAY = date(2026, 11, 24)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed(n: int) -> None:
    business = Business.objects.get(registration_number="1234567-000")
    registration = business.registrations.get(tax_type__code="ST")
    period = registration.periods.order_by("-period_end").first()
    batch = []
    for i in range(n):
        batch.append(
            Payment(
                business=business,
                tax_type=registration.tax_type,
                period=period,
                amount=Decimal(100 + i % 9000) + Decimal("0.45"),
                requested_date=date(2026, 11, 25),
                send_date=SEND_DAY,
                routing_number="011000015",
                account_number=f"{4000000000 + i}",
                account_last4=f"{i % 10000:04d}",
                account_type="checking" if i % 3 else "savings",
                confirmation_number=f"TSC-B{i:013d}",
                submission_token=uuid.uuid4(),
                made_on=date(2026, 11, 20),
            )
        )
        if len(batch) == 5000:
            Payment.objects.bulk_create(batch)
            batch.clear()
    Payment.objects.bulk_create(batch)


def main(n: int) -> None:
    call_command("migrate", verbosity=0)
    seed_demo(history=False)
    started = time.perf_counter()
    seed(n)
    seeded = time.perf_counter() - started
    import gc

    gc.collect()
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    batch = payment_batch_send(day=SEND_DAY)
    elapsed = time.perf_counter() - started
    assert batch.entry_count == n and Payment.objects.filter(status=PaymentStatus.SENT).count() == n
    with batch.open() as stream:
        lines = sum(1 for _ in stream)
    assert lines % nacha.BLOCKING == 0
    print(f"payments:           {n:,} on {connection.vendor} (seeded in {seeded:.1f} s)")
    print(f"batch:              {elapsed:.2f} s  ({n / elapsed:,.0f} payments/s), {lines:,} NACHA lines")
    print(f"peak RSS:           {peak_rss_mb():,.0f} MB (before the batch: {rss_before:,.0f} MB)")
    print(f"target:             100,000 payments < 5 s -> {'met' if elapsed < 5 * n / 100_000 else 'NOT met'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
