from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/10"))
def load_visits() -> int:
    """Every 10 minutes: load the visit files of hours that have ended into the database."""
    from .services import visits_load

    return visits_load().visits


@db_periodic_task(crontab(hour="3", minute="40"))
def purge_old_visits() -> int:
    """Every night: delete visits past their retention (TSC_VISIT_RETENTION_DAYS)."""
    from .services import visits_purge

    return visits_purge()
