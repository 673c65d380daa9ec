"""Reads for the API, scoped to the token's firm and its live clients. Anything that is not the
firm's (a business that is not a client, another firm's import, an unknown number) is the same
404: the API never confirms that it exists."""

from django.db.models import Prefetch

from tsc.accounts.acting import Acting
from tsc.accounts.rights import Action, may
from tsc.bulk.models import ClientAuthorization
from tsc.bulk.services import client_by_number, clients_of
from tsc.lib.errors import ServiceError
from tsc.payments.models import Payment
from tsc.taxpayers.models import FilingPeriod, Registration

from .auth import ApiError
from .models import ApiToken

NO_SUCH_PAYMENT = "None of your clients has a payment with that confirmation number."


def business_clients(token: ApiToken) -> list[ClientAuthorization]:
    registrations = Registration.objects.select_related("tax_type").order_by("tax_type__sort_order")
    return list(
        clients_of(token.bulk_filer)
        .filter(client__isnull=False)
        .prefetch_related(Prefetch("client__registrations", queryset=registrations))
    )


def client_context(token: ApiToken, registration_number: str) -> Acting:
    """The context of the token acting for the client with that number (404 for a non-client)."""
    try:
        authorization = client_by_number(token.bulk_filer, registration_number)
    except ServiceError as error:
        raise ApiError(404, error.message, field="registration_number") from error
    return Acting.api_client_for(token, authorization)


def period_for(ctx: Acting, tax_type_code: str, period_end) -> FilingPeriod:
    registration = (
        Registration.objects.select_related("tax_type", "business")
        .filter(business_id=ctx.taxpayer_id, tax_type__code=tax_type_code.strip().upper())
        .first()
    )
    if registration is None:
        raise ApiError(422, "The client is not registered for that tax type.", field="tax_type")
    period = registration.periods.filter(period_end=period_end).first()
    if period is None:
        raise ApiError(
            422,
            f"{registration.business.legal_name} has no {registration.tax_type.name} filing period ending "
            f"{period_end:%m/%d/%Y}.",
            field="period_end",
        )
    period.registration = registration
    return period


def payment_for(token: ApiToken, confirmation_number: str, action: Action) -> tuple[Acting, Payment]:
    """A payment of one of the firm's live business clients, with the context acting for that
    client; 404 for any other (or when the firm may not `action` on its tax type)."""
    payment = (
        Payment.objects.select_related("business", "tax_type", "period")
        .filter(confirmation_number=confirmation_number.strip(), business__isnull=False)
        .first()
    )
    authorization = None
    if payment is not None:
        authorization = (
            ClientAuthorization.objects.select_related("bulk_filer", "client")
            .filter(bulk_filer=token.bulk_filer, client_id=payment.business_id, revoked_at__isnull=True)
            .first()
        )
    if authorization is None:
        raise ApiError(404, NO_SUCH_PAYMENT)
    ctx = Acting.api_client_for(token, authorization)
    if not may(ctx, action, tax_type=payment.tax_type):
        raise ApiError(404, NO_SUCH_PAYMENT)
    return ctx, payment
