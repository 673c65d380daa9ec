"""File Import for Third Party Bulk Filers: one file with returns (and payments) for many clients.

`import_receive` keeps the file sealed, with its row, in one transaction and enqueues
`import_process` (tsc/bulk/import_run.py) after commit; tsc/bulk/acknowledgement.py reads the
outcome back. Processing checks and files each record on its own, as the
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

import hashlib
import json
import logging
import uuid

from django.db import IntegrityError, transaction
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
from tsc.lib.errors import ServiceError
from tsc.lib.formats import pub1220
from tsc.taxpayers.models import TaxType

from .models import (
    BulkFiler,
    BulkImport,
    ImportKind,
    ImportLayout,
)
from .services import bulk_filer_of

log = logging.getLogger(__name__)
MAX_BYTES = 256 * 1024 * 1024


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


# Processing and the acknowledgement live in their own modules; their names stay importable here.
from .acknowledgement import ACK_COLUMNS as ACK_COLUMNS  # noqa: E402
from .acknowledgement import acknowledgement_csv as acknowledgement_csv  # noqa: E402
from .acknowledgement import acknowledgement_rows as acknowledgement_rows  # noqa: E402
from .acknowledgement import neutralised as neutralised  # noqa: E402
from .import_run import Outcome as Outcome  # noqa: E402
from .import_run import acting_for as acting_for  # noqa: E402
from .import_run import import_process as import_process  # noqa: E402
from .import_run import imports_requeue_stalled as imports_requeue_stalled  # noqa: E402
from .import_run import open_file as open_file  # noqa: E402
from .import_run import store as store  # noqa: E402
from .import_run import submission_token as submission_token  # noqa: E402
