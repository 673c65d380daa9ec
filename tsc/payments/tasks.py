from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/15"))
def send_todays_payment_batch() -> str:
    """Every 15 minutes: once the batch hour has come on a banking day, send that day's batch.
    Idempotent per date, so every run after the first (on any worker, any host) finds it done."""
    from django.conf import settings
    from django.utils import timezone

    from tsc.lib.business_days import is_banking_day

    from .batch import payment_batch_send

    now = timezone.localtime()
    if not is_banking_day(now.date()) or now.hour < settings.TSC_BATCH_HOUR:
        return "not yet"
    batch = payment_batch_send(day=now.date())
    return f"{batch.send_date.isoformat()}: {batch.entry_count}"
