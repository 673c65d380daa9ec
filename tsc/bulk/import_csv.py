"""File Import of a CSV file in the firm's saved layout: each row one return (OS-114 or CT-941)
for one client, and optionally a payment from the client's bank account on file.

Rows are read in batches: the clients, registrations, periods, bank accounts and any filings an
earlier run made for the batch are looked up in a few queries, then each row is checked and
filed on its own (`return_submit`, `payment_schedule`) as the firm's login acting for that
client. A row that fails a check is rejected with the reason; the others go on.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from tsc.accounts.acting import Acting
from tsc.accounts.rights import Action, may
from tsc.filing import services as filing
from tsc.filing.forms_registry import RETURN_FORMS
from tsc.filing.models import TaxReturn
from tsc.lib.errors import ServiceError
from tsc.lib.formats.records import shown
from tsc.lib.money import dollars, parse_amount
from tsc.payments import services as payments
from tsc.payments.models import BankAccount, Payment
from tsc.taxpayers.models import FilingPeriod, Registration

from .imports import (
    BATCH,
    CSV_TAX_TYPES,
    FIELDS,
    FILLER,
    FORM_FIELDS,
    Outcome,
    acting_for,
    open_file,
    store,
    submission_token,
)
from .models import BulkImport, ClientAuthorization, ImportRecord
from .services import NOT_A_CLIENT

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
            if (number == 1 and bulk_import.header_row) or not any(c.strip() for c in cells):
                continue
            row = _Row(
                number, {n: c.strip() for n, c in zip(columns, cells, strict=False) if n != FILLER and c.strip()}
            )
            if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
                row.problem = (
                    f"The row has {len(cells)} columns, but your layout has {len(columns)}. "
                    "Check the file against the layout."
                )
            yield row


def process_csv(bulk_import: BulkImport) -> None:
    done = set(ImportRecord.objects.filter(bulk_import=bulk_import).values_list("record_number", flat=True))
    batch: list[_Row] = []
    for row in _rows(bulk_import):
        if row.number in done:
            continue  # acknowledged by an earlier run
        batch.append(row)
        if len(batch) >= BATCH:
            _Batch(bulk_import, batch).run()
            batch = []
    if batch:
        _Batch(bulk_import, batch).run()


def _date(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%m/%d/%Y").date() if text.count("/") == 2 else None  # noqa: DTZ007 - a date
    except ValueError:
        return None


class _Batch:
    """Up to BATCH rows: what they need from the database, looked up once."""

    def __init__(self, bulk_import: BulkImport, rows: list[_Row]):
        self.bulk_import, self.rows, self.login = bulk_import, rows, bulk_import.uploaded_by
        numbers = {r.get("registration_number") for r in rows}
        self.clients = {
            a.client.registration_number: a
            for a in ClientAuthorization.objects.filter(
                bulk_filer_id=bulk_import.bulk_filer_id,
                revoked_at__isnull=True,
                client__registration_number__in=numbers,
            ).select_related("client", "bulk_filer")
        }
        client_ids = [a.client_id for a in self.clients.values()]
        self.registrations = {
            (r.business_id, r.tax_type.code): r
            for r in Registration.objects.filter(
                business_id__in=client_ids, tax_type__code__in=list(CSV_TAX_TYPES)
            ).select_related("tax_type", "business")
        }
        ends = {d for r in rows if (d := _date(r.get("period_end")))}
        self.periods = {
            (p.registration_id, p.period_end): p
            for p in FilingPeriod.objects.filter(
                registration_id__in=[r.pk for r in self.registrations.values()], period_end__in=ends
            )
        }
        tokens = [submission_token(bulk_import, f"return:{r.number}") for r in rows]
        self.filed = {t.submission_token: t for t in TaxReturn.objects.filter(submission_token__in=tokens)}
        tokens = [submission_token(bulk_import, f"payment:{r.number}") for r in rows]
        self.paid = {p.submission_token: p for p in Payment.objects.filter(submission_token__in=tokens)}
        self.banks = set(
            BankAccount.objects.filter(business_id__in=client_ids).values_list("business_id", "tax_type_id")
        )
        self.contexts: dict[int, Acting] = {}
        self.date_problems: dict[date, str | None] = {}

    def run(self) -> None:
        store(self.bulk_import, [self.one(row) for row in self.rows])

    def context(self, authorization: ClientAuthorization) -> Acting:
        if authorization.pk not in self.contexts:
            self.contexts[authorization.pk] = Acting.bulk_filer_for(self.login, authorization)
        return self.contexts[authorization.pk]

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
        outcome.reason = self.file(row, authorization, outcome)
        return outcome

    def file(self, row: _Row, authorization: ClientAuthorization, outcome: Outcome) -> str:
        """Check the row and file it; the reason it was rejected, or "" (or a note on the payment)."""
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
        period.registration = registration
        ctx = self.context(authorization)
        if not may(ctx, Action.SUBMIT_RETURN, tax_type=tax_type):
            return "Your login may not file returns for this client."
        values, problem = _amounts(row, code)
        if problem:
            return problem
        if problems := RETURN_FORMS[code].check(values, period):
            return next(iter(problems.values()))
        payment, problem = self.payment_wanted(row, client, tax_type)
        if problem:
            return problem
        with acting_for(ctx):
            tax_return = self.filed.get(submission_token(self.bulk_import, f"return:{row.number}"))
            if tax_return is None:
                try:
                    tax_return = filing.return_submit(
                        actor=self.login,
                        period=period,
                        values=values,
                        submission_token=submission_token(self.bulk_import, f"return:{row.number}"),
                    )
                except ServiceError as error:
                    return error.message
            outcome.tax_return = tax_return
            if payment is None:
                return ""
            token = submission_token(self.bulk_import, f"payment:{row.number}")
            try:
                outcome.payment = self.paid.get(token) or payments.payment_schedule(
                    ctx=ctx,
                    period=period,
                    amount=payment[0],
                    requested_date=payment[1],
                    submission_token=token,
                    tax_return=tax_return,
                )
            except ServiceError as error:
                return f"The return was filed, but the payment was not scheduled: {error.message}"
        return ""

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
            amount = parse_amount(text)
        except ValueError:
            return {}, f"{FIELDS[name]}: enter dollars and cents, like 1234.56{shown(text)}."
        if amount < 0:
            return {}, f"{FIELDS[name]}: an amount cannot be negative."
        values[name.split("_", 1)[1]] = amount
    if not values:
        return {}, f"The amounts of the {form} are missing. Enter 0.00 on a return with nothing to report."
    return values, ""
