"""Processing a File Import: every record not yet acknowledged is checked and filed (CSV:
tsc/bulk/import_csv.py, Publication 1220: tsc/bulk/import_pub1220.py), each ending as one
`ImportRecord`, then the import is finished with its counts and audit row. Safe to run again
after a crash: filings carry submission tokens derived from the import and the record number.
"""

import csv
import logging
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from tsc.accounts.acting import Acting
from tsc.audit.services import audit_record
from tsc.filing.models import TaxReturn
from tsc.lib import request_context
from tsc.lib.bulk_insert import insert_rows
from tsc.lib.sealed_files import SealedFileError
from tsc.payments.models import Payment

from .models import BulkImport, ImportKind, ImportRecord, ImportStatus, RecordOutcome

log = logging.getLogger(__name__)


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
    # The run that moves it from received to processing is its first: no earlier run filed anything
    # with its tokens, so its batches need not look them up (`first_run`). One run only can win.
    processing = BulkImport.objects.filter(pk=bulk_import.pk)
    bulk_import.first_run = processing.filter(status=ImportStatus.RECEIVED).update(status=ImportStatus.PROCESSING) == 1
    if not bulk_import.first_run:
        processing.update(status=ImportStatus.PROCESSING)
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
