from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="3", minute="50"))
def prune_idempotency_keys() -> int:
    """Every night: forget API idempotency keys past TSC_API_IDEMPOTENCY_DAYS (tsc/api/services.py)."""
    from .services import idempotency_keys_prune

    return idempotency_keys_prune()
