"""File Import for Third Party Bulk Filers: one file with returns (and payments) for many clients.

`import_receive` keeps the file sealed, with its row, in one transaction and enqueues
`import_process` after commit. Processing checks and files each record on its own, as the
firm's login acting for that client (`Acting.bulk_filer_for`, rights by `may`): a bad record is
rejected with a plain reason and never blocks the good ones. Every record ends as one
`ImportRecord` (the acknowledgement's row).

Safe to run again after a crash or a retry: every filing and payment carries a submission token
derived from the import's token and the record's number (uuid5), which `return_submit`,
`ct1096_file` and `payment_schedule` honour, so a record filed before the crash comes back with
the same confirmation number instead of being filed twice.

Two kinds of file:
- CSV in a layout the firm saved (`ImportLayout`, columns from `FIELDS`): one row per return
  (OS-114 or CT-941), with an optional payment from the client's bank account on file
  (tsc/bulk/import_csv.py).
- IRS Publication 1220 with many payers: each A record is a client matched by FEIN; its
  Connecticut B records become that client's CT-1096 for the payment year
  (tsc/bulk/import_pub1220.py).
"""

import csv
import hashlib
import io
import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.http import Http404
from django.utils import timezone

from tsc.accounts.acting import Acting
from tsc.accounts.rights import Action, may
from tsc.audit.services import audit_record
from tsc.filing.computations import (
    CT941_LINES,
    CT941_MONTH_KEYS,
    OS114_COLUMNS,
    OS114_DEDUCTION_LINES,
    OS114_RECEIPT_LINES,
    ct941_key,
    os114_key,
)
from tsc.filing.models import TaxReturn
from tsc.lib import request_context
from tsc.lib.bulk_insert import insert_rows
from tsc.lib.errors import ServiceError
from tsc.lib.formats import pub1220
from tsc.lib.sealed_files import SealedFileError
from tsc.payments.models import Payment
from tsc.taxpayers.models import TaxType

from .models import (
    BulkFiler,
    BulkImport,
    ImportKind,
    ImportLayout,
    ImportRecord,
    ImportStatus,
    RecordOutcome,
)
from .services import bulk_filer_of

log = logging.getLogger(__name__)
MAX_BYTES = 256 * 1024 * 1024
BATCH = 200  # records per batch: their look-ups in a few queries, their rows in one insert


# ---- the CSV layout's vocabulary ------------------------------------------------------------------

FILLER = "filler"
IDENTITY = {
    "registration_number": "Client's Connecticut Tax Registration Number, like 1234567-000",
    "tax_type": "ST (Sales and Use Tax, OS-114) or WH (Withholding, CT-941)",
    "period_end": "The filing period's last day, mm/dd/yyyy",
}
PAYMENT = {
    "payment_amount": "Optional: an amount to pay, from the client's bank account on file for the tax type",
    "payment_date": "The requested payment date, mm/dd/yyyy, a banking day (required with an amount)",
}
_OS114 = {
    f"os114_{os114_key(number, col.number)}": f"OS-114 line {number}, column {col.number} ({col.name} {col.rate}%)"
    for number, _ in (*OS114_RECEIPT_LINES, *OS114_DEDUCTION_LINES)
    for col in OS114_COLUMNS
}
_CT941 = {f"ct941_{ct941_key(number)}": f"CT-941 line {number}: {label}" for number, label in CT941_LINES} | {
    f"ct941_{key}": f"CT-941 monthly liability, month {i}" for i, key in enumerate(CT941_MONTH_KEYS, 1)
}
FORM_FIELDS = {TaxType.SALES_AND_USE: _OS114, TaxType.WITHHOLDING: _CT941}
FIELDS = IDENTITY | _OS114 | _CT941 | PAYMENT  # name → what to put in the column
CSV_TAX_TYPES = {TaxType.SALES_AND_USE: "OS-114", TaxType.WITHHOLDING: "CT-941"}


def layout_problems(columns: list[str]) -> list[str]:
    problems = []
    unknown = sorted({c for c in columns if c not in FIELDS and c != FILLER})
    if unknown:
        problems.append(f"Not a column name: {', '.join(unknown)}. Use the names in the list below, or filler.")
    seen = [c for c in columns if c != FILLER]
    if repeated := sorted({c for c in seen if seen.count(c) > 1}):
        problems.append(f"Each column may appear once: {', '.join(repeated)} appears more than once.")
    if missing := [c for c in IDENTITY if c not in columns]:
        problems.append(f"A layout needs the columns {', '.join(missing)}.")
    if ("payment_amount" in columns) != ("payment_date" in columns):
        problems.append("payment_amount and payment_date go together: use both or neither.")
    if not any(c in _OS114 or c in _CT941 for c in columns):
        problems.append("A layout needs at least one OS-114 or CT-941 amount column.")
    return problems


def _firm_of(ctx: Acting) -> BulkFiler:
    if not may(ctx, Action.BULK_FILING):
        raise ServiceError("Only a Third Party Bulk Filer's logins can import files for clients.")
    return bulk_filer_of(ctx.taxpayer_id)


@transaction.atomic
def layout_save(*, ctx: Acting, name: str, columns: list[str], header_row: bool) -> ImportLayout:
    """Save a CSV layout under a name (saving under a name in use replaces that layout's columns)."""
    bulk_filer = _firm_of(ctx)
    if problems := layout_problems(columns):
        raise ServiceError(" ".join(problems), field="columns")
    layout, created = ImportLayout.objects.update_or_create(
        bulk_filer=bulk_filer, name=name.strip(), defaults={"columns": columns, "header_row": header_row}
    )
    audit_record(
        event="bulk_layout.created" if created else "bulk_layout.changed",
        actor=ctx.login,
        target=layout,
        business=bulk_filer.firm,
        data={"columns": columns, "header_row": header_row},
    )
    return layout


def layouts_of(ctx: Acting):
    return ImportLayout.objects.filter(bulk_filer__firm_id=ctx.taxpayer_id)


# ---- receiving --------------------------------------------------------------------------------


def _measure(file, kind: str) -> tuple[str, int]:
    digest, lines, payees, last = hashlib.sha256(), 0, 0, b"\n"
    head = b""
    for chunk in file.chunks():
        if not head:
            head = chunk[:1]
        digest.update(chunk)
        lines += chunk.count(b"\n")
        payees += chunk.count(b"\nB")
        last = chunk[-1:] or last
    file.seek(0)
    if kind == ImportKind.PUB1220:
        return digest.hexdigest(), payees + (head == b"B") if lines else file.size // pub1220.RECORD_LENGTH
    return digest.hexdigest(), lines + (last != b"\n")


def import_receive(
    *, ctx: Acting, file, kind: str, layout: ImportLayout | None = None, idempotency_key: str | None = None
) -> BulkImport:
    """Keep the file (sealed) and queue it. The same file again (same bytes, kind and columns)
    or the same idempotency key returns the earlier import: nothing is filed twice."""
    from .tasks import process_import

    bulk_filer = _firm_of(ctx)
    if kind not in ImportKind.values:
        raise ServiceError("Choose the kind of file.", field="kind")
    if kind == ImportKind.CSV and (layout is None or layout.bulk_filer_id != bulk_filer.pk):
        raise ServiceError("Choose one of your saved layouts for a CSV file.", field="layout")
    if file.size == 0:
        raise ServiceError("The file is empty.", field="file")
    if file.size > MAX_BYTES:
        raise ServiceError("The file is larger than 256 MB. Split it into smaller files.", field="file")
    sha256, total = _measure(file, kind)
    columns = list(layout.columns) if kind == ImportKind.CSV else []
    header_row = layout.header_row if kind == ImportKind.CSV else False
    if kind == ImportKind.CSV:
        total -= header_row
    fingerprint = hashlib.sha256(json.dumps([sha256, kind, columns, header_row]).encode()).hexdigest()
    if (earlier := _earlier(bulk_filer, fingerprint, idempotency_key)) is not None:
        return earlier
    bulk_import = BulkImport(
        token=uuid.uuid4(),
        bulk_filer=bulk_filer,
        kind=kind,
        layout=layout if kind == ImportKind.CSV else None,
        columns=columns,
        header_row=header_row,
        original_name=(file.name or "file")[:255],
        size=file.size,
        sha256=sha256,
        fingerprint=fingerprint,
        idempotency_key=idempotency_key or None,
        records_total=max(total, 0),
        uploaded_by=ctx.login,
    )
    try:
        with transaction.atomic():
            bulk_import.file.save("import", file, save=False)
            bulk_import.save()
            audit_record(
                event="bulk_import.received",
                actor=ctx.login,
                target=bulk_import,
                business=bulk_filer.firm,
                data={"kind": kind, "size": file.size, "sha256": sha256, "records": bulk_import.records_total},
            )
            transaction.on_commit(lambda: process_import.enqueue(str(bulk_import.token)))
    except IntegrityError:  # the same file or key at the same moment from another request
        bulk_import.file.storage.delete(bulk_import.file.name)
        earlier = _earlier(bulk_filer, fingerprint, idempotency_key)
        if earlier is None:
            raise
        return earlier
    return bulk_import


def _earlier(bulk_filer: BulkFiler, fingerprint: str, idempotency_key: str | None) -> BulkImport | None:
    if idempotency_key:
        keyed = BulkImport.objects.filter(bulk_filer=bulk_filer, idempotency_key=idempotency_key).first()
        if keyed is not None:
            if keyed.fingerprint != fingerprint:
                raise ServiceError("This idempotency key was already used for a different file.", field="file")
            return keyed
    return BulkImport.objects.filter(bulk_filer=bulk_filer, fingerprint=fingerprint).first()


def import_for(ctx: Acting, token) -> BulkImport:
    """The firm's own import; any other (another firm's, or none) is not found."""
    if not may(ctx, Action.BULK_FILING):
        raise Http404
    found = BulkImport.objects.filter(token=token, bulk_filer__firm_id=ctx.taxpayer_id).first()
    if found is None:
        raise Http404
    return found


def imports_of(ctx: Acting):
    return BulkImport.objects.filter(bulk_filer__firm_id=ctx.taxpayer_id).select_related("layout")


def import_records(bulk_import: BulkImport):
    """The acknowledgement's rows, in file order."""
    return bulk_import.records.select_related("payment").order_by("record_number")


# ---- processing -------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What came of one record, before it is stored as an ImportRecord."""

    record_number: int
    reason: str = ""
    client_number: str = ""
    client_id: int | None = None
    tax_type_code: str = ""
    period_end: date | None = None
    tax_return: TaxReturn | None = None
    payment: Payment | None = None

    def values(self, bulk_import_id: int) -> tuple:
        """The row's columns, in _RECORD_COLUMNS order."""
        accepted = self.tax_return is not None
        return (
            bulk_import_id,
            self.record_number,
            self.client_number,
            self.client_id,
            self.tax_type_code,
            self.period_end,
            RecordOutcome.ACCEPTED if accepted else RecordOutcome.REJECTED,
            self.reason,
            (self.tax_return.confirmation_number or "") if accepted else "",
            self.tax_return.pk if accepted else None,
            self.payment.pk if self.payment is not None else None,
        )

    def row(self, bulk_import: BulkImport) -> ImportRecord:
        accepted = self.tax_return is not None
        return ImportRecord(
            bulk_import=bulk_import,
            record_number=self.record_number,
            client_number=self.client_number,
            client_id=self.client_id,
            tax_type_code=self.tax_type_code,
            period_end=self.period_end,
            outcome=RecordOutcome.ACCEPTED if accepted else RecordOutcome.REJECTED,
            reason=self.reason,
            confirmation_number=(self.tax_return.confirmation_number or "") if accepted else "",
            tax_return=self.tax_return,
            payment=self.payment,
        )


def submission_token(bulk_import: BulkImport, what: str) -> uuid.UUID:
    """The submission token of one filing or payment of this import: the same on every run."""
    return uuid.uuid5(bulk_import.token, what)


@contextmanager
def acting_for(ctx: Acting):
    """Audit rows written while a record is filed say "by <firm login> for <client>" (in a
    request the middleware does this; a task has no request)."""
    token = request_context._current.set(request_context.RequestContext(acting=ctx.describe()))
    try:
        yield
    finally:
        request_context._current.reset(token)


def open_file(bulk_import: BulkImport):
    """The kept file, unsealed as it is read (a fresh handle each time: a run may read it twice)."""
    return bulk_import.file.storage.open(bulk_import.file.name, "rb")


def import_process(token: str) -> BulkImport:
    """The task: check and file every record not yet acknowledged, then finish the import."""
    bulk_import = BulkImport.objects.select_related("bulk_filer__firm", "uploaded_by").get(token=token)
    if bulk_import.finished:
        return bulk_import
    BulkImport.objects.filter(pk=bulk_import.pk).update(status=ImportStatus.PROCESSING)
    try:
        if bulk_import.kind == ImportKind.CSV:
            from .import_csv import process_csv

            process_csv(bulk_import)
        else:
            from .import_pub1220 import process_pub1220

            process_pub1220(bulk_import)
    except (SealedFileError, UnicodeDecodeError, csv.Error) as error:
        # Damaged at rest, or not text: it will never read, so it is rejected and said why.
        log.error("bulk import %s: the file cannot be read (%s)", bulk_import.token, type(error).__name__)
        store(bulk_import, [Outcome(0, _unreadable(error))], replace=True)
    return _finish(bulk_import)


def _unreadable(error: Exception) -> str:
    if isinstance(error, SealedFileError):
        return "The file could not be read back from storage. Upload it again."
    return "The file could not be read: save it as CSV UTF-8 (comma delimited) and upload it again."


def store(bulk_import: BulkImport, outcomes: list[Outcome], *, replace: bool = False) -> None:
    """Keep the outcomes as the acknowledgement's rows (in bulk) and move the progress
    counter on, in one transaction."""
    with transaction.atomic():
        if replace:
            ImportRecord.objects.filter(
                bulk_import=bulk_import, record_number__in=[o.record_number for o in outcomes]
            ).delete()
        insert_rows(ImportRecord, _RECORD_COLUMNS, [o.values(bulk_import.pk) for o in outcomes])
        if replace:
            checked = ImportRecord.objects.filter(bulk_import=bulk_import, record_number__gt=0).count()
            BulkImport.objects.filter(pk=bulk_import.pk).update(records_checked=checked)
        else:
            new = sum(1 for o in outcomes if o.record_number > 0)
            BulkImport.objects.filter(pk=bulk_import.pk).update(records_checked=F("records_checked") + new)


_RECORD_COLUMNS = (
    "bulk_import_id",
    "record_number",
    "client_number",
    "client_id",
    "tax_type_code",
    "period_end",
    "outcome",
    "reason",
    "confirmation_number",
    "tax_return_id",
    "payment_id",
)


@transaction.atomic
def _finish(bulk_import: BulkImport) -> BulkImport:
    counts = ImportRecord.objects.filter(bulk_import=bulk_import).aggregate(
        accepted=Count("pk", filter=Q(outcome=RecordOutcome.ACCEPTED)),
        rejected=Count("pk", filter=Q(outcome=RecordOutcome.REJECTED)),
        checked=Count("pk", filter=Q(record_number__gt=0)),
    )
    if counts["accepted"] and counts["rejected"]:
        status = ImportStatus.ACCEPTED_WITH_REJECTIONS
    elif counts["accepted"]:
        status = ImportStatus.ACCEPTED
    else:
        status = ImportStatus.REJECTED
    BulkImport.objects.filter(pk=bulk_import.pk).update(
        status=status,
        accepted_count=counts["accepted"],
        rejected_count=counts["rejected"],
        records_checked=counts["checked"],
        records_total=max(bulk_import.records_total, counts["checked"]),
        finished_at=timezone.now(),
    )
    bulk_import.refresh_from_db()
    audit_record(
        event=f"bulk_import.{status}",
        actor=bulk_import.uploaded_by,
        target=bulk_import,
        business=bulk_import.bulk_filer.firm,
        data={"accepted": counts["accepted"], "rejected": counts["rejected"]},
    )
    return bulk_import


def imports_requeue_stalled(*, older_than_minutes: int = 30) -> int:
    """Enqueue again the imports a crashed worker left unfinished (safe: tokens file once)."""
    from datetime import timedelta

    from .tasks import process_import

    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    stalled = list(
        BulkImport.objects.filter(
            status__in=[ImportStatus.RECEIVED, ImportStatus.PROCESSING], created_at__lt=cutoff
        ).values_list("token", flat=True)
    )
    for token in stalled:
        process_import.enqueue(str(token))
    return len(stalled)


# ---- the acknowledgement -----------------------------------------------------------------------

ACK_COLUMNS = (
    "record",
    "client",
    "tax_type",
    "period_end",
    "outcome",
    "confirmation_number",
    "payment_confirmation_number",
    "reason",
)


def acknowledgement_rows(bulk_import: BulkImport) -> Iterator[dict]:
    """Every record of the import, in file order: accepted with its confirmation number, or
    rejected with the reason (record 0: the file itself)."""
    rows = (
        ImportRecord.objects.filter(bulk_import=bulk_import)
        .order_by("record_number")
        .values_list(
            "record_number",
            "client_number",
            "tax_type_code",
            "period_end",
            "outcome",
            "confirmation_number",
            "payment__confirmation_number",
            "reason",
        )
    )
    for number, client, tax_type, period_end, outcome, confirmation, payment, reason in rows.iterator(2000):
        yield {
            "record": number,
            "client": client,
            "tax_type": tax_type,
            "period_end": period_end.strftime("%m/%d/%Y") if period_end else "",
            "outcome": outcome,
            "confirmation_number": confirmation,
            "payment_confirmation_number": payment or "",
            "reason": reason,
        }


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value) -> str:
    """A cell a spreadsheet will not run as a formula: one starting with = + - @ tab or CR gets a
    leading single quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def acknowledgement_csv(bulk_import: BulkImport) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)

    def take() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    writer.writerow(ACK_COLUMNS)
    yield take()
    for row in acknowledgement_rows(bulk_import):
        writer.writerow([neutralised(row[c]) for c in ACK_COLUMNS])
        yield take()


def imports_purge(*, now=None) -> int:
    """Delete the files of imports processed more than TSC_UPLOAD_RETENTION_DAYS ago (accepted or
    rejected alike), as for a business's own uploads: the row and its acknowledgement stay, with
    `purged_at`. Safe to run again and on several workers."""
    from datetime import timedelta

    from django.conf import settings

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TSC_UPLOAD_RETENTION_DAYS)
    done = 0
    due = BulkImport.objects.filter(finished_at__lt=cutoff, purged_at__isnull=True)
    for found in due.iterator(chunk_size=500):
        if found.file:
            found.file.storage.delete(found.file.name)
        BulkImport.objects.filter(pk=found.pk).update(file="", purged_at=now)
        done += 1
    if done:
        log.info("deleted the files of %d bulk import(s) past retention", done)
    return done
