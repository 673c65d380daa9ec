"""Designating Third Party Bulk Filers, client authorizations, and choosing the client a firm's
login acts for. Every change audited; refusals for non-clients never confirm that a taxpayer
exists."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from tsc.accounts.acting import Acting, Relationship
from tsc.audit.services import audit_record
from tsc.lib.errors import ServiceError
from tsc.taxpayers.models import Business
from tsc.taxpayers.selectors import individual_by_ssn

from .models import AuthorizationSource, BulkFiler, ClientAuthorization

NOT_A_CLIENT = (
    "None of your clients has that registration number. Check it, or ask the business to authorize your firm."
)
NOT_A_CLIENT_SSN = (
    "None of your clients has that Social Security Number. Check it, or ask DRS to record the client's authorization."
)


def bulk_filer_of(business_id: int | None) -> BulkFiler | None:
    """The active designation of a firm (None for any other business)."""
    if business_id is None:
        return None
    return BulkFiler.objects.filter(firm_id=business_id, revoked_at__isnull=True).select_related("firm").first()


# ---- DRS designates firms --------------------------------------------------------------------


def bulk_filer_designate(*, firm: Business, actor) -> BulkFiler:
    with transaction.atomic():
        existing = BulkFiler.objects.select_for_update().filter(firm=firm).first()
        if existing is not None and existing.active:
            return existing
        if existing is not None:  # designated again after a revocation
            existing.revoked_at, existing.revoked_by = None, None
            existing.designated_by, existing.designated_at = actor, timezone.now()
            existing.save()
            bulk_filer = existing
        else:
            bulk_filer = BulkFiler.objects.create(firm=firm, designated_by=actor)
        audit_record(event="bulk_filer.designated", actor=actor, target=bulk_filer, business=firm)
    return bulk_filer


@transaction.atomic
def bulk_filer_revoke(*, bulk_filer: BulkFiler, actor) -> BulkFiler:
    bulk_filer = BulkFiler.objects.select_for_update().get(pk=bulk_filer.pk)
    if bulk_filer.revoked_at is None:
        bulk_filer.revoked_at, bulk_filer.revoked_by = timezone.now(), actor
        bulk_filer.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(event="bulk_filer.revoked", actor=actor, target=bulk_filer, business=bulk_filer.firm)
    return bulk_filer


# ---- authorizations --------------------------------------------------------------------------


def _firm_by_number(registration_number: str) -> BulkFiler:
    bulk_filer = (
        BulkFiler.objects.filter(firm__registration_number=registration_number.strip(), revoked_at__isnull=True)
        .select_related("firm")
        .first()
    )
    if bulk_filer is None:
        raise ServiceError(
            "No Third Party Bulk Filer has that registration number. Ask the firm for the number DRS gave it.",
            field="firm",
        )
    return bulk_filer


def _authorize(*, bulk_filer: BulkFiler, client=None, individual=None, source: str, actor) -> ClientAuthorization:
    live = ClientAuthorization.objects.filter(bulk_filer=bulk_filer, revoked_at__isnull=True)
    live = live.filter(client=client) if client is not None else live.filter(individual=individual)
    if found := live.first():
        return found
    try:
        with transaction.atomic():
            authorization = ClientAuthorization.objects.create(
                bulk_filer=bulk_filer, client=client, individual=individual, source=source, authorized_by=actor
            )
            audit_record(
                event="bulk_client.authorized",
                actor=actor,
                target=authorization,
                business=client,
                data={"firm": bulk_filer.firm.registration_number, "source": source},
            )
    except IntegrityError:  # authorized at the same moment by another request
        return live.get()
    return authorization


def client_authorize(*, ctx: Acting, firm_registration_number: str) -> ClientAuthorization:
    """The client's TSC Administrator authorizes a firm to file and pay for the business."""
    if ctx.relationship != Relationship.OWN_USER or not ctx.login.is_administrator:
        raise ServiceError("Only the TSC Administrator can authorize a Third Party Bulk Filer.")
    bulk_filer = _firm_by_number(firm_registration_number)
    if bulk_filer.firm_id == ctx.taxpayer_id:
        raise ServiceError("A firm cannot be its own client.", field="firm")
    return _authorize(bulk_filer=bulk_filer, client=ctx.taxpayer, source=AuthorizationSource.CLIENT, actor=ctx.login)


def staff_authorization_record(
    *, actor, bulk_filer: BulkFiler, client: Business | None = None, ssn: str = ""
) -> ClientAuthorization:
    """DRS staff record a client's signed authorization: a business, or an individual by SSN."""
    individual = None
    if client is None:
        individual = individual_by_ssn(ssn)
        if individual is None:
            raise ServiceError("No individual taxpayer has that Social Security Number.", field="ssn")
    return _authorize(
        bulk_filer=bulk_filer, client=client, individual=individual, source=AuthorizationSource.STAFF, actor=actor
    )


@transaction.atomic
def authorization_revoke(*, authorization: ClientAuthorization, actor) -> ClientAuthorization:
    authorization = ClientAuthorization.objects.select_for_update().get(pk=authorization.pk)
    if authorization.revoked_at is None:
        authorization.revoked_at, authorization.revoked_by = timezone.now(), actor
        authorization.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            event="bulk_client.revoked",
            actor=actor,
            target=authorization,
            business=authorization.client,
            data={"firm": authorization.bulk_filer.firm.registration_number},
        )
    return authorization


def client_revoke(*, ctx: Acting, authorization_id: int) -> ClientAuthorization:
    """The client's TSC Administrator withdraws the firm's authorization."""
    if ctx.relationship != Relationship.OWN_USER or not ctx.login.is_administrator:
        raise ServiceError("Only the TSC Administrator can withdraw an authorization.")
    authorization = ClientAuthorization.objects.filter(pk=authorization_id, client_id=ctx.taxpayer_id).first()
    if authorization is None:
        raise ServiceError("That authorization was not found.")
    return authorization_revoke(authorization=authorization, actor=ctx.login)


# ---- a firm's logins and their clients -------------------------------------------------------


def clients_of(bulk_filer: BulkFiler):
    return (
        ClientAuthorization.objects.filter(bulk_filer=bulk_filer, revoked_at__isnull=True)
        .select_related("client", "individual")
        .order_by("client__legal_name", "individual__last_name")
    )


def client_by_number(bulk_filer: BulkFiler, registration_number: str) -> ClientAuthorization:
    """The firm's live authorization for the business with that registration number; the same
    refusal for an unknown number and for a business that is not a client."""
    found = (
        ClientAuthorization.objects.filter(
            bulk_filer=bulk_filer, revoked_at__isnull=True, client__registration_number=registration_number.strip()
        )
        .select_related("client", "bulk_filer")
        .first()
    )
    if found is None:
        raise ServiceError(NOT_A_CLIENT, field="registration_number")
    return found


def client_by_ssn(bulk_filer: BulkFiler, ssn: str) -> ClientAuthorization:
    individual = individual_by_ssn(ssn)
    found = None
    if individual is not None:
        found = (
            ClientAuthorization.objects.filter(bulk_filer=bulk_filer, revoked_at__isnull=True, individual=individual)
            .select_related("individual", "bulk_filer")
            .first()
        )
    if found is None:
        raise ServiceError(NOT_A_CLIENT_SSN, field="ssn")
    return found
