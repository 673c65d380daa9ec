"""Announcements DRS staff publish (banner messages with start and end dates, shown on the
Welcome page and the Main Menu), and the visitors who chose to get them by e-mail."""

from django.conf import settings
from django.db import models


class Announcement(models.Model):
    title = models.CharField(max_length=120)
    body = models.TextField(max_length=2000)
    starts_on = models.DateField("Show from")
    ends_on = models.DateField("Show until")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(starts_on__lte=models.F("ends_on")), name="announcement_dates")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_on:%m/%d/%Y}–{self.ends_on:%m/%d/%Y})"


class Subscriber(models.Model):
    """Explicit opt-in: an address is sent announcements only after its owner confirms it from
    the e-mail we send; every message carries a one-click unsubscribe link."""

    email = models.EmailField(unique=True)
    token = models.CharField(max_length=43, unique=True)  # in the confirm and unsubscribe links
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "Announcement subscriber" + (" (confirmed)" if self.confirmed_at else "")
