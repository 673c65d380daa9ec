"""Everything that writes to the account: processing filed returns, posting payments and bank
returns, penalty waivers and refunds. Each posting is one append-only ledger entry, written in
the same transaction as its audit row; a retry finds what the first try wrote."""

import logging
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from tsc.audit.services import audit_record
from tsc.filing.models import ReturnStatus, TaxReturn
from tsc.filing.services import confirmation_number_new
from tsc.lib.errors import ServiceError
from tsc.taxpayers.models import FilingPeriod

from . import account
from .models import (
    Assessment,
    EntryKind,
    LedgerEntry,
    ModifiedReason,
    PenaltyWaiver,
    Refund,
    RefundStatus,
    WaiverStatus,
)

log = logging.getLogger(__name__)
ZERO = Decimal("0.00")


def _entry(period: FilingPeriod, kind: str, amount: Decimal, effective_date: date, **refs) -> LedgerEntry:
    return LedgerEntry.objects.create(
        business_id=period.registration.business_id,
        tax_type_id=period.registration.tax_type_id,
        period=period,
        kind=kind,
        amount=amount,
        effective_date=effective_date,
        **refs,
    )


# ---- processing filed returns ----------------------------------------------------------------


def return_process(*, tax_return: TaxReturn, actor=None) -> Assessment:
    """DRS processes a filed return: its tax and its late penalty go on the period's ledger.

    The tax posted is the return's tax due (for an amended return, the additional tax it reports
    over the return it amends, or minus the credit it reports). An original return's credit is
    not posted: on a CT-941 it is carried to the next quarter's line 4 by the form itself.
    Interest is not posted: it is derived to the day (statement.py). Processing twice, or two
    clerks at once, assesses once."""
    try:
        with transaction.atomic():
            tax_return = (
                TaxReturn.objects.select_for_update()
                .select_related("period__registration", "business")
                .get(pk=tax_return.pk)
            )
            if tax_return.status != ReturnStatus.FILED:
                raise ServiceError("Only a filed return can be processed.")
            if existing := Assessment.objects.filter(tax_return=tax_return).first():
                return existing
            period = tax_return.period
            tax = tax_return.tax_due - (tax_return.credit if tax_return.is_amended else ZERO)
            assessment = Assessment.objects.create(
                tax_return=tax_return, processed_by=actor, tax=tax, penalty=tax_return.penalty
            )
            refs = {"tax_return": tax_return, "created_by": actor}
            if tax:
                _entry(period, EntryKind.TAX, tax, period.due_date, memo=tax_return.form, **refs)
            if tax_return.penalty:
                _entry(period, EntryKind.PENALTY, tax_return.penalty, period.due_date, memo="Late filing", **refs)
            audit_record(
                event="return.processed",
                actor=actor,
                target=tax_return,
                business=tax_return.business,
                data={"tax": str(tax), "penalty": str(tax_return.penalty)},
            )
            refund_open_if_overpaid(period=period, actor=actor)
            return assessment
    except IntegrityError:
        # Another clerk (or the background task) processed it at the same moment.
        return Assessment.objects.get(tax_return_id=tax_return.pk)


def returns_to_process():
    """The work queue: filed returns not yet processed, oldest filing first."""
    return (
        TaxReturn.objects.filter(status=ReturnStatus.FILED, assessment__isnull=True)
        .select_related("business", "tax_type", "period")
        .order_by("filed_at", "pk")
    )


# ---- payments --------------------------------------------------------------------------------


def payments_post(*, batch_id: int) -> int:
    """A posted bank batch's payments become credits on their periods, in one statement (a batch
    can hold 100,000s of payments). Run inside the posting's transaction; posting again adds
    nothing (one entry per payment)."""
    from tsc.payments.models import PaymentStatus

    entry = LedgerEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {entry} (business_id, tax_type_id, period_id, kind, amount, effective_date,
                                 posted_at, payment_id, memo)
            SELECT p.business_id, p.tax_type_id, p.period_id, %s, -p.amount, p.requested_date, %s, p.id,
                   p.confirmation_number
            FROM payments_payment p
            WHERE p.batch_id = %s AND p.status = %s AND p.period_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM {entry} e WHERE e.payment_id = p.id AND e.kind = %s)
            """,  # noqa: S608 - table names are ours, values are parameters
            [EntryKind.PAYMENT, timezone.now(), batch_id, PaymentStatus.PROCESSED, EntryKind.PAYMENT],
        )
        posted = cursor.rowcount
    for period in account.overpaid_periods(batch_id=batch_id):
        refund_open_if_overpaid(period=period)
    return posted


def payment_returned(*, payment, actor=None) -> None:
    """The bank returned a payment: if it was posted, its credit is reversed (the payment is then
    as if never made, interest included)."""
    if not LedgerEntry.objects.filter(payment=payment, kind=EntryKind.PAYMENT).exists():
        return
    if LedgerEntry.objects.filter(payment=payment, kind=EntryKind.PAYMENT_RETURNED).exists():
        return
    period = FilingPeriod.objects.select_related("registration").get(pk=payment.period_id)
    _entry(
        period,
        EntryKind.PAYMENT_RETURNED,
        payment.amount,
        timezone.localdate(),
        payment=payment,
        created_by=actor,
        memo=payment.return_reason,
    )


# ---- penalty waivers -------------------------------------------------------------------------


def waiver_refusal(period: FilingPeriod, *, on: date) -> str | None:
    """Why a penalty waiver cannot be requested for the period today, in the seed's words, or
    None. Scheduled payments do not count until processed."""
    s = account.period_statement(period, as_of=on)
    if s.penalty_unpaid <= 0 and s.penalty <= 0:
        return "There is no penalty on this period to waive."
    owed = s.tax_unpaid + s.interest_unpaid
    if owed > 0:
        return (
            f"Tax and interest of ${owed:,.2f} are still due for this period. Interest cannot be waived and "
            "must be paid before your penalty waiver request can be reviewed: submit your payment first and "
            "do not submit your penalty waiver until that payment has been processed."
        )
    return None


def waiver_request(*, ctx, period: FilingPeriod, reason: str) -> PenaltyWaiver:
    from tsc.accounts.rights import Action, may

    period = FilingPeriod.objects.select_related("registration__tax_type").get(pk=period.pk)
    if not may(ctx, Action.REQUEST_WAIVER, tax_type=period.registration.tax_type):
        raise ServiceError("You do not have the right to request a penalty waiver for this tax type.")
    reason = reason.strip()
    if len(reason) < 10:
        raise ServiceError("Tell the Penalty Waiver Unit why the penalty should be waived.", field="reason")
    with transaction.atomic():
        FilingPeriod.objects.select_for_update().filter(pk=period.pk).first()
        if open_request := PenaltyWaiver.objects.filter(period=period, status=WaiverStatus.REQUESTED).first():
            return open_request
        if refusal := waiver_refusal(period, on=timezone.localdate()):
            raise ServiceError(refusal)
        s = account.period_statement(period, as_of=timezone.localdate())
        waiver = PenaltyWaiver.objects.create(
            business_id=period.registration.business_id,
            period=period,
            tax_type=period.registration.tax_type,
            penalty=s.penalty,
            reason=reason,
            requested_by=ctx.login,
            confirmation_number=confirmation_number_new(),
        )
        audit_record(
            event="penalty_waiver.requested",
            actor=ctx.login,
            target=waiver,
            business=waiver.business,
            data={"period_end": period.period_end.isoformat(), "penalty": str(s.penalty)},
        )
    return waiver


@transaction.atomic
def waiver_decide(*, waiver: PenaltyWaiver, approve: bool, reply: str, actor) -> PenaltyWaiver:
    """The Penalty Waiver Unit approves (the penalty is reversed on the ledger) or denies, with a
    reply the taxpayer sees."""
    waiver = PenaltyWaiver.objects.select_for_update().select_related("period__registration").get(pk=waiver.pk)
    if waiver.status != WaiverStatus.REQUESTED:
        raise ServiceError(f"This request was already decided: {waiver.get_status_display()}.")
    reply = reply.strip()
    if not reply:
        raise ServiceError("Write the reply the taxpayer will read.", field="reply")
    waiver.status = WaiverStatus.APPROVED if approve else WaiverStatus.DENIED
    waiver.reply, waiver.decided_at, waiver.decided_by = reply, timezone.now(), actor
    waiver.save(update_fields=["status", "reply", "decided_at", "decided_by"])
    if approve:
        penalty = account.period_statement(waiver.period, as_of=timezone.localdate()).penalty
        if penalty > 0:
            _entry(
                waiver.period,
                EntryKind.WAIVER,
                -penalty,
                waiver.period.due_date,
                waiver=waiver,
                created_by=actor,
                memo=f"Penalty waiver {waiver.confirmation_number}",
            )
    audit_record(
        event="penalty_waiver.approved" if approve else "penalty_waiver.denied",
        actor=actor,
        target=waiver,
        business=waiver.business,
    )
    if approve:
        refund_open_if_overpaid(period=waiver.period, actor=actor)
    return waiver


# ---- refunds ---------------------------------------------------------------------------------


def refund_open_if_overpaid(*, period: FilingPeriod, actor=None) -> Refund | None:
    """A period whose credits exceed what it owes gets a refund UNDER REVIEW for the credit not
    already on its way back (call inside the posting's transaction)."""
    credit = account.period_statement(period, as_of=timezone.localdate()).credit
    pending = Refund.objects.filter(period=period, status=RefundStatus.UNDER_REVIEW).aggregate(t=Sum("amount"))["t"]
    credit -= pending or ZERO
    if credit <= 0:
        return None
    refund = Refund.objects.create(business_id=period.registration.business_id, period=period, amount=credit)
    audit_record(
        event="refund.opened", actor=actor, target=refund, business=refund.business, data={"amount": str(credit)}
    )
    return refund


# Which status may follow which (staff move a refund along; PROCESSED may come back UNDELIVERABLE).
NEXT_STATUS = {
    RefundStatus.UNDER_REVIEW: {RefundStatus.PROCESSED, RefundStatus.MODIFIED},
    RefundStatus.PROCESSED: {RefundStatus.UNDELIVERABLE},
    RefundStatus.MODIFIED: {RefundStatus.PROCESSED, RefundStatus.UNDER_REVIEW},
    RefundStatus.UNDELIVERABLE: {RefundStatus.PROCESSED},
}


@transaction.atomic
def refund_status_set(
    *,
    refund: Refund,
    status: str,
    actor,
    reason: str = "",
    issued_amount: Decimal | None = None,
) -> Refund:
    """Move a refund to its next status. MODIFIED needs the reason and the amount DRS will issue;
    the difference is posted as the reason says (a corrected math error is more tax, an amount
    applied to a bill moves to the oldest period with a balance due, an offset leaves the
    account). PROCESSED issues the refund: a REFUND entry takes it out of the period's credit;
    UNDELIVERABLE puts it back until the address is fixed and it is issued again."""
    refund = Refund.objects.select_for_update(of=("self",)).select_related("period__registration").get(pk=refund.pk)
    status = RefundStatus(status)
    if status not in NEXT_STATUS.get(refund.status, set()):
        raise ServiceError(
            f"A refund that is {refund.get_status_display()} cannot become {status.label}.", field="status"
        )
    issue_amount = refund.issued_amount if refund.issued_amount is not None else refund.amount
    if status == RefundStatus.MODIFIED:
        if reason not in ModifiedReason.values:
            raise ServiceError("Choose why the refund was modified.", field="reason")
        if reason != ModifiedReason.EITC:
            if issued_amount is None or not (ZERO <= issued_amount < refund.amount):
                raise ServiceError(
                    f"Enter the amount to issue: at least $0.00 and less than ${refund.amount:,.2f}.",
                    field="issued_amount",
                )
            refund.issued_amount = issued_amount
            if refund.period_id:
                _modified_postings(refund, reason, refund.amount - issued_amount, actor)
        refund.modified_reason = reason
    if refund.period_id and status == RefundStatus.PROCESSED and issue_amount > 0:
        _entry(refund.period, EntryKind.REFUND, issue_amount, timezone.localdate(), refund=refund, created_by=actor)
    if refund.period_id and status == RefundStatus.UNDELIVERABLE and issue_amount > 0:
        _entry(
            refund.period,
            EntryKind.REFUND,
            -issue_amount,
            timezone.localdate(),
            refund=refund,
            created_by=actor,
            memo="Refund undeliverable: returned to the account",
        )
    refund.status, refund.status_changed_at, refund.status_changed_by = status, timezone.now(), actor
    refund.save()
    audit_record(
        event="refund.status",
        actor=actor,
        target=refund,
        business=refund.business,
        data={"status": status.value, "reason": refund.modified_reason},
    )
    return refund


def _modified_postings(refund: Refund, reason: str, difference: Decimal, actor) -> None:
    if difference <= 0:
        return
    period = refund.period
    if reason == ModifiedReason.MATH_ERROR:
        _entry(period, EntryKind.TAX, difference, period.due_date, created_by=actor, memo="Math error corrected")
    elif reason == ModifiedReason.OFFSET:
        _entry(period, EntryKind.TRANSFER_OUT, difference, timezone.localdate(), created_by=actor, memo="Offset")
    elif reason == ModifiedReason.APPLIED_TO_BILL:
        bill = account.oldest_bill(refund.business_id, exclude=period.pk)
        if bill is None:
            raise ServiceError("This business has no bill to apply the refund to.", field="reason")
        today = timezone.localdate()
        _entry(period, EntryKind.TRANSFER_OUT, difference, today, created_by=actor, memo=f"Applied to {bill}")
        _entry(bill, EntryKind.TRANSFER_IN, -difference, today, created_by=actor, memo=f"Refund from {period}")
