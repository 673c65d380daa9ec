"""Publishing announcements and the e-mail subscription (explicit opt-in, one-click unsubscribe)."""

import logging
import secrets
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tsc.audit.services import audit_record
from tsc.lib.errors import ServiceError

from .models import Announcement, Subscriber

log = logging.getLogger(__name__)


def current(on: date | None = None):
    on = on or timezone.localdate()
    return Announcement.objects.filter(starts_on__lte=on, ends_on__gte=on, withdrawn_at__isnull=True).order_by(
        "-starts_on"
    )


def announcement_publish(*, actor, title: str, body: str, starts_on: date, ends_on: date) -> Announcement:
    title, body = title.strip(), body.strip()
    if not title:
        raise ServiceError("Give the announcement a title.", field="title")
    if not body:
        raise ServiceError("Write the announcement.", field="body")
    if ends_on < starts_on:
        raise ServiceError("The last day must be on or after the first day.", field="ends_on")
    with transaction.atomic():
        announcement = Announcement.objects.create(
            title=title, body=body, starts_on=starts_on, ends_on=ends_on, created_by=actor
        )
        audit_record(
            event="announcement.published",
            actor=actor,
            target=announcement,
            data={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
        )
        from .tasks import email_announcement

        transaction.on_commit(lambda: email_announcement.enqueue(announcement.pk))
    return announcement


@transaction.atomic
def announcement_withdraw(*, actor, announcement: Announcement) -> Announcement:
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if announcement.withdrawn_at is None:
        announcement.withdrawn_at = timezone.now()
        announcement.save(update_fields=["withdrawn_at"])
        audit_record(event="announcement.withdrawn", actor=actor, target=announcement)
    return announcement


def _link(name: str, token: str) -> str:
    return settings.TSC_SITE_URL.rstrip("/") + reverse(name, args=[token])


def subscribe(email: str) -> None:
    """Ask to receive announcements: a confirmation e-mail goes to the address (nothing more is
    sent until it is confirmed). The same answer whether or not the address was already listed."""
    email = email.strip().lower()
    subscriber = Subscriber.objects.filter(email=email).first()
    if subscriber is None:
        try:
            subscriber = Subscriber.objects.create(email=email, token=secrets.token_urlsafe(32))
        except IntegrityError:
            subscriber = Subscriber.objects.get(email=email)
    if subscriber.confirmed_at is None:
        send_mail(
            "Confirm: DRS Taxpayer Service Center announcements",
            "Someone (we hope you) asked to receive announcements from the Connecticut Department of Revenue "
            "Services Taxpayer Service Center at this address.\n\nTo confirm, open:\n"
            f"{_link('notices:confirm', subscriber.token)}\n\n"
            "If it was not you, ignore this message: nothing more will be sent.",
            None,
            [email],
        )


def confirm(token: str) -> bool:
    updated = Subscriber.objects.filter(token=token, confirmed_at__isnull=True).update(confirmed_at=timezone.now())
    return updated > 0 or Subscriber.objects.filter(token=token).exists()


def unsubscribe(token: str) -> bool:
    deleted, _ = Subscriber.objects.filter(token=token).delete()
    return deleted > 0


def announcement_email(announcement_id: int) -> int:
    """E-mail a published announcement to every confirmed subscriber, once."""
    with transaction.atomic():
        announcement = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
        if announcement is None or announcement.emailed_at is not None or announcement.withdrawn_at is not None:
            return 0
        announcement.emailed_at = timezone.now()
        announcement.save(update_fields=["emailed_at"])
    sent = 0
    for subscriber in Subscriber.objects.filter(confirmed_at__isnull=False).iterator():
        send_mail(
            f"DRS announcement: {announcement.title}",
            f"{announcement.body}\n\nShown on the Taxpayer Service Center from {announcement.starts_on:%m/%d/%Y} to "
            f"{announcement.ends_on:%m/%d/%Y}.\n\nStop these e-mails (one click): "
            f"{_link('notices:unsubscribe', subscriber.token)}",
            None,
            [subscriber.email],
        )
        sent += 1
    log.info("announcement %s e-mailed to %d subscriber(s)", announcement.pk, sent)
    return sent
