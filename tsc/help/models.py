"""The help centre's topics: the TSC help text, one topic per section, each in an area.

The full-text index is not a Django field: on SQLite it is the FTS5 table `help_topic_fts`, kept
in step by triggers; on PostgreSQL the generated `search` tsvector column with a GIN index (both
made in migration 0002, read by tsc/help/search.py).
"""

from django.db import models


class Area(models.TextChoices):
    PROFILE = "profile", "Profile"
    USERS = "users", "Users"
    FILING = "filing", "Filing"
    PAYMENTS = "payments", "Payments"
    ACCOUNT = "account", "Account"
    BULK_FILING = "bulk", "Bulk filing"
    REFUNDS = "refunds", "Refunds"
    STATUS_LETTERS = "letters", "Status letters"


class Topic(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    area = models.CharField(max_length=12, choices=Area.choices)
    # The seed's words as written in tsc/help/topics.py: paragraphs, "• " bullets, "## " headings.
    body = models.TextField()
    # The words alone (the body without its markup), what the full-text index reads.
    search_text = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)  # the seed's order

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title
