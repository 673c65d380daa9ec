"""1099/W-2G files: kept first, then checked record by record, then filed when the user says so.

`upload_receive` stores the file and its row in one transaction and enqueues the check after
commit. `upload_process` reads the file once and stores its Connecticut records on a draft
CT-1096 (all or nothing); the user reviews the totals and presses Submit CT-1096
(`services.ct1096_submit_upload`, keyed by the upload's token, so it files once). Checking is
safe to run again after a crash or a retry: a finished upload is left alone.
"""

import hashlib
import logging
import uuid
from collections.abc import Iterator
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from tsc.accounts.models import Login
from tsc.audit.services import audit_record
from tsc.lib.errors import ServiceError
from tsc.lib.formats import nonwage_csv, pub1220
from tsc.lib.formats.pub1220_layout import RECORD_LENGTH
from tsc.lib.formats.records import CFSF_STATE_CODES, CONNECTICUT, InformationReturn, Parsed, Problem
from tsc.lib.sealed_files import SealedFileError
from tsc.taxpayers.models import FilingPeriod

from . import services, upload_pipeline
from .bulk import Rows, batch_rows, insert_rows
from .models import InformationReturnRecord, ReturnStatus, TaxReturn, Upload, UploadKind, UploadStatus

log = logging.getLogger(__name__)
PROGRESS_EVERY = 5000
MAX_UPLOAD_BYTES = 512 * 1024 * 1024


def _looks_like(kind: str, head: bytes) -> str | None:
    """Why a file sent to one upload is plainly meant for the other, or None."""
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    csv_like = b"," in first and len(first) < RECORD_LENGTH - 2
    pub1220_like = first[:1] == b"T" and len(first) >= RECORD_LENGTH - 2 and b"," not in first[:RECORD_LENGTH]
    if kind == UploadKind.PUB1220 and csv_like:
        return (
            "This looks like a CSV file. Use \u201cUpload a file containing 1099/W-2G information\u201d for CSV "
            "files; this upload takes the IRS standard format (Publication 1220)."
        )
    if kind == UploadKind.CSV and pub1220_like:
        return (
            "This looks like a Publication 1220 (standard format) file. Use \u201cUpload a 1099/W-2G file using "
            "the Standard file formatting\u201d for it."
        )
    return None


def _same_file_kept(period: FilingPeriod, sha256: str) -> str | None:
    """Why a file identical to one already filed (or checked and waiting to be submitted) for the
    period is refused, or None."""
    earlier = (
        Upload.objects.filter(period=period, sha256=sha256, status__in=[UploadStatus.CHECKED, UploadStatus.ACCEPTED])
        .order_by("-created_at")
        .first()
    )
    if earlier is None:
        return None
    if earlier.status == UploadStatus.ACCEPTED:
        return (
            f"This file was already uploaded on {timezone.localtime(earlier.created_at):%m/%d/%Y} and filed for this "
            "period. To change what was filed, file an amended return."
        )
    return (
        f"This file was already uploaded on {timezone.localtime(earlier.created_at):%m/%d/%Y} and is checked, "
        "waiting for you to submit it: open it under Your uploads."
    )


def upload_receive(*, actor: Login, period: FilingPeriod, kind: str, file) -> Upload:
    from .tasks import check_upload

    if file.size > MAX_UPLOAD_BYTES:
        raise ServiceError("The file is larger than 512 MB. Split it into smaller files.", field="file")
    if file.size == 0:
        raise ServiceError("The file is empty.", field="file")
    digest = hashlib.sha256()
    head = b""
    lines = 0
    payee_lines = 0
    for chunk in file.chunks():
        if len(head) < 4096:
            head += chunk[: 4096 - len(head)]
        digest.update(chunk)
        lines += chunk.count(b"\n")
        payee_lines += chunk.count(b"\nB")
    file.seek(0)
    if reason := _looks_like(kind, head):
        raise ServiceError(reason, field="file")
    if same := _same_file_kept(period, digest.hexdigest()):
        raise ServiceError(same, field="file")
    if kind == UploadKind.PUB1220:
        # B records: one per line, or back-to-back 750-character records.
        expected = payee_lines + head.startswith(b"B") if lines else file.size // RECORD_LENGTH
    else:
        expected = max(lines - 1, 1)  # rows after the header (roughly: a quoted cell may hold a line break)
    with transaction.atomic():
        upload = Upload(
            token=uuid.uuid4(),
            business=period.registration.business,
            period=period,
            kind=UploadKind(kind),
            original_name=file.name[:255],
            size=file.size,
            sha256=digest.hexdigest(),
            expected_records=expected,
            uploaded_by=actor,
        )
        upload.file.save("upload", file, save=False)
        upload.save()
        audit_record(
            event="upload.received",
            actor=actor,
            target=upload,
            business=upload.business,
            data={"kind": kind, "size": file.size, "sha256": upload.sha256},
        )
        transaction.on_commit(lambda: check_upload.enqueue(str(upload.token)))
    return upload


def _read(upload: Upload) -> Iterator[Parsed | Problem | pub1220.Run]:
    with upload.file.open("rb") as stream:
        if upload.kind == UploadKind.PUB1220:
            # Runs of right B records come as one Run each: checked at once, the same outcome.
            yield from pub1220.read_runs(stream, year=upload.period.period_end.year)
        else:
            yield from nonwage_csv.read(stream)


_FEIN_MISMATCH = "does not match the FEIN DRS has for this business"


class _Checker:
    """Reads the file once: yields clean Connecticut records to be stored, and notes every
    problem. After the first problem nothing more is yielded (it will all be rolled back) but
    checking goes on so the taxpayer sees every problem at once. Another state's records are not
    Connecticut tax: they are counted by state and left out (docs/adr/0004)."""

    def __init__(self, upload: Upload):
        self.upload = upload
        self.progress = progress_set  # (token, records checked so far); a child process sends it instead
        self.records = 0
        self.problem_count = 0
        self.problems: list[dict] = []
        self.other_states: dict[str, int] = {}

    def note(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < Upload.MAX_PROBLEMS_KEPT:
            self.problems.append({"record": problem.record_number, "field": problem.field, "reason": problem.reason})

    def __iter__(self) -> Iterator[InformationReturn | pub1220.Run]:
        """The records to store, one by one or as runs of them (`pub1220.Run`, Connecticut's
        records only)."""
        fein = self.upload.business.fein.replace("-", "")
        token = self.upload.token
        for item in _read(self.upload):
            if isinstance(item, Problem):
                self.note(item)
                continue
            if isinstance(item, pub1220.Run):
                if (run := self.run(item, fein)) is not None:
                    yield run
                continue
            self.records += 1
            record = item.record
            if fein and record.payer_tin != fein:
                self.note(Problem(item.record_number, "Payer TIN", _FEIN_MISMATCH))
            if self.records % PROGRESS_EVERY == 0:
                self.progress(token, self.records)
            code = record.state_code
            if code and code != CONNECTICUT:  # InformationReturn.is_connecticut, inline: 100,000s of calls
                self.other_states[code] = self.other_states.get(code, 0) + 1
                continue
            if not self.problem_count:
                yield record

    def run(self, run: pub1220.Run, fein: str) -> pub1220.Run | None:
        """What `__iter__` does record by record, for a run of them at once: its Connecticut
        records, or None."""
        before = self.records
        self.records += len(run)
        if fein and run.payer_tin != fein:
            for number in run.numbers:
                self.note(Problem(number, "Payer TIN", _FEIN_MISMATCH))
        for done in range(before // PROGRESS_EVERY + 1, self.records // PROGRESS_EVERY + 1):
            self.progress(self.upload.token, done * PROGRESS_EVERY)
        codes = run.state_codes
        if codes.count(CONNECTICUT) + codes.count("") != len(run):  # records for other states
            kept = []
            for i, code in enumerate(codes):
                if code and code != CONNECTICUT:
                    self.other_states[code] = self.other_states.get(code, 0) + 1
                else:
                    kept.append(i)
            run = run.pick(kept)
        if self.problem_count or not len(run):
            return None
        return run

    def notices(self) -> list[str]:
        if not self.other_states:
            return []
        count = sum(self.other_states.values())
        states = ", ".join(
            f"{code} ({CFSF_STATE_CODES.get(code, '?')}): {n:,}" for code, n in sorted(self.other_states.items())
        )
        what = (
            "1 record coded for another state was" if count == 1 else f"{count:,} records coded for other states were"
        )
        return [
            f"{what} left out of the CT-1096: {states}. Another state's withholding is not Connecticut tax; "
            "file those records with that state."
        ]


STAGE_BATCH = 5000  # records per short transaction while a file is checked
# ... but the first batch is no larger than this: storing (and with a child process, the other
# core) starts sooner, instead of waiting for a whole batch to be checked.
FIRST_STAGE_BATCH = 1000


def _staged(upload: Upload):
    return TaxReturn.objects.filter(
        status=ReturnStatus.STAGING, period_id=upload.period_id, data__staging_for=str(upload.token)
    )


def _unstage(upload: Upload) -> None:
    """Delete what an attempt staged for this upload (a rejected file, or a crashed or retried
    attempt), and drafts this period's newer upload replaced, in short transactions so nobody
    waits on a long delete."""
    discarded = TaxReturn.objects.filter(status=ReturnStatus.STAGING, period_id=upload.period_id, data__discarded=True)
    for staged in [*_staged(upload), *discarded]:
        while True:
            with transaction.atomic():
                ids = list(
                    InformationReturnRecord.objects.filter(tax_return=staged).values_list("pk", flat=True)[:STAGE_BATCH]
                )
                if not ids:
                    break
                InformationReturnRecord.objects.filter(pk__in=ids).delete()
        staged.delete()


def upload_process(token: str) -> Upload:
    """Check the file and stage its Connecticut records on a "being checked" return, in batches
    of short transactions (the database is never locked for the whole file: other visitors keep
    signing in and filing on SQLite). A clean file becomes the period's draft CT-1096 in one
    short final step; a file with problems has its staged records deleted. A crash or a retry
    starts again after deleting what the earlier attempt staged. Nothing is filed until the user
    submits the draft."""
    upload = Upload.objects.select_related("period__registration__business", "business").get(token=token)
    if upload.finished:
        return upload
    _unstage(upload)
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.VALIDATING, records_checked=0)
    checker = _Checker(upload)
    period = upload.period
    staged = TaxReturn.objects.create(
        business=upload.business,
        tax_type=period.registration.tax_type,
        period=period,
        form="CT-1096",
        status=ReturnStatus.STAGING,
        created_by=upload.uploaded_by,
        data={"staging_for": str(upload.token)},
    )
    totals = services.NonWageTotals()
    pipelined = upload_pipeline.wanted(upload)
    source = upload_pipeline.batches(checker, checked_batches) if pipelined else checked_batches(checker)
    try:
        for rows, paid, withheld in source:
            totals.count += len(rows)
            totals.paid += paid
            totals.withheld += withheld
            _stage(staged, rows, checker)
    except SealedFileError as error:
        # Damaged, truncated or tampered with at rest, or sealed under a key since removed: it
        # will never read back, so it is rejected (retrying would fail forever) and said why.
        log.error("upload %s: the stored file cannot be unsealed (%s)", upload.token, error)
        checker.note(Problem(0, "File", "could not be read back from storage. Upload the file again."))
    if not checker.problem_count:
        try:
            draft = services.ct1096_adopt_staged(actor=upload.uploaded_by, staged=staged, totals=totals)
        except ServiceError as error:  # e.g. the period was filed meanwhile, or no records at all
            message = error.message
            if checker.other_states and "at least one" in message:
                message = "has no Connecticut records: every record is coded for another state."
            checker.note(Problem(0, "File", message))
        else:
            Upload.objects.filter(pk=upload.pk).update(tax_return=draft)
            _unstage(upload)  # the draft it replaced, if any, in short transactions
            return _finish(upload, UploadStatus.CHECKED, checker, [], 0)
    _unstage(upload)
    return _finish(upload, UploadStatus.REJECTED, checker, checker.problems, checker.problem_count)


def checked_batches(checker: "_Checker") -> Iterator[tuple[Rows, Decimal, Decimal]]:
    """The checked Connecticut records as rows to store (`bulk.batch_rows`), numbered from 1,
    STAGE_BATCH at a time (the first FIRST_STAGE_BATCH at most), each batch with its amounts paid
    and its tax withheld."""
    batch: list[InformationReturn | pub1220.Run] = []
    size = 0  # records in the batch
    stored = 0  # records in the batches before
    limit = min(STAGE_BATCH, FIRST_STAGE_BATCH)
    for piece in checker:
        while True:
            room = limit - size
            if isinstance(piece, InformationReturn) or len(piece) <= room:
                batch.append(piece)
                size += 1 if isinstance(piece, InformationReturn) else len(piece)
                break
            batch.append(piece.part(0, room))  # a run that does not fit: the rest starts the next
            piece = piece.part(room, len(piece))
            size = limit
            yield batch_rows(stored + 1, batch)
            stored += size
            batch, size, limit = [], 0, STAGE_BATCH
        if size >= limit:
            yield batch_rows(stored + 1, batch)
            stored += size
            batch, size, limit = [], 0, STAGE_BATCH
    if batch:
        yield batch_rows(stored + 1, batch)


def _stage(staged: TaxReturn, rows: Rows, checker: "_Checker") -> None:
    """One batch of rows in its own short transaction, numbered on from what is staged, with the
    upload's progress. On PostgreSQL the transaction (when it is one, not a savepoint inside the
    caller's) does not wait for its commit to reach the disk (synchronous_commit off, for this
    transaction only): staged rows are only ever used
    by the final step (`services.ct1096_adopt_staged`), whose own commit waits, and reaching the
    disk takes every earlier commit there with it. Should the server crash before that, the
    upload is checked again and what was staged is deleted first, as after any crash."""
    own = not connection.in_atomic_block  # a transaction of its own, not a savepoint in the caller's
    with transaction.atomic():
        if own and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        if rows:
            insert_rows(staged.pk, rows)
        Upload.objects.filter(pk=checker.upload.pk).update(records_checked=checker.records)


def progress_set(token, records: int) -> None:
    """Progress goes to huey's store as well as the database: the status page reads it between
    the staging batches."""
    from huey.contrib.djhuey import HUEY

    HUEY.put(f"upload-progress:{token}", records)


def progress_get(token) -> int | None:
    from huey.contrib.djhuey import HUEY

    return HUEY.get(f"upload-progress:{token}", peek=True)


@transaction.atomic
def _finish(upload: Upload, status: str, checker: _Checker, problems: list[dict], problem_count: int) -> Upload:
    Upload.objects.filter(pk=upload.pk).update(
        status=status,
        records_checked=checker.records,
        record_count=checker.records - sum(checker.other_states.values()),
        problems=problems,
        problem_count=problem_count,
        notices=checker.notices(),
        finished_at=timezone.now(),
    )
    upload.refresh_from_db()
    audit_record(
        event=f"upload.{status}",
        actor=upload.uploaded_by,
        target=upload,
        business=upload.business,
        data={"records": checker.records, "problems": problem_count},
    )
    return upload


def uploads_requeue_stalled(*, older_than_minutes: int = 30) -> int:
    """Enqueue again the uploads a crashed worker left unfinished. Safe even if one is still
    being processed: filing is keyed by the upload's token and serialised on the period."""
    from datetime import timedelta

    from .tasks import check_upload

    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    stalled = list(
        Upload.objects.filter(
            status__in=[UploadStatus.RECEIVED, UploadStatus.VALIDATING], created_at__lt=cutoff
        ).values_list("token", flat=True)
    )
    for token in stalled:
        check_upload.enqueue(str(token))
    if stalled:
        log.warning("re-enqueued %d stalled upload(s)", len(stalled))
    return len(stalled)


def uploads_purge(*, now=None) -> int:
    """Delete the files of uploads checked more than TSC_UPLOAD_RETENTION_DAYS ago (filed, rejected
    or replaced alike). The Upload row stays, with its totals and problems, and `purged_at`. Safe
    to run again and on several workers: a file already gone is simply marked."""
    from datetime import timedelta

    from django.conf import settings

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TSC_UPLOAD_RETENTION_DAYS)
    done = 0
    due = Upload.objects.filter(finished_at__lt=cutoff, purged_at__isnull=True).exclude(
        status__in=[UploadStatus.RECEIVED, UploadStatus.VALIDATING]
    )
    for upload in due.iterator(chunk_size=500):
        if upload.file:
            upload.file.storage.delete(upload.file.name)
        Upload.objects.filter(pk=upload.pk).update(file="", purged_at=now)
        done += 1
    if done:
        log.info("deleted the files of %d upload(s) past retention", done)
    return done
