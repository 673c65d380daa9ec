"""Banking information on file, payments (scheduled → sent → processed, or cancelled, or
returned by the bank), and the daily bank batches that send them."""

from django.conf import settings
from django.db import models

from tsc.lib.pii import EncryptedTextField

MONEY = {"max_digits": 14, "decimal_places": 2}


class AccountType(models.TextChoices):
    CHECKING = "checking", "Checking"
    SAVINGS = "savings", "Savings"


class BankAccountFields(models.Model):
    """A bank account as a payment needs it. The account number is encrypted at rest and shown
    as its last 4 digits; the routing number identifies a bank, not a person, and is kept plain."""

    routing_number = models.CharField(max_length=9)
    account_number = EncryptedTextField()
    account_last4 = models.CharField(max_length=4)
    account_type = models.CharField(max_length=8, choices=AccountType.choices)

    class Meta:
        abstract = True

    @property
    def account_masked(self) -> str:
        return f"{self.get_account_type_display()} account ending {self.account_last4}"


class BankAccount(BankAccountFields):
    """The banking information on file for one tax type of a business ("Update Banking
    Information": by tax type, or one change for all of them)."""

    business = models.ForeignKey("taxpayers.Business", on_delete=models.CASCADE, related_name="bank_accounts")
    tax_type = models.ForeignKey("taxpayers.TaxType", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["business", "tax_type"], name="one_bank_account_per_tax_type")]

    def __str__(self) -> str:
        return f"{self.business.registration_number} {self.tax_type.name}: {self.account_masked}"


class PaymentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    SENT = "sent", "Sent to the bank"
    PROCESSED = "processed", "Processed"
    CANCELLED = "cancelled", "Cancelled"
    RETURNED = "returned", "Returned by the bank"


class PaymentBatch(models.Model):
    """One day's NACHA file. Unique per send date: running the batch again finds this row."""

    send_date = models.DateField(unique=True)
    entry_count = models.PositiveIntegerField(default=0)
    total = models.DecimalField(default=0, **MONEY)
    # The NACHA file, sealed at rest (it carries account numbers: tsc/lib/sealed_files.py), under
    # VAR_DIR/batches; see tsc.payments.batch.
    file_name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-send_date"]
        verbose_name_plural = "payment batches"

    def __str__(self) -> str:
        return f"Bank batch {self.send_date:%m/%d/%Y}: {self.entry_count} payments, ${self.total:,}"

    @property
    def path(self):
        from .batch import batch_folder

        return batch_folder() / self.file_name

    def open(self):
        """The NACHA file, unsealed as it is read (binary, ASCII)."""
        from tsc.lib.sealed_files import open_sealed

        return open_sealed(self.path)

    @property
    def content(self) -> str:
        with self.open() as stream:
            return stream.read().decode("ascii")


class Payment(BankAccountFields):
    # Few indexes on purpose: the daily batch rewrites 100,000s of rows at once, and PostgreSQL
    # updates every index of a row it rewrites. Lists go by (business, period, status);
    # the batch by send_date and batch; nothing looks payments up by who made them.
    # A business's payment is for one of its filing periods; an individual's (income tax estimated
    # payments, made by a Third Party Bulk Filer for a client known by SSN) is for a tax year.
    business = models.ForeignKey(
        "taxpayers.Business", null=True, blank=True, on_delete=models.PROTECT, related_name="payments", db_index=False
    )
    tax_type = models.ForeignKey("taxpayers.TaxType", on_delete=models.PROTECT, related_name="+", db_index=False)
    period = models.ForeignKey(
        "taxpayers.FilingPeriod",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        db_index=False,
    )
    individual = models.ForeignKey(
        "taxpayers.Individual", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    tax_year = models.PositiveSmallIntegerField(null=True, blank=True)
    # The Third Party Bulk Filer that made it, if one did (its logins see it under its own payments).
    bulk_filer = models.ForeignKey(
        "bulk.BulkFiler", null=True, blank=True, on_delete=models.PROTECT, related_name="payments", db_index=False
    )
    tax_return = models.ForeignKey(
        "filing.TaxReturn", null=True, blank=True, on_delete=models.PROTECT, related_name="payments", db_index=False
    )
    amount = models.DecimalField(**MONEY)
    requested_date = models.DateField("Requested payment date")
    send_date = models.DateField("Sent to the bank on", db_index=True)
    status = models.CharField(max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.SCHEDULED)
    one_time_account = models.BooleanField(default=False)
    confirmation_number = models.CharField(max_length=20)
    # One token per rendered Submit form: a double click or a retry finds the payment it made.
    submission_token = models.UUIDField(unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    made_on = models.DateField("Date made", help_text="The date the payment was scheduled (America/New_York).")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    cancel_confirmation_number = models.CharField(max_length=20, null=True, blank=True)
    batch = models.ForeignKey(PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    posted_on = models.DateField(null=True, blank=True)
    return_reason = models.CharField("Bank return reason", max_length=3, blank=True)

    class Meta:
        ordering = ["-requested_date", "-created_at"]
        indexes = [
            # The payment lists read a business's payments from the index alone on PostgreSQL
            # (issue 13): by period (searched by period end: the business's periods one by one,
            # however the planner guesses the business's size), status and requested date (a
            # page's rows are those of a few dates), with what a list shows of each.
            models.Index(
                fields=["business", "period", "status", "requested_date"],
                include=[
                    "tax_type",
                    "made_on",
                    "id",
                    "confirmation_number",
                    "return_reason",
                    "amount",
                    "created_at",
                ],
                name="payment_list_rows_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(business__isnull=False, period__isnull=False, individual__isnull=True)
                | models.Q(
                    business__isnull=True, period__isnull=True, individual__isnull=False, tax_year__isnull=False
                ),
                name="payment_for_a_period_or_an_individual_year",
            ),
            # Constraints, not unique=True: no extra LIKE index on PostgreSQL.
            models.UniqueConstraint(fields=["confirmation_number"], name="payment_confirmation_unique"),
            models.UniqueConstraint(
                fields=["cancel_confirmation_number"],
                condition=models.Q(cancel_confirmation_number__isnull=False),
                name="payment_cancel_confirmation_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Payment {self.confirmation_number} ${self.amount:,} ({self.get_status_display()})"

    @property
    def cancellable(self) -> bool:
        return self.status == PaymentStatus.SCHEDULED
