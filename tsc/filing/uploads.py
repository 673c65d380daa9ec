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


def upload_process(token: str) -> Upload:
    upload = Upload.objects.select_related("period__registration__business", "business").get(token=token)
    if upload.finished:
        return upload
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.VALIDATING, records_checked=0)

    # Pass 1: check every record; progress is committed as it goes so the status page moves.
    problems: list[dict] = []
    problem_count = records = 0
    for item in _read(upload):
        found = [item] if isinstance(item, Problem) else _business_problems(upload, item)
        if isinstance(item, Parsed):
            records += 1
            if records % PROGRESS_EVERY == 0:
                Upload.objects.filter(pk=upload.pk).update(records_checked=records)
        for problem in found:
            problem_count += 1
            if len(problems) < Upload.MAX_PROBLEMS_KEPT:
                problems.append({"record": problem.record_number, "field": problem.field, "reason": problem.reason})
    if records == 0 and problem_count == 0:
        problem_count = 1
        problems.append({"record": 0, "field": "File", "reason": "has no 1099 or W-2G records"})
    if problem_count:
        return _finish(upload, UploadStatus.REJECTED, records, problems, problem_count)

    # Pass 2: the file is clean: file the CT-1096 and every record in one transaction.
    def records_only() -> Iterator[InformationReturn]:
        for item in _read(upload):
            if isinstance(item, Parsed):
                yield item.record

    try:
        with transaction.atomic():
            tax_return = services.ct1096_file(
                actor=upload.uploaded_by,
                period=upload.period,
                records=records_only(),
                payments=upload.payments,
                submission_token=upload.token,
            )
            Upload.objects.filter(pk=upload.pk).update(tax_return=tax_return)
            return _finish(upload, UploadStatus.ACCEPTED, records, [], 0)
    except ServiceError as error:
        return _finish(
            upload, UploadStatus.REJECTED, records, [{"record": 0, "field": "File", "reason": error.message}], 1
        )


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
