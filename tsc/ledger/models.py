"""The account: an append-only ledger of what each filing period was charged and credited, the
processing of filed returns that charges them, penalty waiver requests and refunds.

Balances are never stored: a period's tax, penalty, interest, payments and balance due are
derived from its entries (tsc/ledger/statement.py). Interest is derived too, to the day asked
for, because it depends on when the tax is paid (docs/adr/0007-the-ledger.md).
"""

from django.conf import settings
from django.db import models

MONEY = {"max_digits": 14, "decimal_places": 2}


class EntryKind(models.TextChoices):
    # Charges: the amount is what the taxpayer owes (a negative TAX is a credit the return reported).
    TAX = "tax", "Tax assessed"
    PENALTY = "penalty", "Penalty assessed"
    # Credits and their reversals. Amounts are signed as they move the balance due: a payment is
    # negative, a bank return of it positive.
    PAYMENT = "payment", "Payment"
    PAYMENT_RETURNED = "returned", "Payment returned by the bank"
    WAIVER = "waiver", "Penalty waived"
    REFUND = "refund", "Refund issued"
    TRANSFER_OUT = "transfer_out", "Overpayment applied to another period"
    TRANSFER_IN = "transfer_in", "Overpayment applied from another period"


class LedgerEntry(models.Model):
    """One posting against one filing period. Never updated or deleted: a correction is another
    entry. `effective_date` is the date that counts for interest (the due date for tax and
    penalty, the payment date for a payment)."""

    business = models.ForeignKey("taxpayers.Business", on_delete=models.PROTECT, related_name="+", db_index=False)
    tax_type = models.ForeignKey("taxpayers.TaxType", on_delete=models.PROTECT, related_name="+")
    # Indexed with the kind below (ledger_period_kind_idx), not alone.
    period = models.ForeignKey(
        "taxpayers.FilingPeriod", on_delete=models.PROTECT, related_name="ledger_entries", db_index=False
    )
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    amount = models.DecimalField(**MONEY)
    effective_date = models.DateField()
    posted_at = models.DateTimeField(auto_now_add=True)
    tax_return = models.ForeignKey(
        "filing.TaxReturn", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    payment = models.ForeignKey(
        "payments.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    waiver = models.ForeignKey(
        "PenaltyWaiver", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    refund = models.ForeignKey("Refund", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    memo = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["period", "effective_date", "pk"]
        indexes = [
            models.Index(fields=["business", "tax_type", "period"]),
            # A period's entries; View Account Period Details sums them by kind and day from the
            # index alone, in its order, on PostgreSQL (issue 13). It also serves the foreign key,
            # as the period's own index did.
            models.Index(
                fields=["period", "kind", "effective_date"],
                include=["amount", "payment"],
                name="ledger_period_kind_idx",
            ),
        ]
        constraints = [
            # Posting the same return, payment or bank return twice is impossible, whoever retries.
            models.UniqueConstraint(
                fields=["tax_return", "kind"], condition=models.Q(tax_return__isnull=False), name="one_entry_per_return"
            ),
            models.UniqueConstraint(
                fields=["payment", "kind"], condition=models.Q(payment__isnull=False), name="one_entry_per_payment"
            ),
            models.UniqueConstraint(
                fields=["waiver"], condition=models.Q(waiver__isnull=False), name="one_entry_per_waiver"
            ),
        ]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} on {self.effective_date:%m/%d/%Y}"


class Assessment(models.Model):
    """A filed return processed by DRS: its tax and penalty are on the ledger. One per return."""

    tax_return = models.OneToOneField("filing.TaxReturn", on_delete=models.PROTECT, related_name="assessment")
    processed_at = models.DateTimeField(auto_now_add=True)
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tax = models.DecimalField(**MONEY)
    penalty = models.DecimalField(**MONEY)

    def __str__(self) -> str:
        return f"Processed {self.tax_return}"


class WaiverStatus(models.TextChoices):
    REQUESTED = "requested", "Received: waiting for review"
    APPROVED = "approved", "Approved: penalty waived"
    DENIED = "denied", "Denied"


class PenaltyWaiver(models.Model):
    business = models.ForeignKey("taxpayers.Business", on_delete=models.PROTECT, related_name="penalty_waivers")
    period = models.ForeignKey("taxpayers.FilingPeriod", on_delete=models.PROTECT, related_name="penalty_waivers")
    tax_type = models.ForeignKey("taxpayers.TaxType", on_delete=models.PROTECT, related_name="+")
    penalty = models.DecimalField("Penalty asked to waive", **MONEY)
    reason = models.TextField("Reason for the request")
    status = models.CharField(max_length=10, choices=WaiverStatus.choices, default=WaiverStatus.REQUESTED)
    requested_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    reply = models.TextField("Reply from the Penalty Waiver Unit", blank=True)
    confirmation_number = models.CharField(max_length=20, unique=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            # One open request per period: asking again while one waits changes nothing.
            models.UniqueConstraint(
                fields=["period"], condition=models.Q(status="requested"), name="one_open_waiver_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"Penalty waiver {self.confirmation_number} ({self.get_status_display()})"


class RefundStatus(models.TextChoices):
    UNDER_REVIEW = "under_review", "UNDER REVIEW"
    PROCESSED = "processed", "PROCESSED"
    UNDELIVERABLE = "undeliverable", "UNDELIVERABLE"
    MODIFIED = "modified", "MODIFIED"


class ModifiedReason(models.TextChoices):
    MATH_ERROR = "math_error", "A mathematical error was corrected"
    APPLIED_TO_BILL = "applied_to_bill", "Applied to an existing tax bill"
    OFFSET = "offset", "Offset to the IRS or another Connecticut State Agency"
    EITC = "eitc", "Additional information is needed for the Earned Income Tax Credit"


class Refund(models.Model):
    """An overpayment on its way back: a business period's credit balance, or an individual's
    income tax refund (looked up without signing in by SSN and the exact amount expected)."""

    business = models.ForeignKey(
        "taxpayers.Business", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    period = models.ForeignKey(
        "taxpayers.FilingPeriod", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    individual = models.ForeignKey(
        "taxpayers.Individual", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    tax_year = models.PositiveSmallIntegerField(null=True, blank=True)
    amount = models.DecimalField("Refund expected", **MONEY)
    # MODIFIED: the amount DRS will actually issue, and why.
    issued_amount = models.DecimalField(null=True, blank=True, **MONEY)
    status = models.CharField(max_length=14, choices=RefundStatus.choices, default=RefundStatus.UNDER_REVIEW)
    modified_reason = models.CharField(max_length=16, choices=ModifiedReason.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(business__isnull=False, period__isnull=False, individual__isnull=True)
                | models.Q(business__isnull=True, period__isnull=True, individual__isnull=False),
                name="refund_for_a_period_or_an_individual",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Refund ${self.amount:,} ({self.get_status_display()})"
