"""Payments and banking information: schedule, cancel, keep the bank accounts on file.

Every service takes the acting context (tsc/accounts/acting.py) and asks `rights.may` itself:
the same services serve a business's own users today and a bulk filer paying for a client next.
"""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from tsc.accounts.acting import Acting
from tsc.accounts.rights import Action, may
from tsc.audit.services import audit_record
from tsc.filing.models import TaxReturn
from tsc.filing.services import confirmation_number_new
from tsc.lib import banking, pii
from tsc.lib.business_days import is_banking_day, previous_banking_day
from tsc.lib.errors import ServiceError
from tsc.taxpayers.models import Business, FilingPeriod, TaxType

from .models import AccountType, BankAccount, Payment, PaymentBatch, PaymentStatus

MAX_DAYS_AHEAD = 365  # EFTPS, the federal anchor, takes payments up to 365 days ahead
MAX_AMOUNT = Decimal("99999999.99")  # the NACHA amount field: 10 digits of cents
CENT = Decimal("0.01")


def today() -> date:
    return timezone.localdate()


@dataclass(frozen=True)
class BankDetails:
    routing_number: str
    account_number: str
    account_type: str

    def problems(self) -> dict[str, str]:
        found = {}
        if problem := banking.routing_number_problem(self.routing_number):
            found["routing_number"] = problem
        if problem := banking.account_number_problem(self.account_number):
            found["account_number"] = problem
        if self.account_type not in AccountType.values:
            found["account_type"] = "Choose checking or savings."
        return found

    def refuse_if_bad(self) -> None:
        """A service's check: the first problem, as a ServiceError next to its field."""
        if problems := self.problems():
            field, message = next(iter(problems.items()))
            raise ServiceError(message, field=field)


def _refuse_bad_amount_or_date(amount: Decimal, requested_date: date) -> None:
    if problem := amount_problem(amount):
        raise ServiceError(problem, field="amount")
    if problem := requested_date_problem(requested_date):
        raise ServiceError(problem, field="requested_date")


def _refuse(ctx: Acting, action: Action, tax_type=None) -> None:
    allowed = may(ctx, action, tax_type=tax_type) if tax_type is not None else may(ctx, action)
    if not allowed:
        raise ServiceError("You do not have the rights to do this.")


# ---- dates ----------------------------------------------------------------------------------


def send_date_for(requested: date) -> date:
    """Payments are sent to the bank 1 banking day before the requested payment date (seed)."""
    return previous_banking_day(requested)


def _batch_done(day: date) -> bool:
    return PaymentBatch.objects.filter(send_date=day).exists()


def earliest_payment_date(on: date | None = None) -> date:
    """The first requested payment date that can still be sent in time: its send date is today
    or later, and today's batch has not gone yet."""
    on = on or today()
    day = on + timedelta(days=1)
    while True:
        if is_banking_day(day):
            send = send_date_for(day)
            if send > on or (send == on and not _batch_done(on)):
                return day
        day += timedelta(days=1)


def requested_date_problem(requested: date, on: date | None = None) -> str | None:
    on = on or today()
    earliest = earliest_payment_date(on)
    if requested < on:
        return f"The requested payment date is in the past. The earliest date is {earliest:%m/%d/%Y}."
    if requested > on + timedelta(days=MAX_DAYS_AHEAD):
        last = on + timedelta(days=MAX_DAYS_AHEAD)
        return f"A payment can be scheduled at most 365 days ahead, up to {last:%m/%d/%Y}."
    if not is_banking_day(requested):
        following = requested + timedelta(days=1)
        while not is_banking_day(following):
            following += timedelta(days=1)
        return (
            f"{requested:%m/%d/%Y} is not a banking day (weekends and Federal Reserve holidays are not). "
            f"The next banking day is {following:%m/%d/%Y}."
        )
    if requested < earliest:
        return (
            f"The earliest payment date is {earliest:%m/%d/%Y}: payments are sent to the bank "
            f"1 banking day before the requested payment date."
        )
    return None


def amount_problem(amount: Decimal) -> str | None:
    if not amount.is_finite() or amount <= 0:
        return "Enter an amount more than $0.00."
    if amount != amount.quantize(CENT):
        return "Enter dollars and cents, like 1,250.00."
    if amount > MAX_AMOUNT:
        return "A single payment can be at most $99,999,999.99. Make more than one payment."
    return None


# ---- payments -------------------------------------------------------------------------------


def _new_payment(ctx: Acting, account: BankDetails, amount: Decimal, requested_date: date, token, **fields) -> Payment:
    """A payment not yet saved, with what every payment carries (dates, account, numbers)."""
    return Payment(
        amount=amount,
        requested_date=requested_date,
        send_date=send_date_for(requested_date),
        routing_number=account.routing_number,
        account_number=account.account_number,
        account_last4=pii.last4(account.account_number),
        account_type=account.account_type,
        confirmation_number=confirmation_number_new(),
        submission_token=token,
        created_by=ctx.login,
        made_on=today(),
        **fields,
    )


def _save_payment(payment: Payment, *, ctx: Acting, business, data: dict) -> Payment:
    """Save a new payment with its audit row; the same token submitted twice at once finds the
    payment the other request made."""
    try:
        with transaction.atomic():
            payment.save()
            audit_record(
                event="payment.scheduled",
                actor=ctx.login,
                target=payment,
                business=business,
                data={
                    "confirmation_number": payment.confirmation_number,
                    "amount": str(payment.amount),
                    "requested_date": payment.requested_date.isoformat(),
                    "account": f"…{payment.account_last4}",
                }
                | data,
            )
    except IntegrityError:
        existing = Payment.objects.filter(submission_token=payment.submission_token).first()
        if existing is None:
            raise
        return existing
    return payment


def payment_schedule(
    *,
    ctx: Acting,
    period: FilingPeriod,
    amount: Decimal,
    requested_date: date,
    submission_token: uuid.UUID,
    account: BankDetails | None = None,
    tax_return: TaxReturn | None = None,
) -> Payment:
    """Schedule a payment for one period: from the account on file for the tax type, or a one-time
    account. The same token again (a double click, a retry) returns the first payment."""
    if (existing := Payment.objects.filter(submission_token=submission_token).first()) is not None:
        return existing
    tax_type = period.registration.tax_type
    if not ctx.owns(period.registration.business_id):
        raise ServiceError("That filing period is not one of yours.")
    _refuse(ctx, Action.MAKE_PAYMENT, tax_type)
    _refuse_bad_amount_or_date(amount, requested_date)
    if tax_return is not None and tax_return.period_id != period.pk:
        raise ServiceError("That return is for another period.")
    one_time = account is not None
    if account is None:
        on_file = BankAccount.objects.filter(business_id=period.registration.business_id, tax_type=tax_type).first()
        if on_file is None:
            raise ServiceError(
                f"There is no banking information on file for {tax_type.name}. Enter a bank account for this "
                "payment, or ask your TSC Administrator to add it under Make Changes to the Business Profile.",
                field="account",
            )
        account = BankDetails(on_file.routing_number, on_file.account_number, on_file.account_type)
    else:
        account.refuse_if_bad()
    payment = _new_payment(
        ctx,
        account,
        amount,
        requested_date,
        submission_token,
        business_id=period.registration.business_id,
        tax_type=tax_type,
        period=period,
        tax_return=tax_return,
        one_time_account=one_time,
        bulk_filer=getattr(ctx.authorization, "bulk_filer", None),
    )
    return _save_payment(
        payment,
        ctx=ctx,
        business=period.registration.business,
        data={"tax_type": tax_type.code, "period_end": period.period_end.isoformat(), "one_time_account": one_time},
    )


def payment_cancel(*, ctx: Acting, payment_id: int) -> Payment:
    """Cancel a scheduled payment. Once it is sent to the bank it can no longer be cancelled: the
    row lock makes a cancel racing the day's batch either win before the send or be refused."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("tax_type").filter(pk=payment_id).first()
        if payment is None or not ctx.owns(payment.business_id):
            raise ServiceError("There is no such payment.")
        _refuse(ctx, Action.CANCEL_PAYMENT, payment.tax_type)
        if payment.status == PaymentStatus.CANCELLED:
            return payment  # a second click: already done
        if payment.status != PaymentStatus.SCHEDULED:
            sent = payment.batch.send_date if payment.batch_id else payment.send_date
            raise ServiceError(
                f"This payment was sent to the bank on {sent:%m/%d/%Y} and can no longer be cancelled. "
                "Payments are sent 1 banking day before the requested payment date."
            )
        payment.status = PaymentStatus.CANCELLED
        payment.cancelled_at = timezone.now()
        payment.cancelled_by = ctx.login
        payment.cancel_confirmation_number = confirmation_number_new()
        payment.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_confirmation_number"])
        audit_record(
            event="payment.cancelled",
            actor=ctx.login,
            target=payment,
            business=payment.business,
            data={
                "confirmation_number": payment.confirmation_number,
                "cancel_confirmation_number": payment.cancel_confirmation_number,
            },
        )
        return payment


# ---- banking information and the business profile ------------------------------------------


@transaction.atomic
def bank_account_set(*, ctx: Acting, tax_types: list[TaxType], account: BankDetails) -> list[BankAccount]:
    """Add or change the banking information of one tax type, or of several at once (the seed's
    global change)."""
    from tsc.accounts.acting import Relationship

    # A Third Party Bulk Filer changes a client's banking information, never adds it (seed).
    client_update = ctx is not None and ctx.relationship == Relationship.BULK_FILER and ctx.active
    if not client_update:
        _refuse(ctx, Action.CHANGE_BUSINESS_PROFILE)
    account.refuse_if_bad()
    if not tax_types:
        raise ServiceError("Choose a tax type, or all tax types.", field="tax_type")
    if client_update:
        on_file = set(BankAccount.objects.filter(business_id=ctx.taxpayer_id).values_list("tax_type_id", flat=True))
        if missing := [t.name for t in tax_types if t.pk not in on_file]:
            raise ServiceError(
                f"There is no banking information on file for {', '.join(missing)}: only banking information "
                "already on file can be changed for a client.",
                field="tax_type",
            )
    saved = []
    for tax_type in tax_types:
        bank_account, created = BankAccount.objects.select_for_update().get_or_create(
            business_id=ctx.taxpayer_id,
            tax_type=tax_type,
            defaults={
                "routing_number": account.routing_number,
                "account_number": account.account_number,
                "account_last4": pii.last4(account.account_number),
                "account_type": account.account_type,
                "updated_by": ctx.login,
            },
        )
        before = "" if created else f"…{bank_account.account_last4}"
        if not created:
            bank_account.routing_number = account.routing_number
            bank_account.account_number = account.account_number
            bank_account.account_last4 = pii.last4(account.account_number)
            bank_account.account_type = account.account_type
            bank_account.updated_by = ctx.login
            bank_account.save()
        audit_record(
            event="bank_account.added" if created else "bank_account.changed",
            actor=ctx.login,
            target=bank_account,
            business=ctx.taxpayer,
            data={"tax_type": tax_type.code, "from": before, "to": f"…{bank_account.account_last4}"},
        )
        saved.append(bank_account)
    return saved


@dataclass(frozen=True)
class BusinessContact:
    street: str
    street2: str
    city: str
    state: str
    zip_code: str
    phone: str
    email: str


@transaction.atomic
def business_contact_update(*, ctx: Acting, contact: BusinessContact) -> list[str]:
    """The business's mailing address, phone and e-mail (the TSC Administrator's)."""
    _refuse(ctx, Action.CHANGE_BUSINESS_PROFILE)
    business = Business.objects.select_for_update().get(pk=ctx.taxpayer_id)
    changed = [f for f in BusinessContact.__dataclass_fields__ if getattr(business, f) != getattr(contact, f)]
    for field in changed:
        setattr(business, field, getattr(contact, field))
    if changed:
        business.full_clean()
        business.save(update_fields=changed)
    audit_record(
        event="business.contact_updated", actor=ctx.login, target=business, business=business, data={"fields": changed}
    )
    return changed


# ---- Close Business or Tax Types -------------------------------------------------------------


def tax_types_close(*, ctx: Acting, tax_types: list[TaxType], closed_on: date) -> list[str]:
    """Close tax types of the business (all of them: close the business) from a date: no filing
    period starting after it is generated any more. Returns already due stay due. Returns the
    names of the tax types closed."""
    from tsc.taxpayers.models import Registration

    _refuse(ctx, Action.CHANGE_BUSINESS_PROFILE)
    if not tax_types:
        raise ServiceError("Choose the tax types to close, or close the business.", field="tax_types")
    if closed_on > today() + timedelta(days=MAX_DAYS_AHEAD):
        raise ServiceError("Choose a closing date within the next 365 days.", field="closed_on")
    closed = []
    with transaction.atomic():
        registrations = Registration.objects.select_for_update().filter(
            business_id=ctx.taxpayer_id, tax_type__in=tax_types
        )
        for registration in registrations.select_related("tax_type"):
            if closed_on < registration.start_date:
                raise ServiceError(
                    f"{registration.tax_type.name} was registered on {registration.start_date:%m/%d/%Y}: the closing "
                    "date cannot be earlier.",
                    field="closed_on",
                )
            before = registration.end_date
            registration.end_date = closed_on
            registration.save(update_fields=["end_date"])
            audit_record(
                event="registration.closed",
                actor=ctx.login,
                target=registration,
                business=ctx.taxpayer,
                data={
                    "tax_type": registration.tax_type.code,
                    "closed_on": closed_on.isoformat(),
                    "was": before.isoformat() if before else "",
                },
            )
            closed.append(registration.tax_type.name)
    if not closed:
        raise ServiceError("The business is not registered for those tax types.", field="tax_types")
    return closed


def individual_payment_schedule(
    *,
    ctx: Acting,
    authorization,
    tax_year: int,
    amount: Decimal,
    requested_date: date,
    account: BankDetails,
    submission_token: uuid.UUID,
) -> Payment:
    """A Third Party Bulk Filer pays an individual client's income tax (an estimated payment, no
    return), from a bank account typed for the payment. The same token again returns the first."""
    from tsc.accounts.rights import may
    from tsc.taxpayers.models import TaxType

    if (existing := Payment.objects.filter(submission_token=submission_token).first()) is not None:
        return existing
    if not may(ctx, Action.BULK_FILING) or authorization.bulk_filer.firm_id != ctx.taxpayer_id:
        raise ServiceError("Only a Third Party Bulk Filer may pay for its clients.")
    if not authorization.active or authorization.individual_id is None:
        raise ServiceError("None of your clients has that Social Security Number.", field="ssn")
    this_year = today().year
    if tax_year not in (this_year - 1, this_year, this_year + 1):
        raise ServiceError(f"Choose a tax year from {this_year - 1} to {this_year + 1}.", field="tax_year")
    _refuse_bad_amount_or_date(amount, requested_date)
    account.refuse_if_bad()
    payment = _new_payment(
        ctx,
        account,
        amount,
        requested_date,
        submission_token,
        individual_id=authorization.individual_id,
        tax_year=tax_year,
        bulk_filer=authorization.bulk_filer,
        tax_type=TaxType.objects.get(code=TaxType.INDIVIDUAL_INCOME),
        one_time_account=True,
    )
    return _save_payment(
        payment,
        ctx=ctx,
        business=ctx.taxpayer,
        data={"tax_type": "IT", "tax_year": tax_year, "for_individual": authorization.individual_id},
    )
