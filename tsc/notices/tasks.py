from django.tasks import task


@task()
def email_announcement(announcement_id: int) -> int:
    """Send a newly published announcement to the confirmed subscribers (once)."""
    from .services import announcement_email

    return announcement_email(announcement_id)
