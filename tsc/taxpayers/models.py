"""The taxpayer registry: who is registered with DRS, for which taxes, for which periods."""

from django.db import models

from tsc.lib.pii import EncryptedTextField


class FilingFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


class TaxType(models.Model):
    # Stable codes used in code and files: ST sales and use, WH withholding,
    # WN withholding non-wage, IT individual income.
    SALES_AND_USE = "ST"
    WITHHOLDING = "WH"
    WITHHOLDING_NON_WAGE = "WN"
    INDIVIDUAL_INCOME = "IT"

    code = models.CharField(max_length=4, unique=True)
    name = models.CharField(max_length=80)
    form = models.CharField(max_length=40, help_text="Return or payment form, e.g. OS-114.")
    sort_order = models.PositiveSmallIntegerField(default=0)
    for_individuals = models.BooleanField(default=False)
    # "DRS added the Withholding Non-Wage link to all registered taxpayers ... regardless if
    # they are registered for the nonpayroll withholding tax or not."
    offered_to_all_businesses = models.BooleanField(default=False)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Address(models.Model):
    street = models.CharField("Street address", max_length=120)
    street2 = models.CharField("Street address line 2", max_length=120, blank=True)
    city = models.CharField(max_length=60)
    state = models.CharField(max_length=2, default="CT")
    zip_code = models.CharField("ZIP code", max_length=10)

    class Meta:
        abstract = True


class Business(Address):
    registration_number = models.CharField("Tax Registration Number", max_length=12, unique=True)
    legal_name = models.CharField(max_length=120)
    dba_name = models.CharField("Doing business as", max_length=120, blank=True)
    fein = models.CharField("FEIN", max_length=10, blank=True)
    # The business's contact for DRS (Make Changes to the Business Profile); the address above is
    # its mailing address.
    phone = models.CharField("Phone number", max_length=20, blank=True)
    email = models.EmailField("Email address", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["legal_name"]
        verbose_name_plural = "businesses"

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.registration_number})"


class Individual(Address):
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    ssn = EncryptedTextField("SSN")
    # HMAC of the SSN: finds an individual by SSN without decrypting every row.
    ssn_index = models.CharField(max_length=64, unique=True, editable=False)
    ssn_last4 = models.CharField(max_length=4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} (SSN ending {self.ssn_last4})"


class Registration(models.Model):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="registrations")
    tax_type = models.ForeignKey(TaxType, on_delete=models.PROTECT, related_name="registrations")
    filing_frequency = models.CharField(max_length=10, choices=FilingFrequency.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["business", "tax_type__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["business", "tax_type"], name="one_registration_per_tax_type"),
        ]

    def __str__(self) -> str:
        return f"{self.business.registration_number} {self.tax_type.name} ({self.filing_frequency})"


class FilingPeriod(models.Model):
    # Indexed with the period end below (not alone as well).
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="periods", db_index=False)
    period_start = models.DateField()
    period_end = models.DateField()
    due_date = models.DateField()

    class Meta:
        ordering = ["registration", "-period_end"]
        indexes = [
            # The data pages read a registration's periods by period end: this index carries what
            # they read of each, so they come from the index alone on PostgreSQL (issue 13; SQLite
            # makes it without the included columns). It serves the foreign key too.
            models.Index(
                fields=["registration", "period_end"],
                include=["id", "period_start", "due_date"],
                name="period_by_end_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["registration", "period_end"], name="one_period_per_end"),
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")), name="period_start_before_end"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration} period ending {self.period_end:%m/%d/%Y}"
