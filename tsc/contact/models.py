"""Messages sent through "Contact us", kept for DRS staff, and their replies."""

from django.conf import settings
from django.db import models


class ContactMessage(models.Model):
    name = models.CharField(max_length=120)
    email = models.EmailField("E-mail address")
    subject = models.CharField(max_length=150)
    # Kept as sent, except numbers shaped like an SSN, FEIN or registration number, which are
    # replaced before saving (the privacy policy asks visitors not to send them) and flagged.
    message = models.TextField(max_length=5000)
    flags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reply = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Message {self.pk}: {self.subject}"

    @property
    def flagged(self) -> bool:
        return bool(self.flags)
