"""Returns (draft → filed), the 1099/W-2G records behind a CT-1096, and uploaded files."""

from django.conf import settings
from django.db import models

from tsc.lib.pii import EncryptedTextField
from tsc.lib.sealed_files import upload_storage

from . import stored_lines

MONEY = {"max_digits": 14, "decimal_places": 2}


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FILED = "filed", "Filed"
    # An uploaded file's records while it is checked, stored in short transactions; becomes the
    # period's draft when the whole file is clean, or is deleted (tsc/filing/uploads.py).
    STAGING = "staging", "Being checked"


class LineLayout(models.Model):
    """A form's lines without their amounts, stored once for all its returns (tsc/filing/stored_lines.py):
    [number, label, entered, rate columns or null] each, under a digest of them. Never changed or
    deleted."""

    key = models.CharField(max_length=32, primary_key=True)
    lines = models.JSONField()

    def __str__(self) -> str:
        return f"Line layout {self.key}"


class TaxReturn(models.Model):
    # Few indexes on purpose: a bulk filer's import inserts 1,000s of returns at once, and each
    # index is work for every row. Returns are read by (business, tax type, status, filing date),
    # the composite index below, which also serves the business's foreign key; by period; by
    # confirmation number and submission token (unique); and for the work queue by filed_at.
    # Nothing looks returns up by tax type alone or by who made or filed them (tax types and
    # logins are never deleted); the few amendments are indexed on their own.
    # Foreign key constraints in the database (checked row by row at each commit): the period's and
    # the amended return's only (ADR 0013). The business is the period's registration's (whose
    # constraints already keep it), tax types and logins are never deleted; Django's PROTECT and
    # SET_NULL still apply to deletes through the ORM.
    business = models.ForeignKey(
        "taxpayers.Business", on_delete=models.PROTECT, related_name="returns", db_index=False, db_constraint=False
    )
    tax_type = models.ForeignKey(
        "taxpayers.TaxType", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    # Indexed with the status below (return_period_status_idx), not alone.
    period = models.ForeignKey(
        "taxpayers.FilingPeriod", on_delete=models.PROTECT, related_name="returns", db_index=False
    )
    form = models.CharField(max_length=12)
    status = models.CharField(max_length=8, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT)
    amends = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amendments", db_index=False
    )
    # What the taxpayer typed (amounts as strings of Decimal) and the lines computed from it, read
    # and set as `lines`: stored as the layout's key and the amounts as text (a return's numbers
    # and labels are its form's, stored once: tsc/filing/stored_lines.py), or whole in `full_lines`
    # when they fit no layout. The layout's key is not a foreign key (ADR 0013): a layout is stored
    # in the same transaction as the first return that uses it, and never changed or deleted.
    data = models.JSONField(default=dict, blank=True)
    full_lines = models.JSONField(default=list, blank=True, db_column="lines")
    line_layout = models.CharField(max_length=32, null=True, blank=True, help_text="LineLayout's key")
    line_amounts = models.TextField(blank=True, default="", db_default="")
    tax_due = models.DecimalField(default=0, **MONEY)
    credit = models.DecimalField(default=0, **MONEY)
    penalty = models.DecimalField(default=0, **MONEY)
    interest = models.DecimalField(default=0, **MONEY)
    amount_due = models.DecimalField(default=0, **MONEY)
    record_count = models.PositiveIntegerField(default=0)
    # Unique by a constraint below, not unique=True: no extra LIKE index on PostgreSQL.
    confirmation_number = models.CharField(max_length=20, null=True, blank=True)
    # One token per rendered Submit form: a double click or a retry finds the return it made.
    submission_token = models.UUIDField(unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    filed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    filed_on = models.DateField(null=True, blank=True, help_text="Filing date (America/New_York).")

    class Meta:
        ordering = ["-period__period_end", "-filed_at"]
        constraints = [
            # One original filed return per period; amended returns are separate, linked filings.
            models.UniqueConstraint(
                fields=["period"],
                condition=models.Q(status="filed", amends__isnull=True),
                name="one_original_return_per_period",
            ),
            models.UniqueConstraint(fields=["period"], condition=models.Q(status="draft"), name="one_draft_per_period"),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "staging"]) | models.Q(confirmation_number__isnull=False),
                name="filed_return_has_confirmation",
            ),
            models.UniqueConstraint(fields=["confirmation_number"], name="return_confirmation_unique"),
        ]
        indexes = [
            models.Index(fields=["business", "tax_type", "status", "filed_on"]),
            # The amendments of a return (and the check that a return deleted has none).
            models.Index(fields=["amends"], condition=models.Q(amends__isnull=False), name="return_amends_idx"),
            # A period's returns by status (filed? a draft?), and View Return History counting the
            # returns of each period end from the index alone on PostgreSQL (issue 13); it also
            # serves the foreign key, as the period's own index did.
            models.Index(
                fields=["period", "status"],
                include=["business", "tax_type", "filed_by"],
                name="return_period_status_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form} {self.period.period_end:%m/%d/%Y} {self.get_status_display()}"

    def save(self, *args, **kwargs) -> None:
        stored_lines.layout_pending(self)  # the layout of lines just set, first
        super().save(*args, **kwargs)
        stored_lines.layout_saved(self)

    @property
    def lines(self) -> list[dict]:
        """The return's lines, each as `Line.as_dict` gives it (amounts as strings of Decimal)."""
        if self.line_layout is None:
            return self.full_lines
        return stored_lines.lines_read(self.line_layout, self.line_amounts)

    @lines.setter
    def lines(self, value: list[dict]) -> None:
        stored_lines.lines_write(self, value)

    @property
    def is_amended(self) -> bool:
        return self.amends_id is not None


class InformationReturnRecord(models.Model):
    """One 1099-MISC, 1099-NEC or W-2G attached to a CT-1096."""

    # No index of its own: the unique (tax_return, record_number) below serves lookups by return,
    # and one index fewer is a third less work for each of an upload's 100,000s of inserts.
    tax_return = models.ForeignKey(TaxReturn, on_delete=models.CASCADE, related_name="records", db_index=False)
    record_number = models.PositiveIntegerField()
    form = models.CharField(max_length=10)
    payee_tin = EncryptedTextField("Payee TIN")
    payee_tin_last4 = models.CharField(max_length=4)
    tin_type = models.CharField(max_length=1, blank=True)
    payee_name = models.CharField(max_length=80)
    payee_address = models.CharField(max_length=80, blank=True)
    payee_city = models.CharField(max_length=40, blank=True)
    payee_state = models.CharField(max_length=2, blank=True)
    payee_zip = models.CharField(max_length=10, blank=True)
    account_number = models.CharField(max_length=20, blank=True)
    amounts = models.JSONField(default=dict, blank=True)
    total_paid = models.DecimalField(**MONEY)
    ct_tax_withheld = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["tax_return", "record_number"]
        constraints = [models.UniqueConstraint(fields=["tax_return", "record_number"], name="one_record_number")]

    def __str__(self) -> str:
        return f"{self.form} #{self.record_number} to {self.payee_name}"


class UploadKind(models.TextChoices):
    CSV = "csv", "File containing 1099/W-2G information (CSV)"
    PUB1220 = "pub1220", "Standard file formatting (IRS Publication 1220)"


class UploadStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    VALIDATING = "validating", "Checking"
    # Checked and stored on a draft CT-1096: filed only when the user presses Submit CT-1096.
    CHECKED = "checked", "Checked: ready to submit"
    ACCEPTED = "accepted", "Filed"
    REJECTED = "rejected", "Rejected"
    # A newer file (or forms entered by hand) took the period's draft: upload it again to file it.
    SUPERSEDED = "superseded", "Replaced by a newer file"


def upload_path(instance, filename: str) -> str:
    # Never the user's file name (it may hold personal data); the original is kept as a field.
    return f"uploads/{instance.business_id}/{instance.token}.dat"


class Upload(models.Model):
    """A 1099/W-2G file: kept first, then checked record by record in the background."""

    MAX_PROBLEMS_KEPT = 1000

    token = models.UUIDField(unique=True)
    business = models.ForeignKey("taxpayers.Business", on_delete=models.PROTECT, related_name="uploads")
    period = models.ForeignKey("taxpayers.FilingPeriod", on_delete=models.PROTECT, related_name="uploads")
    kind = models.CharField(max_length=8, choices=UploadKind.choices)
    # Sealed at rest with the PII keys (tsc/lib/sealed_files.py); deleted TSC_UPLOAD_RETENTION_DAYS
    # after it was checked (the row stays, with `purged_at`); never served back.
    file = models.FileField(upload_to=upload_path, storage=upload_storage, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=UploadStatus.choices, default=UploadStatus.RECEIVED)
    records_checked = models.PositiveIntegerField(default=0)
    record_count = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    # Records left out of the CT-1096 without being problems (another state's records), in words.
    notices = models.JSONField(default=list, blank=True)
    # Counted when the file is received (lines that look like records): the progress bar's total.
    expected_records = models.PositiveIntegerField(default=0)
    tax_return = models.OneToOneField(TaxReturn, null=True, blank=True, on_delete=models.PROTECT, related_name="upload")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Upload {self.token} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        """Checking is over (whatever came of it): the status page stops asking for progress."""
        return self.status not in (UploadStatus.RECEIVED, UploadStatus.VALIDATING)

    @property
    def ready_to_submit(self) -> bool:
        return self.status == UploadStatus.CHECKED and self.tax_return_id is not None
