from django.tasks import task
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@task()
def check_upload(token: str) -> str:
    """Check an uploaded 1099/W-2G file and file it if it is clean (see uploads.py)."""
    from .uploads import upload_process

    return upload_process(token).status


@db_periodic_task(crontab(minute="*/10"))
def requeue_stalled_uploads() -> int:
    """Every 10 minutes: pick up uploads a crashed worker left half done."""
    from .uploads import uploads_requeue_stalled

    return uploads_requeue_stalled()


@db_periodic_task(crontab(hour="3", minute="15"))
def purge_old_uploads() -> int:
    """Every night: delete uploaded files past their retention (TSC_UPLOAD_RETENTION_DAYS)."""
    from .uploads import uploads_purge

    return uploads_purge()
