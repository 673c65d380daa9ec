"""API tokens (create, revoke, authenticate), the per-token rate limit and idempotency keys.

A token is `tsc_<prefix>_<secret>`: only the sha256 of the secret is stored, the full token is
returned once by `api_token_create`. Every create and revoke writes an audit row.
"""

import hashlib
import hmac
import json
import os
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tsc.accounts.acting import Acting, Relationship
from tsc.audit.services import audit_record
from tsc.bulk.models import BulkFiler
from tsc.lib import throttle
from tsc.lib.errors import ServiceError

from .models import ApiToken, IdempotencyKey, Scope

TOKEN_START = "tsc_"  # noqa: S105 (not a secret: how every token starts)
NAME_MAX = 60
# `last_used_at` is written at most this often: one UPDATE per call would be a waste.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# A key still "in progress" after this long belongs to a request that died: the next one with the
# same key takes it over (payments and imports are themselves idempotent on the key, so nothing
# is done twice).
IN_PROGRESS_TIMEOUT = timedelta(minutes=2)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def may_manage_tokens(ctx: Acting) -> bool:
    """The firm's own TSC Administrator, acting for the firm (not for a client)."""
    from tsc.accounts.rights import Action, may

    return (
        ctx.relationship == Relationship.OWN_USER
        and ctx.login is not None
        and ctx.login.is_administrator
        and may(ctx, Action.BULK_FILING)
    )


def _bulk_filer(ctx: Acting) -> BulkFiler:
    from tsc.bulk.services import bulk_filer_of

    bulk_filer = bulk_filer_of(ctx.taxpayer_id) if may_manage_tokens(ctx) else None
    if bulk_filer is None:
        raise ServiceError("Only the TSC Administrator of a Third Party Bulk Filer manages API tokens.")
    return bulk_filer


def api_token_create(*, ctx: Acting, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    """A new token for the firm: (the stored token, the full token to show once)."""
    bulk_filer = _bulk_filer(ctx)
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX:
        raise ServiceError(f"Give the token a name of 1 to {NAME_MAX} characters.", field="name")
    chosen = [s for s in Scope.values if s in set(scopes)]
    if not chosen or len(chosen) != len(set(scopes)):
        raise ServiceError("Choose at least one of the scopes listed.", field="scopes")
    secret = secrets.token_urlsafe(32)
    for _ in range(5):  # 8 hex digits: a clash is rare, and retried
        prefix = secrets.token_hex(4)
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    bulk_filer=bulk_filer,
                    name=name,
                    prefix=prefix,
                    secret_hash=_hash(secret),
                    scopes=chosen,
                    created_by=ctx.login,
                )
                audit_record(
                    event="api_token.created",
                    actor=ctx.login,
                    target=token,
                    business=bulk_filer.firm,
                    data={"name": name, "prefix": prefix, "scopes": chosen},
                )
        except IntegrityError:
            continue
        return token, f"{TOKEN_START}{prefix}_{secret}"
    raise ServiceError("Please try again.")


def api_token_revoke(*, ctx: Acting, token_id: int) -> ApiToken:
    bulk_filer = _bulk_filer(ctx)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, bulk_filer=bulk_filer).first()
        if token is None:
            raise ServiceError("That API token was not found.")
        if token.revoked_at is None:
            token.revoked_at, token.revoked_by = timezone.now(), ctx.login
            token.save(update_fields=["revoked_at", "revoked_by"])
            audit_record(
                event="api_token.revoked",
                actor=ctx.login,
                target=token,
                business=bulk_filer.firm,
                data={"name": token.name, "prefix": token.prefix},
            )
    return token


def api_tokens_of(ctx: Acting):
    return ApiToken.objects.filter(bulk_filer=_bulk_filer(ctx)).select_related("created_by")


# ---- authentication and the rate limit ---------------------------------------------------------


def token_authenticate(presented: str) -> ApiToken | None:
    """The live token for `tsc_<prefix>_<secret>` (None for anything else: malformed, unknown,
    wrong secret, revoked, or a firm no longer designated)."""
    if not presented.startswith(TOKEN_START) or len(presented) > 200:
        return None
    parts = presented.split("_", 2)
    if len(parts) != 3 or not parts[1] or not parts[2]:
        return None
    token = ApiToken.objects.select_related("bulk_filer__firm").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(parts[2])):
        return None
    if token.revoked_at is not None or not token.bulk_filer.active:
        return None
    return token


def token_touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def _rate_rule() -> throttle.Rule:
    per_minute = getattr(settings, "TSC_API_RATE_PER_MINUTE", None)
    if per_minute is None:
        per_minute = os.environ.get("TSC_API_RATE_PER_MINUTE", "120")
    return throttle.Rule("api-token", int(per_minute), 60)


def rate_limited(token: ApiToken) -> int | None:
    """Count one call of the token; the seconds to wait when it is over its limit (else None)."""
    rule = _rate_rule()
    who = str(token.pk)
    if throttle.exceeded(rule, who):
        return rule.window - int(time.time()) % rule.window or 1
    throttle.record(rule, who)
    return None


# ---- idempotency keys ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Replay:
    status: int
    body: Any


class KeyConflict(ServiceError):
    pass


def fingerprint(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def submission_token_for(token: ApiToken, key: str) -> uuid.UUID:
    """The payment's submission token for a key: a retry after a lost answer finds the payment."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"tsc-api:{token.pk}:{key}")


def idempotency_begin(*, token: ApiToken, key: str, fingerprint: str) -> IdempotencyKey | Replay:
    """Claim the key for this request, or the first answer given with it."""
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(token=token, key=key, fingerprint=fingerprint)
    except IntegrityError:
        pass
    with transaction.atomic():
        found = IdempotencyKey.objects.select_for_update().get(token=token, key=key)
        if found.fingerprint != fingerprint:
            raise KeyConflict("This Idempotency-Key was already used with a different request.")
        if found.status is not None:
            return Replay(found.status, found.response)
        if timezone.now() - found.created_at < IN_PROGRESS_TIMEOUT:
            raise KeyConflict("A request with this Idempotency-Key is still being answered. Try again shortly.")
        found.created_at = timezone.now()  # the request that held it died: this one takes over
        found.save(update_fields=["created_at"])
        return found


def idempotency_finish(claimed: IdempotencyKey, *, status: int, body: Any) -> None:
    IdempotencyKey.objects.filter(pk=claimed.pk).update(status=status, response=body)


def idempotency_release(claimed: IdempotencyKey) -> None:
    """The request failed without an answer: the key may be used again."""
    IdempotencyKey.objects.filter(pk=claimed.pk, status__isnull=True).delete()


def idempotency_keys_prune(*, now=None) -> int:
    """Forget the idempotency keys older than TSC_API_IDEMPOTENCY_DAYS (default 7): a client
    retries a POST within minutes, and the table would otherwise grow with every POST ever
    made. Deleted in chunks (short transactions); safe to run on several workers at once."""
    days = getattr(settings, "TSC_API_IDEMPOTENCY_DAYS", 7)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted = 0
    while True:
        chunk = list(IdempotencyKey.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:5000])
        if not chunk:
            return deleted
        deleted += IdempotencyKey.objects.filter(pk__in=chunk).delete()[0]
