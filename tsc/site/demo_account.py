"""Demo data for the account and the back office: processed history paid on the filing date, one
late return waiting for a clerk, a refund in each state, a business in good standing, and the
staff login `clerk` with a published authenticator secret. Idempotent."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tsc.accounts.models import Login, TwoFactorDevice
from tsc.filing.models import ReturnStatus, TaxReturn
from tsc.filing.services import confirmation_number_new, return_submit
from tsc.ledger.models import EntryKind, LedgerEntry, ModifiedReason, Refund, RefundStatus
from tsc.ledger.services import return_process
from tsc.payments.models import Payment, PaymentStatus
from tsc.taxpayers.models import Business, Individual
from tsc.taxpayers.services import individual_create

DEMO_CLERK = "clerk"
# Published on purpose (README): add it to any authenticator app to sign in as the demo clerk.
DEMO_CLERK_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - demo only
DEMO_REFUND_SSN = "123-45-6789"
# One refund per status for the individual look-up (SSN above, these exact amounts).
DEMO_REFUNDS = [
    (2022, Decimal("412.00"), RefundStatus.PROCESSED, ""),
    (2023, Decimal("318.75"), RefundStatus.UNDELIVERABLE, ""),
    (2024, Decimal("1025.40"), RefundStatus.MODIFIED, ModifiedReason.OFFSET),
    (2025, Decimal("1234.56"), RefundStatus.UNDER_REVIEW, ""),
]


def clerk_ensure(password: str) -> Login:
    """The demo clerk: DRS staff with two-factor already set up on the published secret."""
    clerk = Login.objects.filter(business=None, user_id__iexact=DEMO_CLERK).first()
    if clerk is None:
        clerk = Login.objects.create_superuser(DEMO_CLERK, password, user_name="Casey Clerk (DRS)")
    if not TwoFactorDevice.objects.filter(login=clerk).exists():
        TwoFactorDevice.objects.create(login=clerk, secret=DEMO_CLERK_TOTP_SECRET, confirmed_at=timezone.now())
    return clerk


def paid_on_filing(tax_return: TaxReturn, account: tuple[str, str], actor) -> None:
    """History loaded from earlier systems: the amount due was paid the day the return was filed,
    processed and posted (no bank batch: before the portal)."""
    if tax_return.amount_due <= 0 or Payment.objects.filter(tax_return=tax_return).exists():
        return
    routing, number = account
    payment = Payment.objects.create(
        business=tax_return.business,
        tax_type=tax_return.tax_type,
        period=tax_return.period,
        tax_return=tax_return,
        amount=tax_return.amount_due,
        requested_date=tax_return.filed_on,
        send_date=tax_return.filed_on,
        made_on=tax_return.filed_on,
        status=PaymentStatus.PROCESSED,
        posted_on=tax_return.filed_on,
        confirmation_number=confirmation_number_new(),
        submission_token=uuid.uuid4(),
        routing_number=routing,
        account_number=number,
        account_last4=number[-4:],
        account_type="checking",
        created_by=actor,
    )
    LedgerEntry.objects.create(
        business=tax_return.business,
        tax_type=tax_return.tax_type,
        period=tax_return.period,
        kind=EntryKind.PAYMENT,
        amount=-payment.amount,
        effective_date=payment.requested_date,
        payment=payment,
        memo=payment.confirmation_number,
    )


@transaction.atomic
def seed_account(business: Business, account: tuple[str, str], today: date) -> None:
    """Process the business's filed history and pay it, except its latest late return, which
    waits in the back office's work queue with its tax, penalty and interest unpaid."""
    filed = list(
        TaxReturn.objects.filter(business=business, status=ReturnStatus.FILED)
        .select_related("period", "tax_type", "business")
        .order_by("filed_on", "pk")
    )
    late = [r for r in filed if r.filed_on > r.period.due_date and r.tax_due > 0]
    waiting = late[-1] if late else None
    actor = Login.objects.filter(business=business, is_administrator=True).first()
    for tax_return in filed:
        if tax_return == waiting:
            continue
        return_process(tax_return=tax_return)
        paid_on_filing(tax_return, account, actor)


def refunds_ensure(today: date) -> None:
    person = Individual.objects.filter(last_name="Lee", first_name="Pat").first() or individual_create(
        first_name="Pat", last_name="Lee", ssn=DEMO_REFUND_SSN, street="1 Elm Street", city="Hartford", zip_code="06103"
    )
    for year, amount, status, reason in DEMO_REFUNDS:
        if Refund.objects.filter(individual=person, tax_year=year).exists():
            continue
        Refund.objects.create(
            individual=person,
            tax_year=year,
            amount=amount,
            status=status,
            modified_reason=reason,
            issued_amount=amount - Decimal("200.00") if status == RefundStatus.MODIFIED else None,
        )


@transaction.atomic
def good_standing_ensure(business: Business, actor, today: date) -> None:
    """Every period of the business due by today filed on time, processed and paid."""
    for registration in business.registrations.select_related("tax_type"):
        for period in registration.periods.filter(due_date__lt=today).order_by("period_end"):
            if TaxReturn.objects.filter(period=period, status=ReturnStatus.FILED).exists():
                continue
            sales = Decimal(8000 + (period.pk * 37) % 5000)
            tax_return = return_submit(
                actor=actor,
                period=period,
                values={"l1_c1": sales},
                submission_token=uuid.uuid4(),
                filed_on=period.due_date - timedelta(days=3),
            )
            return_process(tax_return=tax_return)
            paid_on_filing(tax_return, ("011000015", "7000123456"), actor)
