"""Contact us: messages kept for staff; identifiers the policy asks visitors not to send are taken
out before anything is stored and the message is flagged; replies never carry account details
("DRS will not respond by e-mail to specific account inquiries")."""

import re

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from tsc.audit.services import audit_record
from tsc.lib.errors import ServiceError

from .models import ContactMessage

# What the policy asks visitors not to send: SSN, FEIN, Connecticut Tax Registration Number.
PATTERNS = [
    ("an SSN", re.compile(r"(?<![\d-])\d{3}-?\d{2}-?\d{4}(?![\d-])")),
    ("a FEIN", re.compile(r"(?<![\d-])\d{2}-\d{7}(?![\d-])")),
    ("a registration number", re.compile(r"(?<![\d-])\d{7}-\d{3}(?![\d-])")),
]
REMOVED = "[number removed]"
ACCOUNT_REPLY = (
    "A reply must not carry account details (registration number, SSN, FEIN, amounts of a taxpayer's "
    "account): DRS does not answer account inquiries by e-mail. Ask the sender to call or write."
)
MONEY = re.compile(r"\$\s?\d")


def redact(text: str) -> tuple[str, list[str]]:
    """The text with those numbers replaced, and which kinds were found (registration numbers
    first: an SSN pattern would also match parts of longer numbers)."""
    found: list[str] = []
    for kind, pattern in reversed(PATTERNS):
        text, count = pattern.subn(REMOVED, text)
        if count:
            found.append(kind)
    return text, sorted(found)


def message_receive(*, name: str, email: str, subject: str, message: str) -> ContactMessage:
    subject, subject_flags = redact(subject.strip())
    message, message_flags = redact(message.strip())
    flags = sorted(set(subject_flags) | set(message_flags))
    with transaction.atomic():
        received = ContactMessage.objects.create(
            name=name.strip(), email=email.strip().lower(), subject=subject, message=message, flags=flags
        )
        audit_record(event="contact.received", target=received, data={"flagged": flags})
    return received


def message_answer(*, message: ContactMessage, reply: str, actor) -> ContactMessage:
    reply = reply.strip()
    if not reply:
        raise ServiceError("Write the reply.", field="reply")
    if redact(reply)[1] or MONEY.search(reply):
        raise ServiceError(ACCOUNT_REPLY, field="reply")
    with transaction.atomic():
        message = ContactMessage.objects.select_for_update().get(pk=message.pk)
        if message.answered_at is not None:
            raise ServiceError("This message was already answered.")
        message.reply, message.answered_at, message.answered_by = reply, timezone.now(), actor
        message.save(update_fields=["reply", "answered_at", "answered_by"])
        audit_record(event="contact.answered", actor=actor, target=message)
        transaction.on_commit(
            lambda: send_mail(
                f"Re: {message.subject}",
                f"{reply}\n\nConnecticut Department of Revenue Services. For questions about a tax account, call "
                "DRS or write to us: we do not answer account inquiries by e-mail.",
                None,
                [message.email],
            )
        )
    return message
