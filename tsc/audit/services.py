import functools
import json
from typing import Any

from django.db import models
from django.utils import timezone

from tsc.lib import request_context
from tsc.lib.bulk_insert import insert_rows

from .models import AuditEvent


def audit_record(
    *,
    event: str,
    actor: models.Model | None = None,
    target: models.Model | None = None,
    business: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row. Call inside the service's transaction so the row and the change
    commit (or roll back) together."""
    return AuditEvent.objects.create(
        event=event,
        actor=actor if actor is not None and actor.pk else None,
        business=business,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        ip=request_context.current().ip,
        data=(data or {}) | ({"acting": acting} if (acting := request_context.current().acting) else {}),
    )


def audit_record_many(
    *,
    event: str,
    actor: models.Model | None,
    target_type: str,
    rows: list[tuple[Any, int | None, dict[str, Any], dict | None]],
) -> None:
    """Write many audit rows of one event at once (a batch of filings): each row is (target pk,
    business id, data, acting), and says what `audit_record` would have said for it, with its own
    "acting" (a batch may act for many clients). Call inside the service's transaction."""
    audit_rows_insert(
        event=event,
        actor=actor,
        target_type=target_type,
        rows=[
            (pk, business_id, json.dumps(data | ({"acting": acting} if acting else {})))
            for pk, business_id, data, acting in rows
        ],
    )


def audit_rows_insert(*, event: str, actor: models.Model | None, target_type: str, rows: list[tuple]) -> None:
    """`audit_record_many` for rows whose data is already JSON text: (target pk, business id, data
    as JSON text of an object). Call inside the service's transaction."""
    if not rows:
        return
    now, ip = timezone.now(), request_context.current().ip
    actor_id = actor.pk if actor is not None and actor.pk else None
    insert_rows(
        AuditEvent,
        ("at", "actor_id", "business_id", "event", "target_type", "target_id", "ip", "data"),
        [(now, actor_id, business_id, event, target_type, str(pk), ip, data) for pk, business_id, data in rows],
    )


@functools.lru_cache(maxsize=1024)
def json_string(text: str) -> str:
    """A string as JSON text (as json.dumps writes it), for the few names a batch repeats."""
    return json.dumps(text)


def acting_json(acting: dict | None) -> str:
    """', "acting": {…}' to end an audit row's data JSON with, as `audit_record` adds it; "" for none."""
    return f', "acting": {json.dumps(acting)}' if acting else ""
