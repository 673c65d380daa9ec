from typing import Any

from django.db import models

from tsc.lib import request_context

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
