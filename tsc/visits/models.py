"""The visit log of the privacy policy ("A. Automatic Information"), and nothing more.

One row per request with exactly the policy's fields, plus the response time (an operational
measure). There is deliberately no user, login, session, business or cookie here: the policy
says the automatic data "is not matched with any of that personally identifiable information"
(tests/test_visit_log.py checks the field list). See docs/adr/0009-visit-log.md.
"""

from django.db import models


class Visit(models.Model):
    # Date and time of the visit, in Connecticut (settings.TIME_ZONE); the hour on its own too,
    # so "busiest hours" is a GROUP BY on a small integer on every database.
    date = models.DateField()
    time = models.TimeField()
    hour = models.PositiveSmallIntegerField()
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    server_ip = models.GenericIPAddressField(null=True, blank=True)
    status = models.PositiveSmallIntegerField("HTTP status")
    # The requested URL: the path (personal-looking segments masked) and the allowed query
    # parameters only (tsc/visits/scrub.py).
    path = models.CharField(max_length=1024)
    query = models.CharField(max_length=512, blank=True)
    bytes_sent = models.PositiveBigIntegerField()
    bytes_received = models.PositiveBigIntegerField()
    user_agent = models.CharField(max_length=512, blank=True)
    referrer = models.CharField(max_length=1024, blank=True)
    protocol = models.CharField("protocol version", max_length=16, blank=True)
    duration_ms = models.PositiveIntegerField("response time (ms)")

    class Meta:
        # Every statistic is "over a date range, grouped by X": an index on (date, X) lets the
        # database read only the index, the measures (response time, bytes) being in it too.
        indexes = [
            models.Index(fields=["date", "path", "duration_ms"], name="visit_date_path"),
            models.Index(fields=["date", "status"], name="visit_date_status"),
            models.Index(fields=["date", "hour"], name="visit_date_hour"),
            models.Index(fields=["date", "bytes_sent", "bytes_received", "duration_ms"], name="visit_date_measures"),
            models.Index(fields=["date", "user_agent"], name="visit_date_agent"),
        ]

    def __str__(self):
        return f"{self.date} {self.time} {self.status} {self.url}"

    @property
    def url(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


class LoadedVisitFile(models.Model):
    """A visit file already loaded: written in the same transaction as its rows, so a loader that
    dies after committing but before deleting the file never loads it twice."""

    name = models.CharField(max_length=255, unique=True)
    visits = models.PositiveIntegerField()
    loaded_at = models.DateTimeField()

    def __str__(self):
        return self.name
