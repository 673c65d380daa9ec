"""Version 1 of the API: clients, payments, imports. Each operation needs one scope; each POST an
Idempotency-Key (see `_idempotent`)."""

import hashlib
import re
from collections.abc import Callable
from decimal import Decimal
from uuid import UUID

from django.http import HttpResponse
from ninja import File, Form, Header, Path, Router
from ninja.files import UploadedFile

from tsc.accounts.rights import Action
from tsc.lib import request_context
from tsc.lib.errors import ServiceError

from . import selectors, services
from .auth import ApiError, TokenAuth
from .models import Scope
from .schemas import AcknowledgementOut, ClientOut, Error, ImportOut, PaymentIn, PaymentOut, TaxTypeOut

router = Router(tags=["v1"])

# The answers every operation may give besides its own.
REFUSALS = {401: Error, 403: Error, 429: Error}
LOOKUP_REFUSALS = REFUSALS | {404: Error, 422: Error}  # 422: a path parameter of the wrong form
POST_REFUSALS = REFUSALS | {400: Error, 409: Error, 422: Error}
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces
IdempotencyKey = Header(
    None,
    alias="Idempotency-Key",
    description="Required: a unique string per request (a UUID, say), up to 255 printable characters.",
)
CONFIRMATION = Path(..., max_length=20, description="The payment's confirmation number, like TSC-7K2M-9QXA-4D8H.")


def _act_as(ctx) -> None:
    """Audit rows written by the services say "by API token <prefix> of firm <firm> for <client>"."""
    token = ctx.api_client
    request_context.bind(acting=ctx.describe() | {"by_firm": token.bulk_filer.firm_id, "api_token": token.prefix})


def _idempotent(request, key: str | None, request_data, work: Callable[[], tuple[int, dict]]) -> HttpResponse:
    """Do `work` once per key: the same key and request again get the first answer; the same key
    with another request, 409. Answers under 500 are kept (a refusal is an answer too)."""
    if key is None or not KEY_PATTERN.match(key):
        raise ApiError(400, "Send an Idempotency-Key header: a unique string of up to 255 printable characters.")
    token = request.auth
    fingerprint = services.fingerprint(request.method, request.resolver_match.route, request_data)
    try:
        claimed = services.idempotency_begin(token=token, key=key, fingerprint=fingerprint)
    except services.KeyConflict as error:
        raise ApiError(409, error.message) from error
    if isinstance(claimed, services.Replay):
        response = _api().create_response(request, claimed.body, status=claimed.status)
        response["Idempotent-Replayed"] = "true"
        return response
    try:
        status, body = work()
    except ApiError as error:
        if error.status >= 500 or error.headers:
            services.idempotency_release(claimed)
            raise
        status = error.status
        body = {"detail": error.detail} | ({"field": error.field} if error.field else {})
    except BaseException:
        services.idempotency_release(claimed)
        raise
    services.idempotency_finish(claimed, status=status, body=body)
    return _api().create_response(request, body, status=status)


def _api():
    from .api import api

    return api


def _refused(error: ServiceError) -> ApiError:
    return ApiError(422, error.message, field=error.field)


# ---- clients -------------------------------------------------------------------------------------


@router.get(
    "/clients",
    response={200: list[ClientOut]} | REFUSALS,
    auth=TokenAuth(Scope.CLIENTS_READ),
    summary="Your clients",
    description="The businesses that authorized your firm, with the tax types they are registered for. "
    "Scope: clients:read.",
)
def clients(request):
    return [
        ClientOut(
            registration_number=a.client.registration_number,
            name=a.client.legal_name,
            tax_types=[
                TaxTypeOut(
                    code=r.tax_type.code,
                    name=r.tax_type.name,
                    form=r.tax_type.form,
                    filing_frequency=r.filing_frequency,
                    closed_on=r.end_date,
                )
                for r in a.client.registrations.all()
            ],
        )
        for a in selectors.business_clients(request.auth)
    ]


# ---- payments ------------------------------------------------------------------------------------


@router.post(
    "/payments",
    response={201: PaymentOut, 404: Error} | POST_REFUSALS,
    auth=TokenAuth(Scope.PAYMENTS_WRITE),
    summary="Schedule a payment for a client",
    description="From the client's bank account on file for the tax type. A business that is not your "
    "client: 404. A rule refused (no such period, no bank account on file, a date that is not a banking day, "
    "…): 422 with the field. Scope: payments:write.",
)
def payment_create(request, payload: PaymentIn, idempotency_key: str | None = IdempotencyKey):
    from tsc.payments import services as payments

    def work():
        ctx = selectors.client_context(request.auth, payload.registration_number)
        _act_as(ctx)
        period = selectors.period_for(ctx, payload.tax_type, payload.period_end)
        try:
            payment = payments.payment_schedule(
                ctx=ctx,
                period=period,
                amount=Decimal(payload.amount),
                requested_date=payload.requested_date,
                submission_token=services.submission_token_for(request.auth, idempotency_key),
            )
        except ServiceError as error:
            raise _refused(error) from error
        return 201, PaymentOut.of(payment).model_dump(mode="json")

    return _idempotent(request, idempotency_key, payload.model_dump(mode="json"), work)


@router.get(
    "/payments/{confirmation_number}",
    response={200: PaymentOut} | LOOKUP_REFUSALS,
    auth=TokenAuth(Scope.PAYMENTS_READ),
    summary="A payment of one of your clients",
    description="Scope: payments:read.",
)
def payment_read(request, confirmation_number: str = CONFIRMATION):
    _, payment = selectors.payment_for(request.auth, confirmation_number, Action.VIEW_PAYMENTS)
    return PaymentOut.of(payment)


@router.post(
    "/payments/{confirmation_number}/cancel",
    response={200: PaymentOut, 404: Error} | POST_REFUSALS,
    auth=TokenAuth(Scope.PAYMENTS_WRITE),
    summary="Cancel a scheduled payment",
    description="Until it is sent to the bank (1 banking day before the requested date); afterwards 422. "
    "Cancelling a cancelled payment answers it again. Scope: payments:write.",
)
def payment_cancel(request, confirmation_number: str = CONFIRMATION, idempotency_key: str | None = IdempotencyKey):
    from tsc.payments import services as payments

    def work():
        ctx, payment = selectors.payment_for(request.auth, confirmation_number, Action.CANCEL_PAYMENT)
        _act_as(ctx)
        try:
            payment = payments.payment_cancel(ctx=ctx, payment_id=payment.pk)
        except ServiceError as error:
            raise _refused(error) from error
        return 200, PaymentOut.of(payment).model_dump(mode="json")

    return _idempotent(request, idempotency_key, {"confirmation_number": confirmation_number}, work)


# ---- imports -------------------------------------------------------------------------------------


IMPORT_FILE = File(..., description="The file to import.")
IMPORT_KIND = Form(..., pattern="^(csv|pub1220)$", description="csv or pub1220")
IMPORT_LAYOUT = Form(None, ge=1, description="Your saved CSV layout (kind csv).")


def _file_digest(file) -> str:
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


@router.post(
    "/imports",
    response={202: ImportOut} | POST_REFUSALS,
    auth=TokenAuth(Scope.IMPORTS_WRITE),
    summary="Upload a file to import",
    description="A CSV file in one of your saved layouts (`layout_id`), or a Publication 1220 file with many "
    "payers. It is checked in the background: poll GET /imports/{token}, then fetch the acknowledgement. "
    "The same file again files nothing twice. Scope: imports:write.",
)
def import_create(
    request,
    file: UploadedFile = IMPORT_FILE,
    kind: str = IMPORT_KIND,
    layout_id: int | None = IMPORT_LAYOUT,
    idempotency_key: str | None = IdempotencyKey,
):
    from . import imports

    request_data = {"file": _file_digest(file), "kind": kind, "layout_id": layout_id}

    def work():
        bulk_import = imports.receive(
            token=request.auth, file=file, kind=kind, layout_id=layout_id, key=idempotency_key
        )
        return 202, ImportOut.of(bulk_import).model_dump(mode="json")

    return _idempotent(request, idempotency_key, request_data, work)


@router.get(
    "/imports/{token}",
    response={200: ImportOut} | LOOKUP_REFUSALS,
    auth=TokenAuth(Scope.IMPORTS_READ),
    summary="An import's status and counts",
    description="Scope: imports:read.",
)
def import_read(request, token: UUID):
    from . import imports

    return ImportOut.of(imports.find(request.auth, token))


@router.get(
    "/imports/{token}/acknowledgement",
    response={200: AcknowledgementOut} | LOOKUP_REFUSALS,
    auth=TokenAuth(Scope.IMPORTS_READ),
    summary="An import's acknowledgement",
    description="Every record, accepted (with its confirmation number) or rejected (with the reason). "
    "Scope: imports:read.",
)
def import_acknowledgement(request, token: UUID):
    from . import imports

    bulk_import = imports.find(request.auth, token)
    return AcknowledgementOut(
        **ImportOut.of(bulk_import).model_dump(), records=list(imports.acknowledgement(bulk_import))
    )
