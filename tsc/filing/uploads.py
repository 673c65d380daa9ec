"""1099/W-2G files: kept first, then checked record by record, then filed all at once.

`upload_receive` stores the file and its row in one transaction and enqueues the check after
commit. `upload_process` is safe to run again after a crash or a retry: a finished upload is
left alone, and filing uses the upload's token as its submission token, so it files once.
"""

import hashlib
import logging
import uuid
from collections.abc import Iterator
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tsc.accounts.models import Login
from tsc.accounts.services import ServiceError
from tsc.audit.services import audit_record
from tsc.lib.formats import nonwage_csv, pub1220
from tsc.lib.formats.records import InformationReturn, Parsed, Problem
from tsc.taxpayers.models import FilingPeriod

from . import services
from .models import Upload, UploadKind, UploadStatus

log = logging.getLogger(__name__)
PROGRESS_EVERY = 5000
MAX_UPLOAD_BYTES = 512 * 1024 * 1024


def upload_receive(*, actor: Login, period: FilingPeriod, kind: str, file, payments: Decimal) -> Upload:
    from .tasks import check_upload

    if file.size > MAX_UPLOAD_BYTES:
        raise ServiceError("The file is larger than 512 MB. Split it into smaller files.", field="file")
    if file.size == 0:
        raise ServiceError("The file is empty.", field="file")
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    with transaction.atomic():
        upload = Upload(
            token=uuid.uuid4(),
            business=period.registration.business,
            period=period,
            kind=UploadKind(kind),
            original_name=file.name[:255],
            size=file.size,
            sha256=digest.hexdigest(),
            payments=payments,
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


def _read(upload: Upload) -> Iterator[Parsed | Problem]:
    with upload.file.open("rb") as stream:
        if upload.kind == UploadKind.PUB1220:
            yield from pub1220.read(stream, year=upload.period.period_end.year)
        else:
            yield from nonwage_csv.read(stream)


def _business_problems(upload: Upload, item: Parsed) -> list[Problem]:
    fein = upload.business.fein.replace("-", "")
    if fein and item.record.payer_tin != fein:
        return [Problem(item.record_number, "Payer TIN", "does not match the FEIN DRS has for this business")]
    return []


class _Rejected(Exception):
    """Rolls back whatever was stored of a file found to have problems."""


class _Checker:
    """Reads the file once: yields clean records to be stored, and notes every problem. After
    the first problem nothing more is yielded (it will all be rolled back) but checking goes on
    so the taxpayer sees every problem at once."""

    def __init__(self, upload: Upload):
        self.upload = upload
        self.records = 0
        self.problem_count = 0
        self.problems: list[dict] = []

    def note(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < Upload.MAX_PROBLEMS_KEPT:
            self.problems.append({"record": problem.record_number, "field": problem.field, "reason": problem.reason})

    def __iter__(self) -> Iterator[InformationReturn]:
        for item in _read(self.upload):
            if isinstance(item, Problem):
                self.note(item)
                continue
            self.records += 1
            for problem in _business_problems(self.upload, item):
                self.note(problem)
            if self.records % PROGRESS_EVERY == 0:
                progress_set(self.upload.token, self.records)
            if not self.problem_count:
                yield item.record


def upload_process(token: str) -> Upload:
    upload = Upload.objects.select_related("period__registration__business", "business").get(token=token)
    if upload.finished:
        return upload
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.VALIDATING, records_checked=0)
    checker = _Checker(upload)
    # One read of the file, inside one transaction: records are stored as they are checked, and
    # the whole filing is rolled back if any problem turns up. A crash leaves nothing behind; a
    # retry starts again, and the upload's token as submission token stops a second filing.
    try:
        with transaction.atomic():
            tax_return = services.ct1096_file(
                actor=upload.uploaded_by,
                period=upload.period,
                records=checker,
                payments=upload.payments,
                submission_token=upload.token,
            )
            if checker.problem_count:
                raise _Rejected
            Upload.objects.filter(pk=upload.pk).update(tax_return=tax_return)
            return _finish(upload, UploadStatus.ACCEPTED, checker.records, [], 0)
    except _Rejected:
        pass
    except ServiceError as error:
        if not checker.problem_count:  # e.g. the period was filed meanwhile, or no records at all
            checker.note(Problem(0, "File", error.message))
    return _finish(upload, UploadStatus.REJECTED, checker.records, checker.problems, checker.problem_count)


def progress_set(token, records: int) -> None:
    """Progress goes to huey's store, not the database: the filing transaction is still open."""
    from huey.contrib.djhuey import HUEY

    HUEY.put(f"upload-progress:{token}", records)


def progress_get(token) -> int | None:
    from huey.contrib.djhuey import HUEY

    return HUEY.get(f"upload-progress:{token}", peek=True)


@transaction.atomic
def _finish(upload: Upload, status: str, records: int, problems: list[dict], problem_count: int) -> Upload:
    Upload.objects.filter(pk=upload.pk).update(
        status=status,
        records_checked=records,
        record_count=records,
        problems=problems,
        problem_count=problem_count,
        finished_at=timezone.now(),
    )
    upload.refresh_from_db()
    audit_record(
        event=f"upload.{status}",
        actor=upload.uploaded_by,
        target=upload,
        business=upload.business,
        data={"records": records, "problems": problem_count},
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
