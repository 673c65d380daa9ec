"""Preparing, saving and filing returns: computed on the server, one transaction, audited.

A return is filed once per period (amended returns are separate, linked filings). The
submission token of the Submit form makes a double click or a retry return the same filing.
"""

import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from tsc.accounts.models import Login
from tsc.audit.services import audit_record
from tsc.lib.errors import ServiceError
from tsc.lib.formats.records import InformationReturn
from tsc.lib.money import ZERO, cents
from tsc.taxpayers.models import FilingPeriod, Registration, TaxType
from tsc.taxpayers.services import filing_periods_generate, registration_add

from .bulk import insert_records
from .computations import Computation, ct1096
from .forms_registry import RETURN_FORMS
from .models import ReturnStatus, TaxReturn, Upload, UploadStatus

_CONFIRMATION_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no look-alikes, easy to read on the phone


def confirmation_number_new() -> str:
    """'TSC-7K2M-9QXA-4D8H': 60 random bits, not guessable, printable."""
    raw = "".join(secrets.choice(_CONFIRMATION_ALPHABET) for _ in range(12))
    return f"TSC-{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def today() -> date:
    return timezone.localdate()


def compute(
    period: FilingPeriod,
    values: dict[str, Decimal],
    filed_on: date | None = None,
    *,
    amends: TaxReturn | None = None,
) -> Computation:
    """The return's lines from what was typed, with the figures the server carries over from
    other returns (the return being amended, the prior quarter's credit); filed today unless
    `filed_on` says otherwise."""
    form = RETURN_FORMS[period.registration.tax_type.code]
    return form.compute(values, period=period, amends=amends, filed=filed_on or today())


def _lines_json(computation: Computation) -> list[dict]:
    return [ln.as_dict() for ln in computation.lines]


def _apply(tax_return: TaxReturn, values: dict[str, Decimal], computation: Computation) -> None:
    tax_return.data = {k: str(cents(v)) for k, v in values.items()}
    tax_return.lines = _lines_json(computation)
    tax_return.tax_due = computation.tax_due
    tax_return.credit = computation.credit
    tax_return.penalty = computation.penalty
    tax_return.interest = computation.interest
    tax_return.amount_due = computation.amount_due


def _draft_or_new(period: FilingPeriod, actor: Login | None) -> TaxReturn:
    """The period's draft, or a new (unsaved) one."""
    return TaxReturn.objects.filter(period=period, status=ReturnStatus.DRAFT).first() or TaxReturn(
        period=period,
        business=period.registration.business,
        tax_type=period.registration.tax_type,
        form=RETURN_FORMS[period.registration.tax_type.code].name,
        created_by=actor,
    )


def submission_token(value) -> uuid.UUID | None:
    """The Submit form's token, or None when it is missing or not a UUID."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def submission_token_required(value) -> uuid.UUID:
    token = submission_token(value)
    if token is None:
        raise ServiceError("This form has expired. Review it again and submit it.")
    return token


def filed_original(period: FilingPeriod) -> TaxReturn | None:
    return TaxReturn.objects.filter(period=period, status=ReturnStatus.FILED, amends__isnull=True).first()


@transaction.atomic
def return_save_draft(
    *, actor: Login, period: FilingPeriod, values: dict[str, Decimal], amends: TaxReturn | None = None
) -> TaxReturn:
    """Keep what was typed so far; the user can come back to it."""
    FilingPeriod.objects.select_for_update().get(pk=period.pk)
    if amends is None and (original := filed_original(period)):
        raise ServiceError(
            f"The return for this period was already filed (confirmation "
            f"{original.confirmation_number}). File an amended return instead."
        )
    draft = _draft_or_new(period, actor)
    draft.amends = amends
    _apply(draft, values, compute(period, values, amends=amends))
    draft.save()
    audit_record(
        event="return.draft_saved",
        actor=actor,
        target=draft,
        business=draft.business,
        data={"form": draft.form, "period_end": period.period_end.isoformat()},
    )
    return draft


def return_submit(
    *,
    actor: Login,
    period: FilingPeriod,
    values: dict[str, Decimal],
    submission_token: uuid.UUID,
    amends: TaxReturn | None = None,
    filed_on: date | None = None,
) -> TaxReturn:
    """File the return. Same token again → the same return (double click, retry). Another
    filing of the same period (second tab) → refused, unless it is an amended return.
    `filed_on` is today, except for history loaded from earlier systems (demo data)."""
    existing = TaxReturn.objects.filter(submission_token=submission_token).first()
    if existing is not None:
        return existing
    try:
        return _submit(actor, period, values, submission_token, amends, filed_on or today())
    except IntegrityError:
        # Lost a race: either our own token (double click on another server) or the period.
        existing = TaxReturn.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            return existing
        raise ServiceError(_already_filed_message(period)) from None


def _already_filed_message(period: FilingPeriod) -> str:
    original = filed_original(period)
    number = original.confirmation_number if original else ""
    return (
        f"The return for the period ending {period.period_end:%m/%d/%Y} was already filed"
        f"{f' (confirmation {number})' if number else ''}. To change it, file an amended return."
    )


@transaction.atomic
def _submit(actor, period, values, submission_token, amends, filed_on: date) -> TaxReturn:
    FilingPeriod.objects.select_for_update().get(pk=period.pk)
    if TaxReturn.objects.filter(submission_token=submission_token).exists():
        raise IntegrityError("token used")  # handled by the caller: returns that filing
    if amends is None and filed_original(period):
        raise ServiceError(_already_filed_message(period))
    if amends is not None and (amends.period_id != period.pk or amends.status != ReturnStatus.FILED):
        raise ServiceError("Only a filed return of the same period can be amended.")
    computation = compute(period, values, filed_on, amends=amends)
    tax_return = _draft_or_new(period, actor)
    _apply(tax_return, values, computation)
    _mark_filed(tax_return, actor, submission_token, amends, filed_on)
    return tax_return


def _mark_filed(tax_return: TaxReturn, actor: Login, submission_token, amends, filed_on: date) -> None:
    tax_return.amends = amends
    tax_return.status = ReturnStatus.FILED
    tax_return.submission_token = submission_token
    tax_return.confirmation_number = confirmation_number_new()
    tax_return.filed_by = actor
    now = timezone.now()
    tax_return.filed_at = (
        now if filed_on == timezone.localdate(now) else timezone.make_aware(datetime.combine(filed_on, time(10, 0)))
    )
    tax_return.filed_on = filed_on
    tax_return.full_clean(exclude=["period", "business", "tax_type", "amends", "created_by", "filed_by"])
    tax_return.save()
    if filed_on <= tax_return.period.due_date:
        # On time: DRS processes it at once (tsc/ledger). A late one waits for a clerk.
        from tsc.ledger.tasks import process_return

        transaction.on_commit(lambda: process_return.enqueue(tax_return.pk))
    audit_record(
        event="return.filed",
        actor=actor,
        target=tax_return,
        business=tax_return.business,
        data={
            "form": tax_return.form,
            "period_end": tax_return.period.period_end.isoformat(),
            "confirmation_number": tax_return.confirmation_number,
            "amended": amends is not None,
            "amount_due": str(tax_return.amount_due),
        },
    )


# ---- CT-1096 with 1099/W-2G records ------------------------------------------------------------


BATCH = 2000


@dataclass
class NonWageTotals:
    count: int = 0
    paid: Decimal = ZERO
    withheld: Decimal = ZERO


def _drop_draft(period: FilingPeriod) -> None:
    """Make room for a new draft: the period holds one. An upload whose records were on the old
    draft is marked replaced (its file is kept; uploading it again files it)."""
    draft = TaxReturn.objects.filter(period=period, status=ReturnStatus.DRAFT).first()
    if draft is not None:
        Upload.objects.filter(tax_return=draft).update(tax_return=None, status=UploadStatus.SUPERSEDED)
        draft.delete()


def _retire_draft(period: FilingPeriod) -> None:
    """Like _drop_draft, without deleting the old draft's records here (a 100,000-record draft
    would hold the write lock): it becomes a discarded "being checked" return, which the caller
    deletes afterwards in short transactions (uploads._unstage_discarded)."""
    draft = TaxReturn.objects.filter(period=period, status=ReturnStatus.DRAFT).first()
    if draft is not None:
        Upload.objects.filter(tax_return=draft).update(tax_return=None, status=UploadStatus.SUPERSEDED)
        TaxReturn.objects.filter(pk=draft.pk).update(status=ReturnStatus.STAGING, data={"discarded": True})


def _ct1096_store(
    actor: Login | None, period: FilingPeriod, records: Iterable[InformationReturn], source: str = "upload"
) -> TaxReturn:
    """A new draft CT-1096 of the period holding `records` (a generator is fine: they are stored
    in batches as they come). The caller holds the period's lock and a transaction."""
    _drop_draft(period)
    tax_return = _draft_or_new(period, actor)
    tax_return.save()
    totals = NonWageTotals()
    batch: list[tuple[int, InformationReturn]] = []
    for rec in records:
        totals.count += 1
        totals.paid += rec.total_paid
        totals.withheld += rec.state_tax_withheld
        batch.append((totals.count, rec))
        if len(batch) >= BATCH:
            insert_records(tax_return.pk, batch)
            batch.clear()
    insert_records(tax_return.pk, batch)
    if totals.count == 0:
        raise ServiceError("Attach at least one 1099 or W-2G record.")
    computation = ct1096(record_count=totals.count, total_paid=totals.paid, total_withheld=totals.withheld)
    _apply(tax_return, {}, computation)
    tax_return.data = {"source": source}  # "manual": the forms reopen for editing; "upload": a file's
    tax_return.record_count = totals.count
    tax_return.save()
    return tax_return


def _lock_unfiled(period: FilingPeriod, amends: TaxReturn | None = None) -> None:
    FilingPeriod.objects.select_for_update().get(pk=period.pk)
    if amends is None and filed_original(period):
        raise ServiceError(_already_filed_message(period))


@transaction.atomic
def ct1096_save_draft(
    *, actor: Login | None, period: FilingPeriod, records: Iterable[InformationReturn], source: str = "upload"
) -> TaxReturn:
    """Keep a CT-1096 and its records as a draft, to be reviewed and submitted later (an upload
    once checked, or forms entered by hand and saved)."""
    _lock_unfiled(period)
    draft = _ct1096_store(actor, period, records, source)
    audit_record(
        event="return.draft_saved",
        actor=actor,
        target=draft,
        business=draft.business,
        data={"form": draft.form, "period_end": period.period_end.isoformat(), "records": draft.record_count},
    )
    return draft


@transaction.atomic
def ct1096_adopt_staged(*, actor: Login | None, staged: TaxReturn, totals: NonWageTotals) -> TaxReturn:
    """A checked upload's staged records become the period's draft CT-1096: one short step that
    replaces any earlier draft. The totals were counted while the records were staged."""
    period = staged.period
    _lock_unfiled(period)
    if totals.count == 0:
        raise ServiceError("Attach at least one 1099 or W-2G record.")
    _retire_draft(period)
    computation = ct1096(record_count=totals.count, total_paid=totals.paid, total_withheld=totals.withheld)
    _apply(staged, {}, computation)
    staged.data = {"source": "upload"}
    staged.record_count = totals.count
    staged.status = ReturnStatus.DRAFT
    staged.save()
    audit_record(
        event="return.draft_saved",
        actor=actor,
        target=staged,
        business=staged.business,
        data={"form": staged.form, "period_end": period.period_end.isoformat(), "records": staged.record_count},
    )
    return staged


@transaction.atomic
def ct1096_file(
    *,
    actor: Login | None,
    period: FilingPeriod,
    records: Iterable[InformationReturn],
    submission_token: uuid.UUID,
    amends: TaxReturn | None = None,
    filed_on: date | None = None,
) -> TaxReturn:
    """File a CT-1096 and all its records in one transaction: all of them, or nothing. The same
    token again (a double click, a retry) returns the first filing."""
    FilingPeriod.objects.select_for_update().get(pk=period.pk)
    if (existing := TaxReturn.objects.filter(submission_token=submission_token).first()) is not None:
        return existing
    _lock_unfiled(period, amends)
    tax_return = _ct1096_store(actor, period, records, "manual")
    _mark_filed(tax_return, actor, submission_token, amends, filed_on or today())
    return tax_return


@transaction.atomic
def ct1096_submit_upload(*, actor: Login, upload: Upload) -> TaxReturn:
    """File the draft CT-1096 a checked upload made. The upload's token is the submission token:
    a second click (or a retry) returns the same filing."""
    FilingPeriod.objects.select_for_update().get(pk=upload.period_id)
    if (existing := TaxReturn.objects.filter(submission_token=upload.token).first()) is not None:
        return existing
    upload = Upload.objects.select_related("tax_return").get(pk=upload.pk)
    if not upload.ready_to_submit:
        raise ServiceError(
            "This file can no longer be submitted: a newer file or forms entered by hand replaced it. "
            "Upload the file again to file it."
        )
    _lock_unfiled(upload.period)
    tax_return = upload.tax_return
    _mark_filed(tax_return, actor, upload.token, None, today())
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.ACCEPTED)
    audit_record(event="upload.filed", actor=actor, target=upload, business=upload.business, data={})
    return tax_return


# ---- periods offered for filing --------------------------------------------------------------


def registration_for_filing(*, business, tax_type: TaxType) -> Registration | None:
    """The registration a return is filed under. Withholding Non-Wage is offered to every
    business (the seed): a business not registered for it gets an annual registration the
    first time it files one, covering the last three years. A page view that finds everything in
    place writes nothing (issue 13: File Returns opened a write transaction per tax type)."""
    from tsc.taxpayers.services import filing_periods_current

    registration = Registration.objects.select_related("tax_type").filter(business=business, tax_type=tax_type).first()
    if registration is not None and filing_periods_current(registration=registration, through=today()):
        return registration
    if registration is None and not tax_type.offered_to_all_businesses:
        return None
    return _registration_prepare(business=business, tax_type=tax_type)


@transaction.atomic
def _registration_prepare(*, business, tax_type: TaxType) -> Registration | None:
    registration = Registration.objects.filter(business=business, tax_type=tax_type).first()
    if registration is None and tax_type.offered_to_all_businesses:
        start = date(today().year - 3, 1, 1)
        registration = registration_add(
            business=business, tax_type=tax_type, filing_frequency="annual", start_date=start
        )
    if registration is not None:
        filing_periods_generate(registration=registration, through=today())
    return registration
