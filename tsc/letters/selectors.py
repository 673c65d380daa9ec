"""Reads of status letters: the business's own (through the acting context), and the public
verification by Letter ID."""

from django.db.models import QuerySet

from tsc.accounts.access import load
from tsc.accounts.acting import Acting
from tsc.accounts.rights import Action

from .models import StatusLetter, normalize_letter_id


def letters_of(ctx: Acting) -> QuerySet[StatusLetter]:
    return StatusLetter.objects.filter(business_id=ctx.taxpayer_id)


def letter_for(ctx: Acting, letter_id: str) -> StatusLetter:
    """The context's business's letter: 404 for any other (never confirm it exists)."""
    letter_id = normalize_letter_id(letter_id)
    letter = StatusLetter.objects.filter(letter_id=letter_id).first() if letter_id else None
    return load(
        ctx,
        letter,
        business_id=letter.business_id if letter else None,
        tax_type=None,
        actions=(Action.REQUEST_STATUS_LETTER,),
    )


def letter_to_verify(letter_id: str) -> StatusLetter | None:
    """For anyone holding a letter: only what the verification page shows is loaded."""
    return (
        StatusLetter.objects.filter(letter_id=letter_id)
        .only("letter_id", "entity_name", "issued_on", "revoked_at")
        .first()
    )
