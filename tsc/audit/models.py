from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One row per change, written by the service that made it, in the same transaction.

    Never holds personal data or secrets: `data` names what changed (field names, old/new
    access levels, statuses), never passwords, answers, SSNs or account numbers.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    business = models.ForeignKey(
        "taxpayers.Business", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    event = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["business", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%m/%d/%Y %H:%M} {self.event} {self.target_type}#{self.target_id}"
