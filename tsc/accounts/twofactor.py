"""Two-factor sign-in: an authenticator app (TOTP, RFC 6238) after the password.

Any login may turn it on; a business's TSC Administrator may require it of all the business's
users; DRS staff always use it for the back office. The secret is encrypted at rest
(`TwoFactorDevice.secret`, tsc/lib/pii.py); ten one-time recovery codes, kept only as hashes,
replace a lost device. A code is accepted once: the device remembers the time step of the last
accepted code and accepts only later ones. A wrong code at sign-in counts towards the lockout
exactly like a wrong password, and the password alone no longer resets that count when
two-factor is on (the code step does), so the two steps cannot be alternated to guess codes.

Every change writes an audit row; none names a secret or a code.
"""

import secrets
from dataclasses import dataclass
from enum import StrEnum

import pyotp
import segno
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from tsc.audit.services import audit_record
from tsc.taxpayers.models import Business

from .models import Login, LoginStatus, TwoFactorDevice, TwoFactorRecoveryCode, TwoFactorRequirement
from .services import ServiceError, SignInOutcome, current_password_check, login_record_failure, login_record_success
from .user_services import _lock_business_as_administrator

ISSUER = "CT DRS Taxpayer Service Center"
INTERVAL = 30  # seconds per code (RFC 6238's default, what every authenticator app uses)
DRIFT = 1  # steps either side of now accepted, for a phone clock a little off
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: copied by hand

WRONG_CODE = "That code is not right, or it was already used. Wait for the next code and try again."
WRONG_SETUP_CODE = (
    "That code is not right. Check that the time on your phone is correct, wait for the next code and try again."
)


# ---- reads --------------------------------------------------------------------------------


def device_for(login: Login) -> TwoFactorDevice | None:
    """The login's device, confirmed or still being set up."""
    return TwoFactorDevice.objects.filter(login=login).first()


def enabled_for(login: Login) -> bool:
    return TwoFactorDevice.objects.filter(login=login, confirmed_at__isnull=False).exists()


def required_for(login: Login) -> bool:
    """DRS staff always; a business's users when its TSC Administrator requires it."""
    if login.business_id is None:
        return login.is_staff
    return TwoFactorRequirement.objects.filter(business_id=login.business_id, required=True).exists()


def required_for_business(business: Business) -> bool:
    return TwoFactorRequirement.objects.filter(business=business, required=True).exists()


def recovery_codes_left(login: Login) -> int:
    return TwoFactorRecoveryCode.objects.filter(
        device__login=login, device__confirmed_at__isnull=False, used_at__isnull=True
    ).count()


@dataclass(frozen=True)
class UserTwoFactor:
    login: Login
    enabled: bool


def business_users_two_factor(business: Business) -> list[UserTwoFactor]:
    """Each user of the business and whether two-factor sign-in is on, for its administrator."""
    enabled = set(
        TwoFactorDevice.objects.filter(login__business=business, confirmed_at__isnull=False).values_list(
            "login_id", flat=True
        )
    )
    logins = Login.objects.filter(business=business).order_by("-is_administrator", "user_id")
    return [UserTwoFactor(login, login.pk in enabled) for login in logins]


class SecondStep(StrEnum):
    CODE = "code"  # enter a code from the authenticator app (or a recovery code)
    SETUP = "setup"  # required but not set up: set it up before anything else


def second_step_for(login: Login) -> SecondStep | None:
    """What a right password leads to: the code step, the set-up step, or (None) signed in."""
    if enabled_for(login):
        return SecondStep.CODE
    if required_for(login):
        return SecondStep.SETUP
    return None


# ---- codes --------------------------------------------------------------------------------


def current_step(now=None) -> int:
    return int((now or timezone.now()).timestamp()) // INTERVAL


def code_at(secret: str, step: int) -> str:
    """The 6-digit code an authenticator app shows during time step `step`."""
    return pyotp.TOTP(secret, interval=INTERVAL).generate_otp(step)


def _only_digits(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace())


def _matching_step(device: TwoFactorDevice, code: str) -> int | None:
    """The time step (now, or one either side) whose code is `code` and that is later than the
    last accepted one; None if there is none. Every candidate is compared in constant time."""
    code = _only_digits(code)
    if not (len(code) == 6 and code.isdigit()):
        return None
    now = current_step()
    found = None
    for step in range(now - DRIFT, now + DRIFT + 1):
        if secrets.compare_digest(code_at(device.secret, step), code) and step > device.last_step and found is None:
            found = step
    return found


def _normalize_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _looks_like_recovery_code(code: str) -> bool:
    return len(_normalize_recovery_code(code)) == 10


def _new_recovery_codes(device: TwoFactorDevice) -> list[str]:
    """Replace the device's recovery codes with ten new ones; returns them in clear, once."""
    device.recovery_codes.all().delete()
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        TwoFactorRecoveryCode.objects.create(device=device, code_hash=make_password(raw))
    return codes


def _use_recovery_code(device: TwoFactorDevice, code: str) -> bool:
    normalized = _normalize_recovery_code(code)
    for stored in device.recovery_codes.filter(used_at__isnull=True):
        if check_password(normalized, stored.code_hash):
            TwoFactorRecoveryCode.objects.filter(pk=stored.pk).update(used_at=timezone.now())
            return True
    return False


@dataclass(frozen=True)
class Provisioning:
    """What the set-up page shows: the QR code (inline SVG) and the secret for typing in."""

    uri: str
    qr_svg: SafeString
    secret: str  # grouped in fours, as authenticator apps accept it


def provisioning(device: TwoFactorDevice) -> Provisioning:
    login = device.login
    account = login.user_id if login.business_id is None else f"{login.business.registration_number} {login.user_id}"
    uri = pyotp.TOTP(device.secret, interval=INTERVAL).provisioning_uri(name=account, issuer_name=ISSUER)
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff", svgclass="tsc-qr", lineclass=None)
    # A picture for assistive technology; the same secret is written out below it.
    svg = svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1)
    secret = " ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4))
    return Provisioning(uri, mark_safe(svg), secret)  # noqa: S308 - segno's own markup, no user input


# ---- setting it up --------------------------------------------------------------------------


@transaction.atomic
def twofactor_setup_start(*, login: Login) -> TwoFactorDevice:
    """A new secret for the login's authenticator app, not in use until confirmed. An earlier
    set-up that was never confirmed is replaced (its QR code may have been seen)."""
    Login.objects.select_for_update().get(pk=login.pk)  # one set-up at a time per login
    existing = TwoFactorDevice.objects.filter(login=login).first()
    if existing is not None and existing.confirmed:
        raise ServiceError("Two-factor sign-in is already on.")
    if existing is not None:
        existing.delete()
    device = TwoFactorDevice(login=login, secret=pyotp.random_base32())
    device.full_clean()
    device.save()
    audit_record(event="two_factor.setup_started", actor=login, target=login, business=login.business)
    return device


@transaction.atomic
def twofactor_confirm(*, login: Login, code: str) -> list[str]:
    """A first right code turns two-factor sign-in on. Returns the ten recovery codes in clear,
    to be shown once."""
    device = TwoFactorDevice.objects.select_for_update().filter(login=login, confirmed_at__isnull=True).first()
    if device is None:
        raise ServiceError("Start setting up two-factor sign-in again.", field="code")
    step = _matching_step(device, code)
    if step is None:
        # Not counted towards the lockout: the person typing proves only their own new device.
        raise ServiceError(WRONG_SETUP_CODE, field="code")
    device.confirmed_at = timezone.now()
    device.last_step = step
    device.save(update_fields=["confirmed_at", "last_step"])
    codes = _new_recovery_codes(device)
    audit_record(event="two_factor.turned_on", actor=login, target=login, business=login.business)
    return codes


# ---- signing in -----------------------------------------------------------------------------


class CodeOutcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    DISABLED = "disabled"


@dataclass(frozen=True)
class CodeResult:
    outcome: CodeOutcome
    used_recovery_code: bool = False
    recovery_codes_left: int | None = None


def twofactor_verify(*, login: Login, code: str) -> CodeResult:
    """The code step of signing in: a code from the authenticator app (each accepted once) or
    an unused recovery code. A wrong code counts as a failed sign-in (the third in a row locks
    the login); a right one resets the count and records the sign-in."""
    with transaction.atomic():
        fresh = Login.objects.select_for_update().get(pk=login.pk)
        if fresh.status != LoginStatus.ACTIVE:
            outcome = CodeOutcome.LOCKED if fresh.status == LoginStatus.LOCKED else CodeOutcome.DISABLED
            return CodeResult(outcome)
        device = TwoFactorDevice.objects.filter(login=login, confirmed_at__isnull=False).first()
        step = _matching_step(device, code) if device is not None else None
        recovery = False
        if step is not None:
            TwoFactorDevice.objects.filter(pk=device.pk).update(last_step=step)
        elif device is not None and _looks_like_recovery_code(code):
            recovery = _use_recovery_code(device, code)
        if step is not None or recovery:
            left = recovery_codes_left(login) if recovery else None
            audit_record(
                event="two_factor.verified",
                actor=login,
                target=login,
                business=login.business,
                data={"with": "recovery_code", "recovery_codes_left": left} if recovery else {"with": "app"},
            )
            login_record_success(login=login)
            return CodeResult(CodeOutcome.OK, used_recovery_code=recovery, recovery_codes_left=left)
    # Outside the block, like a wrong password: the count must survive whatever happens next.
    counted = login_record_failure(login=login, reason="two_factor_code")
    return CodeResult(CodeOutcome.LOCKED if counted == SignInOutcome.LOCKED else CodeOutcome.WRONG)


# ---- the login's own changes ----------------------------------------------------------------


def _refuse_if_required(login: Login) -> None:
    if login.business_id is None and login.is_staff:
        raise ServiceError("DRS staff always use two-factor sign-in for the back office.")
    if required_for(login):
        raise ServiceError(
            "Your business's TSC Administrator requires two-factor sign-in for all users, so it cannot be turned off."
        )


def twofactor_turn_off(*, login: Login, current_password: str) -> None:
    """Turn two-factor sign-in off, with the current password (a wrong one counts towards the
    lockout, see current_password_check). Refused when it is required."""
    _refuse_if_required(login)
    current_password_check(login, current_password)
    with transaction.atomic():
        deleted, _ = TwoFactorDevice.objects.filter(login=login).delete()
        if not deleted:
            raise ServiceError("Two-factor sign-in is not on.")
        audit_record(event="two_factor.turned_off", actor=login, target=login, business=login.business)


def recovery_codes_replace(*, login: Login, current_password: str) -> list[str]:
    """Ten new recovery codes (the old ones stop working), with the current password."""
    current_password_check(login, current_password)
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(login=login, confirmed_at__isnull=False).first()
        if device is None:
            raise ServiceError("Two-factor sign-in is not on.")
        codes = _new_recovery_codes(device)
        audit_record(event="two_factor.recovery_codes_replaced", actor=login, target=login, business=login.business)
        return codes


# ---- the TSC Administrator's changes --------------------------------------------------------


@transaction.atomic
def twofactor_requirement_set(*, actor: Login, required: bool) -> None:
    """Require (or stop requiring) two-factor sign-in of every user of the actor's business.
    Users without it are sent to set it up right after their next password."""
    business = _lock_business_as_administrator(actor)
    requirement, _ = TwoFactorRequirement.objects.get_or_create(business=business)
    if requirement.required == required:
        return
    requirement.required = required
    requirement.changed_by = actor
    requirement.full_clean()
    requirement.save()
    audit_record(
        event="two_factor.requirement_changed",
        actor=actor,
        target=requirement,
        business=business,
        data={"required": required},
    )


@transaction.atomic
def twofactor_reset(*, actor: Login, login_id: int) -> Login:
    """A user lost the device and the recovery codes: the administrator turns two-factor sign-in
    off for them (if the business requires it, they set it up again at their next sign-in)."""
    business = _lock_business_as_administrator(actor)
    login = Login.objects.filter(pk=login_id, business=business).first()
    if login is None:
        raise ServiceError("That user does not exist in this business.")
    if login.pk == actor.pk:
        raise ServiceError("To change your own two-factor sign-in, use Update Password/Profile.")
    deleted, _ = TwoFactorDevice.objects.filter(login=login).delete()
    if not deleted:
        raise ServiceError(f"Two-factor sign-in is not on for {login.user_id}.")
    audit_record(event="two_factor.reset", actor=actor, target=login, business=business)
    return login
