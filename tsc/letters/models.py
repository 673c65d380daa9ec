"""A status letter (Letter of Good Standing): what DRS states about a business on the day it is
issued. It never changes after issue, except to be revoked by DRS staff."""

import secrets

from django.conf import settings
from django.db import models

# No 0/O, 1/I/L or U/V pairs: a Letter ID is read off paper and typed in by someone else.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
GROUP, GROUPS = 4, 3
LETTER_ID_LENGTH = GROUP * GROUPS
REVOCATION_FIELDS = frozenset({"revoked_at", "revoked_by", "revoked_reason"})


def _grouped(chars: str) -> str:
    return "-".join(chars[i : i + GROUP] for i in range(0, LETTER_ID_LENGTH, GROUP))


def new_letter_id() -> str:
    """12 random characters from ALPHABET, grouped like K7QM-3XTR-9PWD (about 58 bits)."""
    return _grouped("".join(secrets.choice(ALPHABET) for _ in range(LETTER_ID_LENGTH)))


def normalize_letter_id(value: str) -> str | None:
    """'k7qm 3xtr9pwd', 'K7QM-3XTR-9PWD' → 'K7QM-3XTR-9PWD'; None when it cannot be a Letter ID."""
    chars = "".join(c for c in (value or "").upper() if c not in " -\t")
    if len(chars) != LETTER_ID_LENGTH or any(c not in ALPHABET for c in chars):
        return None
    return _grouped(chars)


class StatusLetter(models.Model):
    business = models.ForeignKey("taxpayers.Business", on_delete=models.PROTECT, related_name="status_letters")
    letter_id = models.CharField("Letter ID", max_length=14, unique=True, default=new_letter_id, editable=False)
    entity_name = models.CharField(max_length=120, help_text="The business's legal name on the day it was issued.")
    issued_on = models.DateField(help_text="Connecticut (America/New_York) date.")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            # Asking twice on one day gives the same letter (services.status_letter_request).
            models.UniqueConstraint(
                fields=["business", "issued_on"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_valid_status_letter_a_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.letter_id} {self.entity_name} ({self.issued_on:%m/%d/%Y})"

    def save(self, *args, **kwargs):
        # Issued once; afterwards only the revocation may be written (status_letter_revoke).
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= REVOCATION_FIELDS:
                raise ValueError("A status letter never changes after issue, except to revoke it.")
        super().save(*args, **kwargs)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
