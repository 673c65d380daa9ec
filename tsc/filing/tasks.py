from django.tasks import task


@task()
def check_upload(token: str) -> str:
    """Check an uploaded 1099/W-2G file and file it if it is clean (see uploads.py)."""
    from .uploads import upload_process

    return upload_process(token).status
