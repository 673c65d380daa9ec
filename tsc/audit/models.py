from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One row per change, written by the service that made it, in the same transaction.

    Never holds personal data or secrets: `data` names what changed (field names, old/new
    access levels, statuses), never passwords, answers, SSNs or account numbers.
    """

    # Indexes: newest first (the admin's list), a business's events newest first (Add/Update
    # Users, which also serves the business's foreign key), and by event (the admin's filter, an
    # exact match: no LIKE index). Nothing looks events up by actor (logins are never deleted).
    # A batch of filings writes 1,000s of rows at once: each index is work for every one.
    # No foreign key constraint in the database on the actor and the business (ADR 0013): the
    # rows are a log, written by the services with references they hold; logins and businesses
    # are never deleted, and if one were through the ORM, Django still sets these to NULL.
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    business = models.ForeignKey(
        "taxpayers.Business",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
        db_index=False,
        db_constraint=False,
    )
    event = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["business", "-at"]), models.Index(fields=["event"], name="audit_event_idx")]

    def __str__(self) -> str:
        return f"{self.at:%m/%d/%Y %H:%M} {self.event} {self.target_type}#{self.target_id}"
