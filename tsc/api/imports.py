"""File imports through the API: the firm's own File Import (tsc/bulk/imports.py), with the
token acting for the firm itself (no login: the import's `uploaded_by` stays empty and the
audit rows name the token)."""

import hashlib
from datetime import date
from uuid import UUID

from django.http import Http404

from tsc.accounts.acting import Acting, Relationship
from tsc.bulk import imports
from tsc.bulk.models import ImportLayout
from tsc.lib import request_context
from tsc.lib.errors import ServiceError

from .auth import ApiError
from .models import ApiToken

NO_SUCH_IMPORT = "Your firm has no import with that token."


def firm_context(token: ApiToken) -> Acting:
    """The token acting for its own firm, as the firm's File Import pages do."""
    ctx = Acting(taxpayer_id=token.bulk_filer.firm_id, relationship=Relationship.OWN_USER, api_client=token)
    request_context.bind(
        acting={"relationship": "api_client", "for_business": ctx.taxpayer_id, "api_token": token.prefix}
    )
    return ctx


def _key(token: ApiToken, key: str) -> str:
    # The import's own key, apart from the portal's: this token's, in a fixed length.
    return "api:" + hashlib.sha256(f"{token.pk}:{key}".encode()).hexdigest()


def receive(*, token: ApiToken, file, kind: str, layout_id: int | None, key: str):
    layout = None
    if layout_id is not None:
        layout = ImportLayout.objects.filter(pk=layout_id, bulk_filer=token.bulk_filer).first()
        if layout is None:
            raise ApiError(422, "Your firm has no saved layout with that id.", field="layout_id")
    try:
        return imports.import_receive(
            ctx=firm_context(token), file=file, kind=kind, layout=layout, idempotency_key=_key(token, key)
        )
    except ServiceError as error:
        field = {"layout": "layout_id"}.get(error.field, error.field)
        raise ApiError(422, error.message, field=field) from error


def find(token: ApiToken, import_token: UUID):
    try:
        return imports.import_for(firm_context(token), import_token)
    except Http404 as error:
        raise ApiError(404, NO_SUCH_IMPORT) from error


def _iso(value: str) -> date | None:
    if not value:
        return None
    month, day, year = (int(part) for part in value.split("/"))
    return date(year, month, day)


def acknowledgement(bulk_import):
    """The acknowledgement's rows with ISO dates and nulls for what a record does not have."""
    for row in imports.acknowledgement_rows(bulk_import):
        yield {
            "record": row["record"],
            "client": row["client"] or None,
            "tax_type": row["tax_type"] or None,
            "period_end": _iso(row["period_end"]),
            "outcome": row["outcome"],
            "confirmation_number": row["confirmation_number"] or None,
            "payment_confirmation_number": row.get("payment_confirmation_number") or None,
            "reason": row["reason"] or None,
        }
