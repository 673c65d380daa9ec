"""Issuing and revoking status letters. A letter is issued at once when nothing stands in the
way (tsc.ledger.account.standing_blockers); otherwise the refusal names every blocker."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from tsc.accounts.acting import Acting
from tsc.accounts.rights import Action, may
from tsc.audit.services import audit_record
from tsc.ledger.account import Blocker, standing_blockers
from tsc.lib.errors import ServiceError
from tsc.taxpayers.models import Business

from .models import StatusLetter


class NotInGoodStanding(ServiceError):
    """Refused: `blockers` lists each return not filed and each balance due, oldest first."""

    def __init__(self, blockers: list[Blocker]):
        super().__init__(
            "DRS cannot issue a status letter for this business today. Every return that is due must "
            "be filed and every tax reported due must be paid. These stand in the way:"
        )
        self.blockers = blockers


def today() -> date:
    return timezone.localdate()  # TIME_ZONE is America/New_York


@transaction.atomic
def status_letter_request(*, ctx: Acting, on: date | None = None) -> StatusLetter:
    """Issue a status letter to the context's business as of `on` (today), or raise
    NotInGoodStanding. Asking again the same day gives that day's letter, not a second one."""
    if not may(ctx, Action.REQUEST_STATUS_LETTER):
        raise ServiceError("Only the TSC Administrator of the business may request a status letter.")
    on = on or today()
    # One request per business at a time: the second of two simultaneous requests finds the first's letter.
    business = Business.objects.select_for_update().get(pk=ctx.taxpayer_id)
    existing = StatusLetter.objects.filter(business=business, issued_on=on, revoked_at__isnull=True).first()
    if existing is not None:
        return existing
    if blockers := standing_blockers(business.pk, on=on):
        raise NotInGoodStanding(blockers)
    letter = StatusLetter(business=business, entity_name=business.legal_name, issued_on=on, issued_by=ctx.login)
    letter.full_clean()
    letter.save()
    audit_record(
        event="status_letter.issued",
        actor=ctx.login,
        target=letter,
        business=business,
        data={"letter_id": letter.letter_id, "issued_on": on.isoformat()},
    )
    return letter


@transaction.atomic
def status_letter_revoke(*, letter: StatusLetter, actor, reason: str) -> StatusLetter:
    """DRS staff withdraw a letter (issued in error, say). Verification then shows it revoked."""
    if actor is None or not getattr(actor, "is_staff", False):
        raise ServiceError("Only DRS staff may revoke a status letter.")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Give the reason for revoking the status letter.", field="reason")
    letter = StatusLetter.objects.select_for_update().get(pk=letter.pk)
    if letter.revoked:
        raise ServiceError(f"Status letter {letter.letter_id} is already revoked.")
    letter.revoked_at = timezone.now()
    letter.revoked_by = actor
    letter.revoked_reason = reason
    letter.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
    audit_record(
        event="status_letter.revoked",
        actor=actor,
        target=letter,
        business=letter.business,
        data={"letter_id": letter.letter_id},
    )
    return letter
