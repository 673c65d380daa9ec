"""Benchmark: the floor under a File Import of N records on PostgreSQL (issue 11): the CPU the
PostgreSQL server alone needs to store the rows one import writes, with no Python of ours at all,
and the least Python a record could cost. The evidence for whether 20,000 records/s can be reached
on this machine, where the server shares the cores with the import's Python.

    DATABASE_URL=postgres://root@127.0.0.1:5432/tsc_h11 .venv/bin/python bench/import_floor.py
    ... bench/import_floor.py --reuse --records 50000         (tsc_h11_bench already holds an import)

1. Runs bench/file_import.py N (unless --reuse): it builds "<name>_bench" afresh (the same database
   URL rules: DATABASE_URL, default postgres://root@127.0.0.1:5432/tsc_h11, or BENCH_DATABASE_URL)
   and imports N records into it.
2. Saves, as COPY text (`COPY (SELECT * ...) TO STDOUT`, in id order), the rows the import wrote:
   the returns, their "return.filed" audit rows, the payments and their "payment.scheduled" audit
   rows, and the acknowledgement rows.
3. Makes "<bench>_floor_clean" from it (CREATE DATABASE ... TEMPLATE), deletes those rows there
   (session_replication_role = replica: no foreign key fires), VACUUM ANALYZE; each measured run
   gets "<bench>_floor_run" made afresh from it, and a CHECKPOINT before it starts.
4. A measured run: one connection COPYs the saved text back, table by table (returns, their audit
   rows, payments, theirs, acknowledgement rows), 1,000 rows per COPY (payments and their audit
   rows 100, as the import's batches of 1,000 records hold them), each COPY its own transaction,
   committed (the deferred foreign key checks run at commit). Prints the wall time of the COPYs and
   of the commits and the CPU the server's backend used (/proc/<pid>/stat utime + stime), per table.
   Then again with bulk_importrecord's two foreign keys (tax_return_id, payment_id) dropped, and
   with synchronous_commit = off for the session (how much of the commits is the disk's flush).
5. The Python floor (time.process_time, best of 3): read the bench's CSV (written by
   bench/file_import.py's write_csv, in a child process) with csv.reader, make Decimals of the
   amount cells, and write each record's three COPY rows (its return, audit and acknowledgement
   rows, as tuples of text saved in step 2) with psycopg's COPY text formatter, sent nowhere.
6. The arithmetic: at 20,000 records/s, N records take N / 20,000 s, times the cores of the
   machine in core-seconds; less the server's floor, what is left a record for all the import's
   Python (across its processes), against the Python floor.

The databases it makes (the clean template, the run databases) are dropped at the end, even on an
error. Only the backend's CPU is the server's floor: the WAL writer, checkpointer and autovacuum
are other processes (the whole machine's CPU during each run is printed too, this process's in it).
Run it under `flock /tmp/bench.lock` (other benches share the machine, and the bench database).

Measured 12/01/2026 on the 2-core development machine, 50,000 records, two runs (load average
1.1-1.3), run a / run b. The server backend's CPU to store them: returns 1.78 / 1.55 s (35.6 / 31.0 us
a record), their audit rows 0.62 / 0.54 s (12.4 / 10.8), payments 0.36 / 0.33 s (7.2 / 6.6), their
audit rows 0.08 / 0.07 s (1.6 / 1.4), acknowledgement rows 0.95 / 0.87 s (19.0 / 17.4); in all
3.79 / 3.36 s, 75.8 / 67.2 us a record (70.4-73.6 in three runs before, same replay). Wall: COPYs
2.65 / 2.29 s, commits 1.56 / 1.41 s (returns 0.62 / 0.58, payments 0.29 / 0.26, acknowledgement
rows 0.53 / 0.48: the deferred foreign key checks; with synchronous_commit off the commits still
take 1.26 / 1.42 s, so the disk's flush is little of it). bulk_importrecord's two foreign keys: its
rows 0.95 -> 0.57 / 0.87 -> 0.69 s of server without them (7.6 / 3.6 us a record; their commits
0.53 -> 0.12 / 0.48 -> 0.08 s). The Python floor: 9.5 / 10.3 us a record. At 20,000 records/s the
50,000 records have 5.00 core-seconds; less the server's floor, 24.2 / 32.8 us a record are left
for all the import's Python, against its floor of 9.5 / 10.3 us: both floors alone are 85.3 / 77.5
us of CPU a record, at most 23,454 / 25,817 records/s on the two cores. The target is reachable
only with the import's Python within about 15-23 us a record of the floor, and the server doing
nothing but store the rows; the import itself in the same runs: 4,378 / 5,730 records/s, its
Python 265 / 211 us a record across its two processes, the rest of the machine (the server, its
look-ups and background processes) 143 / 110 us.
"""

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg._copy_base import TextFormatter
from psycopg.adapt import Transformer

ROOT = Path(__file__).resolve().parent.parent
TARGET = 20_000  # records/s on PostgreSQL (issue 11)
TICKS = os.sysconf("SC_CLK_TCK")
DEFAULT_URL = "postgres://root@127.0.0.1:5432/tsc_h11"


@dataclass(frozen=True)
class Part:
    """Rows of one table the import wrote, replayed `per` rows to a COPY."""

    label: str
    table: str
    where: str  # which of its rows the import wrote (SQL; constants only)
    per: int
    floor: bool = False  # a record's rows in the Python floor (kept as tuples of text too)


# In the replay's order: what a row refers to is stored before it.
PARTS = (
    Part("returns", "filing_taxreturn", "TRUE", 1000, floor=True),
    Part("audit rows (return.filed)", "audit_auditevent", "event = 'return.filed'", 1000, floor=True),
    Part("payments", "payments_payment", "TRUE", 100),
    Part("audit rows (payment.scheduled)", "audit_auditevent", "event = 'payment.scheduled'", 100),
    Part("acknowledgement rows", "bulk_importrecord", "TRUE", 1000, floor=True),
)
# bench/file_import.py's CSV: the amount cells (os114_l1_c1, ct941_*, payment_amount).
AMOUNT_CELLS = (3, 4, 5, 6, 7, 8, 9, 10)


def bench_url() -> str:
    """The bench database's URL, as bench/file_import.py names it."""
    if url := os.environ.get("BENCH_DATABASE_URL"):
        return url
    url = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_URL)
    if not url.scheme.startswith("postgres"):
        sys.exit("DATABASE_URL must be a PostgreSQL URL")
    return urlunsplit(url._replace(path=f"{url.path.rstrip('/')}_bench"))


def with_name(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def name_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) the server process `pid` has used: it must run on this machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_cpu() -> float:
    """CPU seconds the whole machine has been busy, every core (as bench/file_import.py reads it)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in fields[:7])
    return (user + nice + system + irq + softirq) / TICKS


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# -- steps 1 and 2: the import, and the rows it wrote ---------------------------------------------


def run_import(n: int) -> None:
    env = os.environ | {"DATABASE_URL": os.environ.get("DATABASE_URL") or DEFAULT_URL}
    print(f"-- bench/file_import.py {n} (load average {load()})", flush=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "file_import.py"), str(n)], env=env, check=True)  # noqa: S603


def check_import(url: str, n: int) -> None:
    with psycopg.connect(url) as conn:
        returns, records = conn.execute(
            "SELECT (SELECT count(*) FROM filing_taxreturn), (SELECT count(*) FROM bulk_importrecord)"
        ).fetchone()
    if returns != n or records != n:
        sys.exit(f"{name_of(url)} holds {returns:,} returns and {records:,} acknowledgement rows, not {n:,} each")


@dataclass
class Saved:
    lines: list[bytes]  # COPY text, a row a line (its newline kept)
    rows: list[tuple] = field(default_factory=list)  # the same rows as tuples of text (for the floor)
    columns: dict[str, int] = field(default_factory=dict)  # a column's place in them

    def by(self, column: str) -> dict:
        """The rows by the value of `column`."""
        at = self.columns[column]
        return {row[at]: row for row in self.rows}


def save_rows(url: str) -> dict[str, Saved]:
    saved = {}
    with psycopg.connect(url) as conn:
        cursor = conn.cursor()
        for part in PARTS:
            table, where = sql.Identifier(part.table), sql.SQL(part.where)
            query = sql.SQL("SELECT * FROM {} WHERE {} ORDER BY id").format(table, where)
            copy_out = sql.SQL("COPY ({}) TO STDOUT").format(query)
            with cursor.copy(copy_out) as copy:
                text = b"".join(bytes(data) for data in copy)
            found = Saved(text.splitlines(keepends=True))
            if part.floor:
                columns = [c.name for c in cursor.execute(sql.SQL("{} LIMIT 0").format(query)).description]
                found.columns = {name: at for at, name in enumerate(columns)}
                with cursor.copy(copy_out) as copy:
                    copy.set_types(["text"] * len(columns))
                    found.rows = list(copy.rows())
                assert len(found.rows) == len(found.lines), part
            saved[part.label] = found
    return saved


# -- step 3: the clean template, a run database from it --------------------------------------------


def admin(url: str) -> psycopg.Connection:
    return psycopg.connect(with_name(url, "postgres"), autocommit=True)


def drop(url: str, *names: str) -> None:
    with admin(url) as conn:
        for name in names:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def create(url: str, name: str, template: str) -> None:
    with admin(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))


def make_clean(url: str, clean: str) -> None:
    create(url, clean, name_of(url))
    with psycopg.connect(with_name(url, clean)) as conn:
        conn.execute("SET session_replication_role = replica")  # no foreign key fires, none complains
        for part in reversed(PARTS):  # what refers to the others first
            conn.execute(sql.SQL("DELETE FROM {} WHERE {}").format(sql.Identifier(part.table), sql.SQL(part.where)))
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")


# -- step 4: the replay -----------------------------------------------------------------------------


@dataclass
class Timed:
    label: str
    rows: int = 0
    copy: float = 0.0  # wall seconds in the COPYs
    commit: float = 0.0  # wall seconds in the commits
    cpu: float = 0.0  # the server backend's CPU seconds


def replay(url: str, saved: dict[str, Saved], *, synchronous_commit: bool = True) -> tuple[list[Timed], dict]:
    """COPY the saved rows into the run database `url`; per part, its times and the backend's CPU."""
    timed = []
    with psycopg.connect(url) as conn:
        conn.autocommit = True
        conn.execute("CHECKPOINT")  # every run starts as long after one: the same full-page writes
        if not synchronous_commit:
            conn.execute("SET synchronous_commit = off")
        conn.autocommit = False
        pid = conn.info.backend_pid
        cursor = conn.cursor()
        machine, here = machine_cpu(), time.process_time()
        for part in PARTS:
            lines, t = saved[part.label].lines, Timed(part.label, len(saved[part.label].lines))
            copy_in = sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(part.table))
            cpu = backend_cpu(pid)
            for at in range(0, len(lines), part.per):
                data = b"".join(lines[at : at + part.per])
                started = time.perf_counter()
                with cursor.copy(copy_in) as copy:
                    copy.write(data)
                copied = time.perf_counter()
                conn.commit()
                t.copy += copied - started
                t.commit += time.perf_counter() - copied
            t.cpu = backend_cpu(pid) - cpu
            timed.append(t)
        totals = {"machine": machine_cpu() - machine, "here": time.process_time() - here}
    return timed, totals


def drop_import_foreign_keys(url: str) -> None:
    """Drop bulk_importrecord's foreign keys to the returns and the payments."""
    with psycopg.connect(url, autocommit=True) as conn:
        names = conn.execute(
            "SELECT c.conname FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid"
            " AND a.attnum = ANY(c.conkey) WHERE c.conrelid = 'bulk_importrecord'::regclass AND c.contype = 'f'"
            " AND a.attname IN ('tax_return_id', 'payment_id')"
        ).fetchall()
        assert len(names) == 2, names
        for (name,) in names:
            conn.execute(sql.SQL("ALTER TABLE bulk_importrecord DROP CONSTRAINT {}").format(sql.Identifier(name)))


def print_replay(title: str, timed: list[Timed], totals: dict, n: int) -> dict[str, float]:
    """Print a replay's figures; returns the server's CPU seconds by part, and in all ("total")."""
    print(f"\n{title} (load average {load()})")
    print(f"  {'':32} {'rows':>7} {'COPY s':>7} {'commit s':>9} {'server CPU s':>13} {'us/record':>10}")
    for t in timed:
        print(f"  {t.label:32} {t.rows:7,} {t.copy:7.2f} {t.commit:9.2f} {t.cpu:13.2f} {t.cpu / n * 1e6:10.1f}")
    copy, commit, cpu = (sum(getattr(t, k) for t in timed) for k in ("copy", "commit", "cpu"))
    print(f"  {'total':32} {sum(t.rows for t in timed):7,} {copy:7.2f} {commit:9.2f} {cpu:13.2f} {cpu / n * 1e6:10.1f}")
    print(f"  wall {copy + commit:.2f} s; the whole machine's CPU meanwhile {totals['machine']:.2f} s", end="")
    print(f" (this process {totals['here']:.2f} s; the rest the server's other processes and other work)")
    return {t.label: t.cpu for t in timed} | {"total": cpu}


# -- step 5: the Python floor -----------------------------------------------------------------------


def write_csv_child(path: str, n: int) -> None:
    """In a child process: bench/file_import.py's CSV of n records, by its own write_csv, from the
    bench database (importing file_import.py would make that database afresh: not here)."""
    import bench_data

    bench_data.fresh_postgres = lambda url: None
    import file_import

    try:
        file_import.write_csv(Path(path), n)
    finally:
        shutil.rmtree(file_import.WORK, ignore_errors=True)


def write_csv(path: Path, n: int) -> None:
    env = os.environ | {"DATABASE_URL": os.environ.get("DATABASE_URL") or DEFAULT_URL}
    command = [sys.executable, __file__, "--write-csv", str(path), "--records", str(n)]
    subprocess.run(command, env=env, check=True)  # noqa: S603


def record_rows(path: Path, saved: dict[str, Saved]) -> list[tuple[tuple, tuple, tuple]]:
    """Each CSV record's return, audit and acknowledgement rows (tuples of text), in file order,
    checked against the record's registration number, tax type and period end."""
    returns = saved["returns"].by("id")
    audits = saved["audit rows (return.filed)"].by("target_id")
    acknowledgements = saved["acknowledgement rows"]
    records = acknowledgements.by("record_number")
    checked = [acknowledgements.columns[c] for c in ("client_number", "tax_type_code", "period_end")]
    tax_return_at = acknowledgements.columns["tax_return_id"]
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for number, cells in enumerate(csv.reader(f), 1):
            if number == 1:
                continue  # the header
            record = records[str(number)]
            month, day, year = cells[2].split("/")
            assert [record[at] for at in checked] == [cells[0], cells[1], f"{year}-{month}-{day}"], (record, cells)
            tax_return = returns[record[tax_return_at]]
            rows.append((tax_return, audits[tax_return[0]], record))
    return rows


def python_floor(path: Path, rows: list[tuple], conn: psycopg.Connection) -> float:
    """CPU seconds to read the CSV, make Decimals of its amounts and format each record's three
    COPY rows (sent nowhere)."""
    formatter = TextFormatter(Transformer(conn.cursor()))
    write_row = formatter.write_row
    started = time.process_time()
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for cells, (tax_return, audit, record) in zip(reader, rows, strict=True):
            amounts = [Decimal(c) for i in AMOUNT_CELLS if (c := cells[i])]
            assert amounts
            write_row(tax_return)
            write_row(audit)
            write_row(record)
    formatter.end()
    return time.process_time() - started


# -- all together ------------------------------------------------------------------------------------


def main(n: int, reuse: bool) -> None:
    url = bench_url()
    bench = name_of(url)
    clean, run = f"{bench}_floor_clean", f"{bench}_floor_run"
    run_url = with_name(url, run)
    if not reuse:
        run_import(n)
    check_import(url, n)
    saved = save_rows(url)
    work = Path(tempfile.mkdtemp(prefix="tsc-floor-"))
    try:
        path = work / "import.csv"
        write_csv(path, n)
        rows = record_rows(path, saved)
        make_clean(url, clean)
        print(f"\nreplaying into {run}, made from {clean} each time, {n:,} records; cores: {os.cpu_count()}")

        create(url, run, clean)
        cpu = print_replay("replay, as the import stores its rows", *replay(run_url, saved), n)
        create(url, run, clean)
        drop_import_foreign_keys(run_url)
        no_fk = print_replay("replay without bulk_importrecord's two foreign keys", *replay(run_url, saved), n)
        server = cpu["total"]
        # What the two keys cost: the acknowledgement rows' CPU with them less without (the other
        # tables are stored alike in both runs; their difference is the machine's noise).
        keys = cpu["acknowledgement rows"] - no_fk["acknowledgement rows"]
        create(url, run, clean)
        timed, totals = replay(run_url, saved, synchronous_commit=False)
        print_replay("replay with synchronous_commit = off (only to see the commits' flush)", timed, totals, n)
        drop(url, run)

        with psycopg.connect(with_name(url, "postgres")) as conn:
            floors = [python_floor(path, rows, conn) for _ in range(3)]
        floor = min(floors) / n * 1e6
        print(f"\nPython floor (CSV read, Decimals, 3 COPY rows formatted): {floor:.1f} us/record", end="")
        print(f" (best of {', '.join(f'{s:.2f}' for s in floors)} s CPU)")

        cores = os.cpu_count() or 1
        budget = n / TARGET * cores  # core-seconds
        server_us, keys_us = server / n * 1e6, keys / n * 1e6
        print(f"\nat {TARGET:,} records/s, {n:,} records take {n / TARGET:.2f} s: {budget:.2f} core-seconds on {cores}")
        print(f"  less the server's floor {server:.2f} s ({server_us:.1f} us/record):", end="")
        print(f" {budget / n * 1e6 - server_us:.1f} us/record left for all the import's Python", end="")
        print(f" (the Python floor: {floor:.1f})")
        print(f"  bulk_importrecord's two foreign keys: {keys:.2f} s of server ({keys_us:.1f} us/record;", end="")
        print(f" without them {budget / n * 1e6 - server_us + keys_us:.1f} us/record left)")
        ceiling = cores * 1e6 / (server_us + floor)
        print(f"  both floors alone: {server_us + floor:.1f} us/record of CPU, at most {ceiling:,.0f} records/s")
        print(f"load average: {load()}")
    finally:
        drop(url, run, clean)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--reuse", action="store_true", help="the bench database already holds the import")
    parser.add_argument("--write-csv", help=argparse.SUPPRESS)  # the child process of write_csv
    args = parser.parse_args()
    if args.write_csv:
        write_csv_child(args.write_csv, args.records)
    else:
        main(args.records, args.reuse)
