"""File Import of a CSV file in the firm's saved layout: each row one return (OS-114 or CT-941)
for one client, and optionally a payment from the client's bank account on file.

Rows are read in batches: the clients, registrations, periods and bank accounts are looked up in
a few queries, each row is checked as the firm's login acting for its client, then the batch's
good rows are filed in one transaction (tsc/filing/batch.py: the same returns, confirmation
numbers and audit rows as `return_submit`) and their payments scheduled in another
(tsc/payments/bulk_schedule.py, as `payment_schedule`); a row the batch leaves aside (its period
filed meanwhile, a draft, a prior quarter filed on its own) is filed on its own by those
services. A row that fails a check is rejected with the reason; the others go on. Filings an
earlier run made are found by their submission tokens.
"""

import contextlib
import csv
import functools
import gc
import io
import os
import queue
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import connection

from tsc.accounts.acting import Acting
from tsc.filing import batch
from tsc.filing import services as filing
from tsc.filing.batch import ReturnItem
from tsc.filing.forms_registry import RETURN_FORMS
from tsc.lib.errors import ServiceError
from tsc.lib.formats.records import shown
from tsc.lib.money import dollars, parse_amount
from tsc.payments import bulk_schedule
from tsc.payments import services as payments
from tsc.payments.bulk_schedule import PaymentItem
from tsc.taxpayers.models import FilingPeriod

from . import import_parts
from .import_clients import Clients
from .import_run import Outcome, acting_for, open_file, store, submission_token
from .imports import CSV_TAX_TYPES, FIELDS, FILLER, FORM_FIELDS
from .models import BulkImport, ClientAuthorization, ImportRecord
from .services import NOT_A_CLIENT

BATCH = 1000  # rows per batch: looked up, filed and acknowledged together
_REGISTRATION_NUMBER = re.compile(r"^\d{7}-\d{3}$")
_FORM_OF_FIELD = {name: code for code, names in FORM_FIELDS.items() for name in names}


@dataclass
class _Row:
    number: int
    cells: dict[str, str]  # field → what the cell holds (stripped); filler and blank cells left out
    problem: str = ""

    def get(self, name: str) -> str:
        return self.cells.get(name, "")


def _rows(bulk_import: BulkImport) -> Iterator[_Row]:
    columns = bulk_import.columns
    with open_file(bulk_import) as raw:
        reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
        for number, cells in enumerate(reader, 1):
            if number == 1 and bulk_import.header_row:
                continue
            stripped = [c.strip() for c in cells]
            if not any(stripped):
                continue
            row = _Row(number, {n: c for n, c in zip(columns, stripped, strict=False) if c and n != FILLER})
            if len(cells) > len(columns) and any(stripped[len(columns) :]):
                row.problem = (
                    f"The row has {len(cells)} columns, but your layout has {len(columns)}. "
                    "Check the file against the layout."
                )
            yield row


SWITCH_INTERVAL = float(os.environ.get("TSC_IMPORT_SWITCH_INTERVAL", "0.0005"))  # seconds, while two threads work
PIPELINE_ROWS = 5 * BATCH  # from this many rows (on PostgreSQL) the next batch is checked while one is filed


def process_csv(bulk_import: BulkImport) -> None:
    with _collecting_less():
        _process_csv(bulk_import)


_collection = threading.Lock()
_collecting = [0, (0, 0, 0)]  # imports running in this process, the collector's thresholds before the first


@contextlib.contextmanager
def _collecting_less():
    """The garbage collector runs less often while any import of this process files (a worker may
    run several in threads): each row makes and drops tens of objects, and with the default
    thresholds the collections took about 8 % of the CPU. The thresholds before come back when
    the last ends."""
    with _collection:
        if _collecting[0] == 0:
            _collecting[1] = gc.get_threshold()
            gc.set_threshold(*(max(a, b) for a, b in zip(_collecting[1], import_parts.COLLECT_LESS, strict=True)))
        _collecting[0] += 1
    try:
        yield
    finally:
        with _collection:
            _collecting[0] -= 1
            if _collecting[0] == 0:
                gc.set_threshold(*_collecting[1])


def _process_csv(bulk_import: BulkImport) -> None:
    done = set(ImportRecord.objects.filter(bulk_import=bulk_import).values_list("record_number", flat=True))
    if (parts := import_parts.parts_for(bulk_import)) > 1:  # a large file: the clients dealt out to processes
        rows = (row for row in _rows(bulk_import) if row.number not in done)  # read once the children start
        import_parts.process_in_parts(bulk_import, rows, parts)
        return
    if _pipelined(bulk_import):
        clients = Clients(bulk_import, bulk_import.uploaded_by)  # what is learnt about them, kept
        _process_pipelined(bulk_import, _batches(_rows(bulk_import), done), clients)
        return
    file_rows(bulk_import, _rows(bulk_import), done)


def file_rows(bulk_import: BulkImport, rows: Iterable[_Row], done: frozenset[int] = frozenset()) -> None:
    """Check and file `rows` (but those `done`), a batch at a time, in this thread."""
    clients = Clients(bulk_import, bulk_import.uploaded_by)  # what is learnt about them, kept
    for batch_rows in _batches(rows, done):
        checked = _Batch(bulk_import, batch_rows, clients)
        checked.check_rows()
        checked.file()


def _batches(rows: Iterable[_Row], done: set[int] | frozenset[int]) -> Iterator[list[_Row]]:
    """The rows not yet acknowledged (by an earlier run), BATCH at a time, in file order."""
    batch: list[_Row] = []
    for row in rows:
        if row.number in done:
            continue
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _pipelined(bulk_import: BulkImport) -> bool:
    """Check the next batch in a second thread while this one files? On PostgreSQL, for a large
    file, outside any transaction (the thread has its own connection, which sees only what is
    committed)."""
    return (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and bulk_import.records_total >= PIPELINE_ROWS
    )


_END = object()


def _process_pipelined(bulk_import: BulkImport, batches: Iterator[list[_Row]], clients: Clients) -> None:
    """The rows read and checked, a batch at a time, by a thread with its own database connection
    (reading only: clients, registrations, periods, banking), while this thread files the batch
    before (the returns, payments and acknowledgement, and every look-up that depends on what is
    filed: periods filed, prior quarters' credits, tokens used). Python runs while the database
    works: the checker's Python while the filer waits for a COPY or a commit, and the other way
    round. The batches are filed one by one in file order, exactly as without the thread; at most
    two wait, checked. An error in either thread stops both and is raised here."""
    ready: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def hand_over(what) -> bool:
        while not stop.is_set():
            try:
                ready.put(what, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def check_batches() -> None:
        try:
            for rows in batches:
                checked = _Batch(bulk_import, rows, clients)
                checked.check_rows()
                if not hand_over(checked):
                    return
            hand_over(_END)
        except BaseException as error:  # noqa: BLE001 - raised again in the filing thread
            hand_over(error)
        finally:
            connection.close()  # this thread's own connection

    # The filer waits for the database often, for a short time each: when its answer comes, it
    # should not wait for the checker's turn with the interpreter as long as the default 5 ms.
    _switch_often(True)
    checker = threading.Thread(target=check_batches, name=f"import-check-{bulk_import.pk}", daemon=True)
    checker.start()
    try:
        while (checked := ready.get()) is not _END:
            if isinstance(checked, BaseException):
                raise checked
            checked.file()
    finally:
        stop.set()
        checker.join()
        _switch_often(False)


_switching = threading.Lock()
_pipelines = [0, 0.0]  # pipelined imports running in this process, the switch interval before the first


def _switch_often(start: bool) -> None:
    """The short switch interval while any pipelined import of this process runs (a worker may
    run several in threads); the one before when the last ends."""
    with _switching:
        if start:
            if _pipelines[0] == 0:
                _pipelines[1] = sys.getswitchinterval()
                sys.setswitchinterval(min(_pipelines[1], SWITCH_INTERVAL))
            _pipelines[0] += 1
        else:
            _pipelines[0] -= 1
            if _pipelines[0] == 0:
                sys.setswitchinterval(_pipelines[1])


@functools.lru_cache(maxsize=4096)  # a file holds few distinct dates; strptime is slow
def _date(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%m/%d/%Y").date() if text.count("/") == 2 else None  # noqa: DTZ007 - a date
    except ValueError:
        return None


@dataclass
class _Pending:
    """A row that passed every check: filed with the batch (or on its own, when the batch says)."""

    outcome: Outcome
    ctx: Acting
    period: FilingPeriod
    values: dict
    payment: tuple | None  # (amount, requested date) from the bank account on file


class _Batch:
    """Up to BATCH rows: what they need from the database, looked up once; the rows that pass
    their checks filed together (tsc/filing/batch.py), their payments scheduled together
    (tsc/payments/bulk_schedule.py), and any the batch leaves aside filed one by one."""

    def __init__(self, bulk_import: BulkImport, rows: list[_Row], clients: Clients):
        self.bulk_import, self.rows, self.login, self.known = bulk_import, rows, bulk_import.uploaded_by, clients
        # The import's first run (tsc/bulk/import_run.py): no token of it used yet, none looked up. A
        # concurrent run that used one meets the unique token at insert and goes the per-return way.
        self.first_run = getattr(bulk_import, "first_run", False)
        self.clients = clients.in_force({r.get("registration_number") for r in rows})
        self.registrations, self.banks = clients.registrations, clients.banks
        wanted = {
            (registration.pk, end)
            for r in rows
            if (a := self.clients.get(r.get("registration_number")))
            and (registration := self.registrations.get((a.client_id, r.get("tax_type").upper())))
            and (end := _date(r.get("period_end")))
        }
        self.periods = {(p.registration_id, p.period_end): p for p in batch.periods_at(wanted)}
        self.date_problems: dict[date, str | None] = {}
        self.pending: list[_Pending] = []

    def check_rows(self) -> None:
        """Check every row (the rejected ones get their reason); the others wait in `pending`,
        with their returns' items and what can be worked out before filing."""
        self.outcomes = [self.one(row) for row in self.rows]
        described: dict[int, dict] = {}  # what each acting context says, once (a client's rows share it)
        for p in self.pending:
            if id(p.ctx) not in described:
                described[id(p.ctx)] = p.ctx.describe()
        self.items = [
            ReturnItem(p.period, p.values, self.token(p, "return"), described[id(p.ctx)]) for p in self.pending
        ]
        if not self.first_run:  # the tokens' returns: only ever filed by this import, in an earlier run
            batch.returns_found(self.items)
        batch.prepare(self.items, filed_on=filing.today())

    def file(self) -> None:
        """File the checked rows' returns and payments, then keep every row's outcome."""
        self.file_returns()
        self.schedule_payments()
        store(self.bulk_import, self.outcomes)

    def one(self, row: _Row) -> Outcome:
        number = row.get("registration_number")
        outcome = Outcome(row.number, client_number=number if _REGISTRATION_NUMBER.match(number) else "")
        outcome.tax_type_code = row.get("tax_type").upper()[:4]
        outcome.period_end = _date(row.get("period_end"))
        if row.problem:
            outcome.reason = row.problem
            return outcome
        if not number:
            outcome.reason = "The client's registration number is missing."
            return outcome
        authorization = self.clients.get(number)
        if authorization is None:
            outcome.reason = NOT_A_CLIENT
            return outcome
        outcome.client_id = authorization.client_id
        outcome.reason = self.check(row, authorization, outcome)
        return outcome

    def check(self, row: _Row, authorization: ClientAuthorization, outcome: Outcome) -> str:
        """Check the row; the reason it is rejected, or "" (it waits in `pending` to be filed)."""
        client = authorization.client
        code = outcome.tax_type_code
        if code not in CSV_TAX_TYPES:
            return "The tax type must be ST (Sales and Use Tax, OS-114) or WH (Withholding, CT-941)."
        registration = self.registrations.get((client.pk, code))
        if registration is None:
            return (
                f"{client.legal_name} is not registered for {'Sales and Use Tax' if code == 'ST' else 'Withholding'}."
            )
        tax_type = registration.tax_type
        if not row.get("period_end"):
            return "The period end is missing."
        if outcome.period_end is None:
            return f"The period end must be a date written mm/dd/yyyy{shown(row.get('period_end'))}."
        period = self.periods.get((registration.pk, outcome.period_end))
        if period is None:
            return (
                f"{client.legal_name} has no {tax_type.name} filing period ending {outcome.period_end:%m/%d/%Y}. "
                "Check the period end."
            )
        # Its own registration (the period was found by its id): cached as `period.registration = `
        # would, without the descriptor.
        period._state.fields_cache["registration"] = registration
        ctx = self.known.context(authorization)
        if not self.known.may_file(authorization, tax_type):
            return "Your login may not file returns for this client."
        values, problem = _amounts(row, code)
        if problem:
            return problem
        if problems := RETURN_FORMS[code].check(values, period):
            return next(iter(problems.values()))
        payment, problem = self.payment_wanted(row, client, tax_type)
        if problem:
            return problem
        self.pending.append(_Pending(outcome, ctx, period, values, payment))
        return ""

    def token(self, pending: _Pending, what: str):
        return submission_token(self.bulk_import, f"{what}:{pending.outcome.record_number}")

    def file_returns(self) -> None:
        for pending, item in zip(
            self.pending, batch.returns_file(actor=self.login, items=self.items, looked_up=True), strict=True
        ):
            if item.fallback:
                with acting_for(pending.ctx):
                    try:
                        pending.outcome.tax_return = filing.return_submit(
                            actor=self.login,
                            period=pending.period,
                            values=pending.values,
                            submission_token=item.submission_token,
                        )
                    except ServiceError as error:
                        pending.outcome.reason = error.message
            elif item.problem:
                pending.outcome.reason = item.problem
            else:
                pending.outcome.tax_return = item.tax_return

    def schedule_payments(self) -> None:
        paying = [p for p in self.pending if p.payment is not None and p.outcome.tax_return is not None]
        items = [
            PaymentItem(p.ctx, p.period, p.payment[0], p.payment[1], self.token(p, "payment"), p.outcome.tax_return)
            for p in paying
        ]
        scheduled = bulk_schedule.payments_schedule(items, new_tokens=self.first_run)
        for pending, item in zip(paying, scheduled, strict=True):
            if item.fallback:
                with acting_for(pending.ctx):
                    try:
                        item.payment = payments.payment_schedule(
                            ctx=pending.ctx,
                            period=pending.period,
                            amount=item.amount,
                            requested_date=item.requested_date,
                            submission_token=item.submission_token,
                            tax_return=item.tax_return,
                        )
                    except ServiceError as error:
                        item.problem = error.message
            if item.problem:
                pending.outcome.reason = f"The return was filed, but the payment was not scheduled: {item.problem}"
            pending.outcome.payment = item.payment

    def payment_wanted(self, row: _Row, client, tax_type) -> tuple[tuple | None, str]:
        amount_text, date_text = row.get("payment_amount"), row.get("payment_date")
        if not amount_text and not date_text:
            return None, ""
        if not amount_text:
            return None, "A payment date was given without a payment amount."
        try:
            amount = parse_amount(amount_text)
        except ValueError:
            return None, f"The payment amount must be dollars and cents, like 1234.56{shown(amount_text)}."
        if problem := payments.amount_problem(amount):
            return None, f"Payment amount {dollars(amount)}: {problem}"
        requested = _date(date_text)
        if requested is None:
            return None, f"The payment date must be a date written mm/dd/yyyy{shown(date_text)}."
        if requested not in self.date_problems:
            self.date_problems[requested] = payments.requested_date_problem(requested)
        if problem := self.date_problems[requested]:
            return None, problem
        if (client.pk, tax_type.pk) not in self.banks:
            return None, (
                f"{client.legal_name} has no banking information on file for {tax_type.name}, so the payment cannot "
                "be made from this file. Nothing was filed for this row. Pay with Make a Payment for your Client, "
                "or ask the client to add banking information."
            )
        return (amount, requested), ""


_PLAIN_AMOUNT = re.compile(r"\d{1,12}\.\d\d")


def _amount(text: str) -> Decimal:
    """parse_amount, with the usual cell ("1234.56": digits, a point, two decimals) read at once:
    the same Decimal parse_amount gives it, without its pattern for what people type."""
    return Decimal(text) if _PLAIN_AMOUNT.fullmatch(text) else parse_amount(text)


def _amounts(row: _Row, code: str) -> tuple[dict, str]:
    """The return's values from the row's amount columns ({} and the reason when one is bad)."""
    form = CSV_TAX_TYPES[code]
    values = {}
    for name, text in row.cells.items():
        other = _FORM_OF_FIELD.get(name)
        if other is None:
            continue
        if other != code:
            return {}, (
                f"The tax type is {code} ({form}) but the row has {CSV_TAX_TYPES[other]} amounts ({name}). "
                "Put each return on its own row."
            )
        try:
            amount = _amount(text)
        except ValueError:
            return {}, f"{FIELDS[name]}: enter dollars and cents, like 1234.56{shown(text)}."
        if amount < 0:
            return {}, f"{FIELDS[name]}: an amount cannot be negative."
        values[name.split("_", 1)[1]] = amount
    if not values:
        return {}, f"The amounts of the {form} are missing. Enter 0.00 on a return with nothing to report."
    return values, ""
