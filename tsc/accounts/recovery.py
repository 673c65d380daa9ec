"""Administrator recovery: the way back in for a locked-out TSC Administrator.

The seed makes the TSC Administrator the only one who unlocks a business's logins, so nobody
can unlock the administrator: three wrong passwords typed by anyone who knows the registration
number and the User ID would lock the business out for good. DRS staff issue an administrator
recovery code (`recovery_code_issue`, shown once, mailed to the business's address on file,
expiring); with it and the identity answers the administrator sets a new password
(`administrator_recover`), which also unlocks the login and, for a lost authenticator, turns
two-factor sign-in off.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tsc.audit.services import audit_record
from tsc.taxpayers.models import Business

from . import passwords
from .models import AdministratorRecoveryCode, Login, LoginStatus, TwoFactorDevice
from .services import ServiceError, _check_password_rule

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: it is typed from a letter
WRONG_CODE = "That User ID and recovery code do not match a recovery code DRS issued, or the code is no longer valid."


def _normalize(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _valid_days() -> int:
    return int(getattr(settings, "TSC_RECOVERY_CODE_DAYS", 30))


@transaction.atomic
def recovery_code_issue(*, business: Business, actor: Login) -> str:
    """A new recovery code for the business's TSC Administrator; earlier unused codes stop
    working. Returns the code in clear, once, for staff to mail."""
    administrator = Login.objects.filter(business=business, is_administrator=True).first()
    if administrator is None:
        raise ServiceError(
            f"{business.registration_number} has no TSC Administrator yet: issue an enrollment code instead."
        )
    code = "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
    now = timezone.now()
    AdministratorRecoveryCode.objects.filter(login=administrator, used_at__isnull=True, voided_at__isnull=True).update(
        voided_at=now
    )
    issued = AdministratorRecoveryCode.objects.create(
        login=administrator,
        code_hash=make_password(code),
        issued_by=actor,
        expires_at=now + timedelta(days=_valid_days()),
    )
    audit_record(
        event="recovery_code.issued",
        actor=actor,
        target=administrator,
        business=business,
        data={"expires": issued.expires_at.date().isoformat()},
    )
    return code


@dataclass(frozen=True)
class Recovery:
    """A recovery code matched to its administrator: the second step asks the identity answers."""

    code_id: int
    login: Login


def recovery_code_check(*, business: Business, user_id: str, code: str) -> Recovery | None:
    """The administrator's usable code, if `code` is it. A wrong code counts against every usable
    code of the business's administrator (5 wrong and it must be issued again). The same work
    and answer whether or not the User ID exists."""
    now = timezone.now()
    login = Login.objects.filter(business=business, user_id__iexact=user_id.strip(), is_administrator=True).first()
    issued = (
        AdministratorRecoveryCode.objects.filter(login=login, used_at__isnull=True, voided_at__isnull=True)
        .order_by("-issued_at")
        .first()
        if login is not None
        else None
    )
    right = check_password(_normalize(code), issued.code_hash if issued else passwords.decoy_hash())
    if issued is None or not issued.usable(now):
        return None
    if not right:
        AdministratorRecoveryCode.objects.filter(pk=issued.pk).update(failed_attempts=F("failed_attempts") + 1)
        return None
    return Recovery(issued.pk, login)


@transaction.atomic
def administrator_recover(*, recovery: Recovery, answer1: str, answer2: str, new_password: str) -> bool:
    """Right identity answers → the administrator's new password is set, the login unlocked and
    the code used up. Wrong answers count against the code. Returns whether it worked."""
    issued = AdministratorRecoveryCode.objects.select_for_update().get(pk=recovery.code_id)
    login = Login.objects.select_for_update().get(pk=recovery.login.pk)
    if not issued.usable(timezone.now()):
        raise ServiceError(WRONG_CODE)
    right = passwords.check_answer(answer1, login.answer1_hash) & passwords.check_answer(answer2, login.answer2_hash)
    if not right:
        issued.failed_attempts += 1
        issued.save(update_fields=["failed_attempts"])
        audit_record(event="login.recovery_failed", target=login, business=login.business)
        return False
    _check_password_rule(new_password, login)
    was = login.status
    login.set_password(new_password)
    login.status = LoginStatus.ACTIVE if was == LoginStatus.LOCKED else was
    login.failed_logins = 0
    login.must_change_password = False
    login.save(update_fields=["password", "status", "failed_logins", "must_change_password"])
    issued.used_at = timezone.now()
    issued.save(update_fields=["used_at"])
    # A lost authenticator is the other way an administrator gets locked out: the code DRS
    # mailed turns two-factor sign-in off, to be set up again at the next sign-in if required.
    two_factor_reset, _ = TwoFactorDevice.objects.filter(login=login).delete()
    audit_record(
        event="login.recovered",
        actor=login,
        target=login,
        business=login.business,
        data={"was": was, "via": "administrator_recovery_code", "two_factor_reset": bool(two_factor_reset)},
    )
    return True
