"""Reads for the Add/Update Users pages, each limited to one business."""

from django.db.models import Prefetch, Q, QuerySet

from tsc.audit.models import AuditEvent
from tsc.taxpayers.models import Business, TaxType
from tsc.taxpayers.selectors import business_tax_types

from .models import AccessLevel, Login, LoginStatus, UserRight


def business_users(business: Business) -> QuerySet[Login]:
    return (
        Login.objects.filter(business=business)
        .prefetch_related(Prefetch("rights", queryset=UserRight.objects.select_related("tax_type")))
        .order_by("-is_administrator", "user_id")
    )


def user_for(ctx, login_id: int) -> Login:
    """A user of the taxpayer acted for, for its TSC Administrator: another business's user
    looks the same as no user (404); anyone else of the business gets 403."""
    from .access import load
    from .rights import Action

    login = business_users(ctx.taxpayer_id).filter(pk=login_id).first() if ctx.taxpayer_id else None
    business_id = login.business_id if login is not None else None
    return load(ctx, login, business_id=business_id, tax_type=None, actions=(Action.MANAGE_USERS,))


def user_rows(business: Business) -> tuple[list[TaxType], list[tuple[Login, list[tuple[str, str]]]]]:
    """The tax types and, per user, (tax type name, access level label) for each."""
    tax_types = list(business_tax_types(business))
    labels = dict(AccessLevel.choices)
    rows = []
    for login in business_users(business):
        levels = {r.tax_type_id: r.level for r in login.rights.all()}
        if login.is_administrator:
            cells = [(t.name, "Administrator (all rights)") for t in tax_types]
        else:
            cells = [(t.name, labels[levels.get(t.pk, AccessLevel.NO_ACCESS)]) for t in tax_types]
        rows.append((login, cells))
    return tax_types, rows


def backup_gaps(business: Business) -> list[TaxType]:
    """Tax types on which no active user other than the administrator can both file and pay:
    the seed's warning about the administrator's unexpected absence."""
    covered = set(
        UserRight.objects.filter(
            login__business=business,
            login__status=LoginStatus.ACTIVE,
            login__is_administrator=False,
            level=AccessLevel.FILE_AND_PAY,
        ).values_list("tax_type_id", flat=True)
    )
    return [t for t in business_tax_types(business) if t.pk not in covered]


EVENT_LABELS = {
    "login.created": "User added",
    "login.updated": "User changed",
    "login.unlocked": "User unlocked",
    "login.administrator_transferred": "Administrator role transferred",
    "login.status_changed": "Status changed",
    "login.signed_in": "Signed in",
    "login.failed": "Failed sign-in",
    "login.locked": "Locked after failed sign-ins",
    "login.password_changed": "Password changed",
    "login.password_reset": "Password reset with identity questions",
    "login.contact_updated": "Contact information changed",
    "login.identity_questions_changed": "Identity questions changed",
    "login.telephone_password_changed": "Telephone password changed",
    "login.first_sign_in_completed": "First sign-in completed",
    "two_factor.setup_started": "Two-factor sign-in set-up started",
    "two_factor.turned_on": "Two-factor sign-in turned on",
    "two_factor.turned_off": "Two-factor sign-in turned off",
    "two_factor.verified": "Two-factor code accepted",
    "two_factor.recovery_codes_replaced": "New two-factor recovery codes made",
    "two_factor.reset": "Two-factor sign-in reset by the TSC Administrator",
}


def user_activity(business: Business, limit: int = 100) -> list[AuditEvent]:
    """The latest events about the business's users, newest first, each with `label` (plain
    words), `details` (what changed, in words) and `target_label` (the User ID it concerns).
    Four queries whatever the count."""
    events = list(
        AuditEvent.objects.filter(business=business)
        .filter(Q(target_type=Login._meta.label) | Q(event__startswith="login."))
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )
    ids = {int(e.target_id) for e in events if e.target_type == Login._meta.label and e.target_id.isdigit()}
    user_ids = dict(Login.objects.filter(pk__in=ids).values_list("pk", "user_id"))
    tax_type_names = dict(TaxType.objects.values_list("code", "name"))
    for event in events:
        event.label = EVENT_LABELS.get(event.event, event.event)
        event.details = activity_details(event.data or {}, tax_type_names)
        event.target_label = user_ids.get(int(event.target_id), "") if event.target_id.isdigit() else ""
    return events


_STATUS_WORDS = {s.value: s.label for s in LoginStatus}
_LEVEL_WORDS = {level.value: level.label for level in AccessLevel}
_REASONS = {
    "password": "wrong password",
    "identity_answers": "wrong answers to the identity questions",
    "temporary_password": "wrong temporary password",
    "two_factor_code": "wrong two-factor code",
}
_VIA = {"enrollment_code": "with a DRS enrollment code", "identity_questions": "using the identity questions"}


def _change(words: dict[str, str], old: str, new: str) -> str:
    return f"{words.get(old, old)} to {words.get(new, new)}"


def activity_details(data: dict, tax_type_names: dict[str, str]) -> list[str]:
    """An audit event's data as sentences for the activity page: "Sales and Use Tax: File Only",
    never the stored codes."""
    words: list[str] = []
    for key, value in data.items():
        if key == "rights":
            for code, level in value.items():
                name = tax_type_names.get(code, code)
                if isinstance(level, dict):
                    words.append(f"{name}: {_change(_LEVEL_WORDS, level['from'], level['to'])}")
                else:
                    words.append(f"{name}: {_LEVEL_WORDS.get(level, level)}")
        elif key == "status":
            words.append(f"Status {_change(_STATUS_WORDS, value['from'], value['to'])}")
        elif key == "from" and "to" in data:
            words.append(f"From {_change(_STATUS_WORDS, value, data['to'])}")
        elif key == "user_name" and value:
            words.append("User Name changed")
        elif key == "temporary_password" and value:
            words.append("Temporary password set")
        elif key == "administrator" and value:
            words.append("TSC Administrator")
        elif key == "via":
            words.append(_VIA.get(value, value).capitalize())
        elif key == "reason":
            words.append(f"Reason: {_REASONS.get(value, str(value).replace('_', ' '))}")
        elif key == "failed_logins":
            words.append(f"After {value} failed sign-in{'s' if value != 1 else ''}")
        elif key == "fields":
            words.append("Changed: " + ", ".join(str(f).replace("_", " ") for f in value))
        elif key == "removed":
            words.append("Telephone password removed" if value else "Telephone password set")
    return words
