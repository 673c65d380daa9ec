"""Add/Update Users: what the TSC Administrator does to the other logins of the business.

Every function takes the acting administrator and re-checks, inside its transaction, that the
actor still is the administrator of that business: a form opened before a transfer cannot act
after it. Audit rows record what changed, never a password.
"""

from django.db import transaction
from django.db.models import F

from tsc.audit.services import audit_record
from tsc.taxpayers.models import Business, TaxType
from tsc.taxpayers.selectors import business_tax_types

from . import passwords
from .models import AccessLevel, Login, LoginStatus, UserRight
from .services import ServiceError, login_create

STALE = (
    "This user was changed (by you in another window, or by a transfer of the administrator role) "
    "after you opened this page. Review the current values below and make your change again."
)


def _lock_business_as_administrator(actor: Login) -> Business:
    """Lock the business row (serialises every user change of the business) and make sure the
    actor is, right now, its active TSC Administrator."""
    business = Business.objects.select_for_update().get(pk=actor.business_id)
    fresh = Login.objects.filter(
        pk=actor.pk, business=business, is_administrator=True, status=LoginStatus.ACTIVE
    ).exists()
    if not fresh:
        raise ServiceError("Only the TSC Administrator of this business can change its users.")
    return business


def _check_rights_cover_tax_types(business: Business, rights: dict[TaxType, str]) -> None:
    missing = [t.name for t in business_tax_types(business) if t not in rights or not rights[t]]
    if missing:
        raise ServiceError(f"Select the user's rights for every tax type: {', '.join(missing)}.", field="rights")


def _check_temporary_password(password: str, field: str = "temporary_password") -> None:
    try:
        passwords.validate_temporary_password(password)
    except Exception as exc:
        raise ServiceError(exc.messages[0], field=field) from exc


@transaction.atomic
def user_add(
    *, actor: Login, user_id: str, user_name: str, temporary_password: str, rights: dict[TaxType, str]
) -> Login:
    business = _lock_business_as_administrator(actor)
    _check_rights_cover_tax_types(business, rights)
    _check_temporary_password(temporary_password)
    return login_create(
        business=business,
        user_id=user_id,
        user_name=user_name,
        password=temporary_password,
        rights=rights,
        temporary=True,
        actor=actor,
    )


def _get_user_for_change(actor: Login, business: Business, login_id: int, expected_version: int) -> Login:
    login = Login.objects.select_for_update().filter(pk=login_id, business=business).first()
    if login is None:
        raise ServiceError("That user does not exist in this business.")
    if login.version != expected_version:
        raise ServiceError(STALE, field="version")
    return login


@transaction.atomic
def user_update(
    *,
    actor: Login,
    login_id: int,
    expected_version: int,
    user_name: str,
    status: str,
    rights: dict[TaxType, str],
    temporary_password: str = "",
    make_administrator: bool = False,
) -> Login:
    """Edit User / Unlock User: name, status (active ↔ disabled, locked → active), rights,
    optionally a temporary password the user must replace at the next sign-in, and optionally
    the administrator role — all or nothing."""
    business = _lock_business_as_administrator(actor)
    login = _get_user_for_change(actor, business, login_id, expected_version)
    status = LoginStatus(status)
    changes: dict = {}
    if login.pk == actor.pk and status != LoginStatus.ACTIVE:
        raise ServiceError(
            "You cannot disable your own login while you are the TSC Administrator. "
            "Make another user the Administrator first.",
            field="status",
        )
    if status == LoginStatus.LOCKED and login.status != LoginStatus.LOCKED:
        raise ServiceError("A login is locked only by failed sign-ins. Choose Active or Disabled.", field="status")
    if status != login.status:
        changes["status"] = {"from": login.status, "to": status.value}
        login.status = status
        if status == LoginStatus.ACTIVE:
            login.failed_logins = 0
    if user_name != login.user_name:
        changes["user_name"] = True
        login.user_name = user_name
    if temporary_password:
        _check_temporary_password(temporary_password)
        login.set_password(temporary_password)
        login.must_change_password = True
        changes["temporary_password"] = True
    if not login.is_administrator:
        _check_rights_cover_tax_types(business, rights)
        changes.update(_set_rights(login, rights))
    login.version = F("version") + 1
    login.save()
    login.refresh_from_db()
    event = "login.unlocked" if changes.get("status", {}).get("from") == LoginStatus.LOCKED else "login.updated"
    audit_record(event=event, actor=actor, target=login, business=business, data=changes)
    if make_administrator and not login.is_administrator:
        login = administrator_transfer(actor=actor, login_id=login.pk, expected_version=login.version)
    return login


def _set_rights(login: Login, rights: dict[TaxType, str]) -> dict:
    current = {r.tax_type_id: r for r in login.rights.all()}
    changed = {}
    for tax_type, level in rights.items():
        level = AccessLevel(level)
        right = current.get(tax_type.pk)
        if right is None:
            UserRight.objects.create(login=login, tax_type=tax_type, level=level)
            changed[tax_type.code] = {"from": AccessLevel.NO_ACCESS.value, "to": level.value}
        elif right.level != level:
            changed[tax_type.code] = {"from": right.level, "to": level.value}
            right.level = level
            right.save(update_fields=["level"])
    return {"rights": changed} if changed else {}


@transaction.atomic
def administrator_transfer(*, actor: Login, login_id: int, expected_version: int) -> Login:
    """Make another user the TSC Administrator. The actor stops being one in the same
    transaction; the business row lock and the one-administrator index keep exactly one."""
    business = _lock_business_as_administrator(actor)
    new_admin = _get_user_for_change(actor, business, login_id, expected_version)
    if new_admin.pk == actor.pk:
        raise ServiceError("You are already the TSC Administrator.")
    if new_admin.status != LoginStatus.ACTIVE:
        raise ServiceError(
            "Only an active user can become the TSC Administrator. Unlock or activate the user first.",
            field="is_administrator",
        )
    # The former administrator keeps File and Pay on every tax type (what the role gave them)
    # and loses the administrator's pages.
    Login.objects.filter(pk=actor.pk).update(is_administrator=False, version=F("version") + 1)
    _set_rights(Login.objects.get(pk=actor.pk), dict.fromkeys(business_tax_types(business), AccessLevel.FILE_AND_PAY))
    Login.objects.filter(pk=new_admin.pk).update(is_administrator=True, version=F("version") + 1)
    new_admin.refresh_from_db()
    audit_record(
        event="login.administrator_transferred",
        actor=actor,
        target=new_admin,
        business=business,
        data={"from": actor.user_id, "to": new_admin.user_id},
    )
    return new_admin
