"""The daily bank batch: every payment whose send date is a banking day goes to the bank in one
NACHA file, and is marked sent in the same transaction.

Idempotent per date: the batch row is unique on its send date, so a second run (a retry, a
second worker on another host, a rerun after a crash) finds the first run's batch, or waits for
it and then finds it, and sends nothing twice. A crash before the commit leaves nothing: no
batch row, no payment marked sent, so the rerun starts again from scratch. A cancel racing the
batch locks the same payment row: it either commits first (and the payment is left out) or
waits and finds the payment sent (and is refused).
"""

import logging
import os
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tsc.audit.services import audit_record
from tsc.lib.formats import nacha
from tsc.lib.sealed_files import seal

from .models import Payment, PaymentBatch, PaymentStatus

log = logging.getLogger(__name__)
CHUNK = 2000


def originator() -> nacha.Originator:
    return nacha.Originator(
        destination_routing=settings.TSC_ACH_DESTINATION_ROUTING,
        destination_name=settings.TSC_ACH_DESTINATION_NAME,
        origin_id=settings.TSC_ACH_ORIGIN_ID,
        origin_name=settings.TSC_ACH_ORIGIN_NAME,
        company_name=settings.TSC_ACH_COMPANY_NAME,
        odfi_routing=settings.TSC_ACH_ODFI_ROUTING,
    )


_DEBIT_FIELDS = (
    "routing_number",
    "account_number",
    "account_type",
    "amount",
    "requested_date",
    "business__registration_number",
    "business__legal_name",
    "tax_type__code",
    "period__period_end",
    "individual__ssn",
    "individual__first_name",
    "individual__last_name",
    "tax_year",
)


def _debits(batch: PaymentBatch):
    """The batch's payments as NACHA debits, streamed (plain values, no model objects), by
    effective date."""
    rows = (
        Payment.objects.filter(batch=batch).order_by("requested_date", "pk").values_list(*_DEBIT_FIELDS).iterator(CHUNK)
    )
    for routing, account, kind, amount, requested, number, name, code, period_end, ssn, first, last, year in rows:
        if number is None:  # an individual's estimated payment: the SSN and the tax year's end
            number, name, period_end = ssn, f"{first} {last}", date(year, 12, 31)
        yield nacha.Debit(
            routing_number=routing,
            account_number=account,
            account_type=kind,
            amount=amount,
            effective_date=requested,
            taxpayer_id=number.replace("-", ""),
            taxpayer_name=name,
            tax_type_code=code,
            period_end=period_end,
        )


def batch_folder() -> Path:
    return Path(settings.VAR_DIR) / "batches"


def _write_sealed(day: date, lines) -> str:
    """Stream the file's lines into a sealed file (memory flat in the number of payments). A
    crashed attempt's file is overwritten by the retry: the name is the date's."""
    folder = batch_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{day.isoformat()}.ach.sealed"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".writing-")  # created 0600
    try:
        with os.fdopen(fd, "wb") as out:
            seal(_blocks(lines), out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, folder / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return name


def _blocks(lines, size: int = 1000):
    """Lines joined into blocks of bytes, each line ending in a newline."""
    block: list[str] = []
    for line in lines:
        block.append(line)
        if len(block) >= size:
            yield ("\n".join(block) + "\n").encode("ascii")
            block.clear()
    if block:
        yield ("\n".join(block) + "\n").encode("ascii")


def payment_batch_send(*, day: date) -> PaymentBatch:
    """Send (write and keep) the NACHA file of `day`'s payments, once."""
    if (done := PaymentBatch.objects.filter(send_date=day).first()) is not None:
        return done
    try:
        with transaction.atomic():
            batch = PaymentBatch.objects.create(send_date=day)
            # Claim the day's payments in one UPDATE: it locks them (a racing cancel waits, then
            # finds the payment sent) and skips any a cancel committed first. A payment whose send
            # date passed without a batch (scheduled while that day's batch ran) goes now.
            Payment.objects.filter(status=PaymentStatus.SCHEDULED, send_date__lte=day).update(
                status=PaymentStatus.SENT, batch=batch
            )
            totals = nacha.Totals()
            lines = nacha.write(_debits(batch), originator(), created=timezone.localtime(), totals=totals)
            batch.file_name = _write_sealed(day, lines)
            batch.entry_count = totals.entries
            batch.total = Decimal(totals.total_debits) / 100
            batch.save(update_fields=["entry_count", "total", "file_name"])
            audit_record(
                event="payment_batch.sent",
                target=batch,
                data={"send_date": day.isoformat(), "payments": totals.entries, "total": str(batch.total)},
            )
    except IntegrityError:
        # Another worker made this date's batch at the same moment: theirs is the one.
        return PaymentBatch.objects.get(send_date=day)
    log.info("bank batch %s: %d payments", day.isoformat(), batch.entry_count)
    return batch


# NACHA return reason codes a bank sends back for a debit (the common ones; any R code is kept).
RETURN_REASONS = {
    "R01": "Insufficient funds",
    "R02": "Account closed",
    "R03": "No account, or unable to locate account",
    "R04": "Invalid account number",
    "R07": "Authorization revoked by customer",
    "R08": "Payment stopped",
    "R10": "Customer advises not authorized",
    "R16": "Account frozen",
    "R20": "Non-transaction account",
    "R29": "Corporate customer advises not authorized",
}


@transaction.atomic
def payment_batch_post(*, batch: PaymentBatch, actor=None) -> int:
    """DRS posts a sent batch: its payments become processed (shown under Processed Payments).
    Posting again changes nothing."""
    batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    posted = Payment.objects.filter(batch=batch, status=PaymentStatus.SENT).update(
        status=PaymentStatus.PROCESSED, posted_on=timezone.localdate()
    )
    from tsc.ledger.services import payments_post

    payments_post(batch_id=batch.pk)  # the credits on the account, in the same transaction
    if batch.posted_at is None:
        batch.posted_at = timezone.now()
        batch.save(update_fields=["posted_at"])
    audit_record(event="payment_batch.posted", actor=actor, target=batch, data={"payments": posted})
    return posted


@transaction.atomic
def payment_return(*, confirmation_number: str, reason: str, actor=None) -> Payment:
    """The bank returned a sent (or processed) payment with a NACHA return reason code."""
    from tsc.lib.errors import ServiceError

    reason = reason.strip().upper()
    if not (len(reason) == 3 and reason[0] == "R" and reason[1:].isdigit()):
        raise ServiceError("A return reason is a NACHA code like R01.", field="reason")
    payment = Payment.objects.select_for_update().filter(confirmation_number=confirmation_number.strip()).first()
    if payment is None:
        raise ServiceError("There is no payment with that confirmation number.", field="confirmation_number")
    if payment.status not in (PaymentStatus.SENT, PaymentStatus.PROCESSED, PaymentStatus.RETURNED):
        raise ServiceError("Only a payment sent to the bank can be returned by it.", field="confirmation_number")
    payment.status = PaymentStatus.RETURNED
    payment.return_reason = reason
    payment.save(update_fields=["status", "return_reason"])
    from tsc.ledger.services import payment_returned

    payment_returned(payment=payment, actor=actor)
    audit_record(
        event="payment.returned", actor=actor, target=payment, business=payment.business, data={"reason": reason}
    )
    return payment
