from django.tasks import task
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@task()
def process_import(token: str) -> str:
    """Check and file every record of a bulk filer's import (see imports.py)."""
    from .imports import import_process

    return import_process(token).status


@db_periodic_task(crontab(minute="*/10"))
def requeue_stalled_imports() -> int:
    """Every 10 minutes: pick up imports a crashed worker left half done."""
    from .imports import imports_requeue_stalled

    return imports_requeue_stalled()


@db_periodic_task(crontab(hour="3", minute="25"))
def purge_old_imports() -> int:
    """Every night: delete imported files past their retention (TSC_UPLOAD_RETENTION_DAYS)."""
    from .imports import imports_purge

    return imports_purge()
