"""Third Party Bulk Filers (TPBF): preparer firms DRS designated to file and pay for clients, and
the clients who authorized them.

A firm is a business registered with DRS like any other (its own registration number, its own
TSC Administrator and sub-users); DRS designates it in the back office. It acts only for its
clients: a client's TSC Administrator authorizes the firm (and may revoke it), or DRS staff
record a signed authorization. The acting context (tsc/accounts/acting.py) carries the
authorization; every action is audited "by <firm login> for <client>".
"""

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
