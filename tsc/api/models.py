"""API tokens of Third Party Bulk Filer firms, and the idempotency keys of their POSTs.

A token is `tsc_<prefix>_<secret>`: the prefix is public (shown in lists, found by index), the
secret is 32 random bytes of which only the sha256 is kept (a secret that long needs no slow
hash: there is nothing to guess). The full token is shown once, when it is created.
"""

from django.conf import settings
from django.db import models


class Scope(models.TextChoices):
    CLIENTS_READ = "clients:read", "List your clients"
    PAYMENTS_READ = "payments:read", "Read payments"
    PAYMENTS_WRITE = "payments:write", "Schedule and cancel payments"
    IMPORTS_READ = "imports:read", "Read imports and their acknowledgements"
    IMPORTS_WRITE = "imports:write", "Upload files to import"


class ApiToken(models.Model):
    bulk_filer = models.ForeignKey("bulk.BulkFiler", on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=60)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} (tsc_{self.prefix}_…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    def scope_labels(self) -> list[str]:
        return [Scope(s).label for s in self.scopes if s in Scope.values]


class IdempotencyKey(models.Model):
    """The first answer to a POST with this key: the same key with the same request gets it
    again (nothing done twice); with another request, 409. `status` is null while the first
    request is still being answered."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="one_answer_per_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status or 'in progress'})"
