"""Third Party Bulk Filers (TPBF): preparer firms DRS designated to file and pay for clients, and
the clients who authorized them.

A firm is a business registered with DRS like any other (its own registration number, its own
TSC Administrator and sub-users); DRS designates it in the back office. It acts only for its
clients: a client's TSC Administrator authorizes the firm (and may revoke it), or DRS staff
record a signed authorization. The acting context (tsc/accounts/acting.py) carries the
authorization; every action is audited "by <firm login> for <client>".
"""

import os
from pathlib import Path

from django.conf import settings
from django.db import models


class BulkFiler(models.Model):
    firm = models.OneToOneField("taxpayers.Business", on_delete=models.PROTECT, related_name="bulk_filer")
    designated_at = models.DateTimeField(auto_now_add=True)
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "Third Party Bulk Filer"

    def __str__(self) -> str:
        return f"{self.firm.legal_name} ({self.firm.registration_number})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class AuthorizationSource(models.TextChoices):
    CLIENT = "client", "Authorized by the client's TSC Administrator"
    STAFF = "staff", "Signed authorization recorded by DRS"


class ClientAuthorization(models.Model):
    """A client's authorization of a firm: a business (file, pay, view) or an individual by SSN
    (payments only: income tax estimated payments)."""

    bulk_filer = models.ForeignKey(BulkFiler, on_delete=models.PROTECT, related_name="authorizations")
    client = models.ForeignKey(
        "taxpayers.Business", null=True, blank=True, on_delete=models.PROTECT, related_name="bulk_authorizations"
    )
    individual = models.ForeignKey(
        "taxpayers.Individual", null=True, blank=True, on_delete=models.PROTECT, related_name="bulk_authorizations"
    )
    source = models.CharField(max_length=8, choices=AuthorizationSource.choices)
    authorized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(client__isnull=False, individual__isnull=True)
                | models.Q(client__isnull=True, individual__isnull=False),
                name="authorization_for_a_business_or_an_individual",
            ),
            models.UniqueConstraint(
                fields=["bulk_filer", "client"],
                condition=models.Q(revoked_at__isnull=True, client__isnull=False),
                name="one_live_authorization_per_client",
            ),
            models.UniqueConstraint(
                fields=["bulk_filer", "individual"],
                condition=models.Q(revoked_at__isnull=True, individual__isnull=False),
                name="one_live_authorization_per_individual",
            ),
        ]

    def __str__(self) -> str:
        who = self.client or self.individual
        return f"{self.bulk_filer} for {who}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.bulk_filer.active


# ---- File Import: a firm's files with returns and payments for many clients ---------------------


def import_storage():
    """The sealed storage of imported files (tsc/lib/sealed_files.py), under VAR_DIR as it is when
    a file is used rather than when this module was imported."""
    from tsc.lib.sealed_files import SealedFileSystemStorage

    class _Storage(SealedFileSystemStorage):
        @property
        def base_location(self):
            return str(Path(settings.VAR_DIR) / "uploads")

        @property
        def location(self):
            return os.path.abspath(self.base_location)

    return _Storage(directory_permissions_mode=0o700)


class ImportLayout(models.Model):
    """A firm's CSV layout, defined once and saved: the columns in the file's order, each a
    field name from `tsc.bulk.imports.FIELDS` or "filler" (a column to skip)."""

    bulk_filer = models.ForeignKey(BulkFiler, on_delete=models.CASCADE, related_name="layouts")
    name = models.CharField(max_length=60)
    columns = models.JSONField(default=list)
    header_row = models.BooleanField("The file starts with a header row", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["bulk_filer", "name"], name="one_layout_name_per_firm")]

    def __str__(self) -> str:
        return self.name


class ImportKind(models.TextChoices):
    CSV = "csv", "CSV file with your saved layout"
    PUB1220 = "pub1220", "1099/W-2G file in the IRS standard format (Publication 1220)"


class ImportStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSING = "processing", "Processing"
    ACCEPTED = "accepted", "Accepted"
    ACCEPTED_WITH_REJECTIONS = "accepted_with_rejections", "Accepted with rejections"
    REJECTED = "rejected", "Rejected"


def import_path(instance, filename: str) -> str:
    # Never the user's file name (it may hold personal data); the original is kept as a field.
    return f"bulk/{instance.bulk_filer_id}/{instance.token}.dat"


class BulkImport(models.Model):
    """One uploaded file: kept sealed first, then processed record by record in the background;
    each record accepted (with its confirmation number) or rejected with the reason."""

    token = models.UUIDField(unique=True)
    bulk_filer = models.ForeignKey(BulkFiler, on_delete=models.PROTECT, related_name="imports")
    kind = models.CharField(max_length=8, choices=ImportKind.choices)
    layout = models.ForeignKey(ImportLayout, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The layout's columns and header setting when the file was uploaded (a layout may change later).
    columns = models.JSONField(default=list, blank=True)
    header_row = models.BooleanField(default=True)
    file = models.FileField(upload_to=import_path, storage=import_storage, blank=True)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    # sha256 of the file, its kind and its columns: the same upload again finds this import.
    fingerprint = models.CharField(max_length=64)
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)
    status = models.CharField(max_length=24, choices=ImportStatus.choices, default=ImportStatus.RECEIVED)
    records_total = models.PositiveIntegerField(default=0)
    records_checked = models.PositiveIntegerField(default=0)
    accepted_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The file is deleted TSC_UPLOAD_RETENTION_DAYS after processing (imports_purge); the row and
    # its acknowledgement stay.
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["bulk_filer", "fingerprint"], name="one_import_per_file"),
            models.UniqueConstraint(
                fields=["bulk_filer", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="one_import_per_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return f"Import {self.token} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status not in (ImportStatus.RECEIVED, ImportStatus.PROCESSING)


class RecordOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class ImportRecord(models.Model):
    """One record of an import and what came of it (the acknowledgement's row)."""

    # No index of its own: every look-up is by import, served by the unique (bulk_import,
    # record_number) below, which leads with it (a File Import inserts 50,000 of these at once).
    # No foreign key constraint in the database on the import and the client (ADR 0013): the import
    # writes its own rows, and neither is ever deleted (Django still cascades and protects). The
    # return and the payment keep theirs: they are money.
    bulk_import = models.ForeignKey(
        BulkImport, on_delete=models.CASCADE, related_name="records", db_index=False, db_constraint=False
    )
    record_number = models.PositiveIntegerField()
    # The client's registration number; for an unmatched Publication 1220 payer only "FEIN ending 1234".
    client_number = models.CharField(max_length=24, blank=True)
    client = models.ForeignKey(
        "taxpayers.Business", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    tax_type_code = models.CharField(max_length=4, blank=True)
    period_end = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=RecordOutcome.choices)
    reason = models.TextField(blank=True)
    confirmation_number = models.CharField(max_length=20, blank=True)
    tax_return = models.ForeignKey(
        "filing.TaxReturn", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment = models.ForeignKey("payments.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["bulk_import", "record_number"]
        constraints = [
            models.UniqueConstraint(fields=["bulk_import", "record_number"], name="one_row_per_import_record")
        ]

    def __str__(self) -> str:
        return f"Record {self.record_number}: {self.get_outcome_display()}"
