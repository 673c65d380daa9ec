"""Every change to logins, rights and enrollment codes: validated, atomic, audited.

Audit rows name what changed, never a password, answer or code.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tsc.audit.services import audit_record
from tsc.lib.errors import ServiceError
from tsc.taxpayers.models import Business, TaxType

from . import passwords
from .models import AccessLevel, EnrollmentCode, Login, LoginStatus, TwoFactorDevice, UserRight

CONTACT_FIELDS = ("name", "title", "phone", "email", "street", "street2", "city", "state", "zip_code")


# ---- enrollment -------------------------------------------------------------------------


@transaction.atomic
def enrollment_code_issue(*, business: Business, actor: Login | None = None, code: str | None = None) -> str:
    """Issue a new one-time enrollment code; earlier unused codes stop working. Returns the
    code in clear, once, for DRS to print and mail."""
    code = passwords.normalize_enrollment_code(code) if code else passwords.generate_enrollment_code()
    now = timezone.now()
    EnrollmentCode.objects.filter(business=business, used_at__isnull=True, voided_at__isnull=True).update(voided_at=now)
    enrollment = EnrollmentCode.objects.create(business=business, code_hash=make_password(code), issued_by=actor)
    audit_record(event="enrollment_code.issued", actor=actor, target=enrollment, business=business)
    return code


@dataclass(frozen=True)
class Contact:
    name: str
    title: str
    phone: str
    email: str
    street: str
    city: str
    state: str
    zip_code: str
    street2: str = ""


@dataclass(frozen=True)
class IdentityQuestions:
    question1: str
    answer1: str
    question2: str
    answer2: str


def _apply_questions(login: Login, questions: IdentityQuestions) -> None:
    if questions.question1 == questions.question2:
        raise ServiceError("Choose two different identity questions.", field="question2")
    login.question1, login.question2 = questions.question1, questions.question2
    login.answer1_hash = passwords.hash_answer(questions.answer1)
    login.answer2_hash = passwords.hash_answer(questions.answer2)


def _check_password_rule(password: str, login: Login, field: str = "password1") -> None:
    from django.core.exceptions import ValidationError

    try:
        validate_password(password, user=login)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field=field) from exc


def _user_id_taken(business: Business, user_id: str) -> bool:
    return Login.objects.filter(business=business, user_id__iexact=user_id).exists()


def profile_create_with_enrollment(
    *,
    business: Business,
    enrollment_code: str,
    user_id: str,
    password: str,
    contact: Contact,
    questions: IdentityQuestions,
    telephone_password: str = "",
) -> Login:
    """The first profile of a business, proved by the enrollment code DRS mailed; it becomes
    the business's TSC Administrator."""
    with transaction.atomic():
        # Lock the business row so two first-time users cannot both become administrator.
        Business.objects.select_for_update().get(pk=business.pk)
        if Login.objects.filter(business=business, is_administrator=True).exists():
            raise ServiceError(
                "This business already has a TSC Administrator. Ask your TSC Administrator to add you as a user.",
                field="enrollment_code",
            )
        enrollment = _enrollment_match(business, enrollment_code)
        if enrollment is not None:
            return _administrator_create(
                business, enrollment, user_id, password, contact, questions, telephone_password
            )
    # Outside the block so the counted wrong guess is committed, not rolled back.
    raise ServiceError(
        "That enrollment code is not correct or is no longer valid. Check the letter from DRS.",
        field="enrollment_code",
    )


def _administrator_create(business, enrollment, user_id, password, contact, questions, telephone_password) -> Login:
    user_id = user_id.strip()
    if _user_id_taken(business, user_id):
        raise ServiceError("That User ID is already in use for this business. Choose another.", field="user_id")
    login = Login(business=business, user_id=user_id, is_administrator=True, user_name=contact.name)
    for field in CONTACT_FIELDS:
        setattr(login, field, getattr(contact, field))
    _check_password_rule(password, login)
    login.set_password(password)
    _apply_questions(login, questions)
    if telephone_password:
        login.telephone_password_hash = make_password(telephone_password)
    login.full_clean(exclude=["password"])
    login.save()
    EnrollmentCode.objects.filter(pk=enrollment.pk).update(used_at=timezone.now())
    audit_record(
        event="login.created",
        actor=login,
        target=login,
        business=business,
        data={"administrator": True, "via": "enrollment_code"},
    )
    return login


def _enrollment_match(business: Business, code: str) -> EnrollmentCode | None:
    candidates = [
        e
        for e in EnrollmentCode.objects.select_for_update().filter(
            business=business, used_at__isnull=True, voided_at__isnull=True
        )
        if e.usable
    ]
    normalized = passwords.normalize_enrollment_code(code)
    for enrollment in candidates:
        if check_password(normalized, enrollment.code_hash):
            return enrollment
    # A wrong guess counts against every live code of the business: guessing is capped.
    EnrollmentCode.objects.filter(pk__in=[e.pk for e in candidates]).update(failed_attempts=F("failed_attempts") + 1)
    return None


# ---- signing in ---------------------------------------------------------------------------


class SignInOutcome(StrEnum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    # Forgot password: the identity answers are right, but the new password was refused.
    ANSWERS_RIGHT = "answers_right"
    LOCKED = "locked"
    DISABLED = "disabled"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    login: Login | None = None


def _find_login(business: Business | None, user_id: str) -> Login | None:
    return Login.objects.filter(business=business, user_id__iexact=user_id.strip()).first()


def sign_in_check(*, business: Business | None, user_id: str, password: str) -> SignInResult:
    """Check a User ID and password. Consecutive failures lock the login (seed: 3); a locked
    login is refused even with the right password."""
    login = _find_login(business, user_id)
    if login is None:
        make_password(password)  # same work as a real check, so timing does not tell who exists
        return SignInResult(SignInOutcome.BAD_CREDENTIALS)
    right = login.check_password(password)
    if login.status == LoginStatus.LOCKED:
        # Only someone who knows the password learns that the login is locked; nothing is counted.
        return SignInResult(SignInOutcome.LOCKED if right else SignInOutcome.BAD_CREDENTIALS, login)
    if not right:
        # The failure that locks the login answers like any other: "locked" would tell a
        # stranger that the User ID exists. The owner learns it with the right password.
        login_record_failure(login=login)
        return SignInResult(SignInOutcome.BAD_CREDENTIALS, login)
    if login.status == LoginStatus.DISABLED:
        return SignInResult(SignInOutcome.DISABLED, login)
    # With two-factor sign-in on, the code step records the success (twofactor.twofactor_verify):
    # a right password alone must not reset the count of wrong codes.
    if not TwoFactorDevice.objects.filter(login=login, confirmed_at__isnull=False).exists():
        login_record_success(login=login)
    return SignInResult(SignInOutcome.OK, login)


@transaction.atomic
def login_record_failure(*, login: Login, reason: str = "password") -> SignInOutcome:
    """Count one failed attempt in the database (atomic across processes); lock at the limit."""
    Login.objects.filter(pk=login.pk).update(failed_logins=F("failed_logins") + 1)
    locked = Login.objects.filter(
        pk=login.pk, status=LoginStatus.ACTIVE, failed_logins__gte=settings.TSC_LOGIN_FAILURE_LIMIT
    ).update(status=LoginStatus.LOCKED)
    login.refresh_from_db(fields=["failed_logins", "status"])
    audit_record(event="login.failed", target=login, business=login.business, data={"reason": reason})
    if locked:
        audit_record(
            event="login.locked", target=login, business=login.business, data={"failed_logins": login.failed_logins}
        )
    return SignInOutcome.LOCKED if login.status == LoginStatus.LOCKED else SignInOutcome.BAD_CREDENTIALS


@transaction.atomic
def login_record_success(*, login: Login) -> None:
    Login.objects.filter(pk=login.pk).update(failed_logins=0, last_login=timezone.now())
    audit_record(event="login.signed_in", actor=login, target=login, business=login.business)


# ---- forgot password ----------------------------------------------------------------------


def _check_answers(login: Login | None, answer1: str, answer2: str) -> bool:
    """Both identity answers right? The same hashing work whether or not the login exists or has
    answers, so the time taken does not tell which User IDs exist."""
    hash1 = login.answer1_hash if login is not None and login.has_identity_questions else ""
    hash2 = login.answer2_hash if login is not None and login.has_identity_questions else ""
    right1 = passwords.check_answer(answer1, hash1 or passwords.decoy_hash())
    right2 = passwords.check_answer(answer2, hash2 or passwords.decoy_hash())
    return bool(hash1 and hash2) and right1 and right2


def password_reset_with_answers(
    *, login: Login | None, answer1: str, answer2: str, new_password: str | None
) -> SignInResult:
    """Both identity answers right → the new password is set and failures reset. The answers
    are checked first, whatever the new password: wrong answers count as failed sign-ins and lock
    the login like wrong passwords do, even when the new password is also refused. `login` None
    (no such User ID) costs the same and answers the same. `new_password` None: the form already
    refused it; only the answers are checked (outcome ANSWERS_RIGHT)."""
    right = _check_answers(login, answer1, answer2)
    if login is None or not login.has_identity_questions:
        return SignInResult(SignInOutcome.BAD_CREDENTIALS)
    if login.status == LoginStatus.LOCKED:
        # As at sign-in: only someone who knows the answers learns that the login is locked.
        return SignInResult(SignInOutcome.LOCKED if right else SignInOutcome.BAD_CREDENTIALS, login)
    if not right:
        login_record_failure(login=login, reason="identity_answers")
        return SignInResult(SignInOutcome.BAD_CREDENTIALS, login)
    if login.status == LoginStatus.DISABLED:
        return SignInResult(SignInOutcome.DISABLED, login)
    if new_password is None:
        return SignInResult(SignInOutcome.ANSWERS_RIGHT, login)
    return _password_reset(login, new_password)


@transaction.atomic
def _password_reset(login: Login, new_password: str) -> SignInResult:
    login = Login.objects.select_for_update().get(pk=login.pk)
    if login.status != LoginStatus.ACTIVE:  # locked or disabled meanwhile
        return SignInResult(SignInOutcome.LOCKED if login.status == LoginStatus.LOCKED else SignInOutcome.DISABLED)
    _check_password_rule(new_password, login)
    login.set_password(new_password)
    login.failed_logins = 0
    login.must_change_password = False
    login.save(update_fields=["password", "failed_logins", "must_change_password"])
    audit_record(
        event="login.password_reset",
        actor=login,
        target=login,
        business=login.business,
        data={"via": "identity_questions"},
    )
    return SignInResult(SignInOutcome.OK, login)


# ---- the signed-in user's own profile -------------------------------------------------------


class CurrentPasswordWrong(ServiceError):
    """The current password typed on a profile page was wrong. It counted as a failed sign-in;
    `locked` says whether it was the one that locked the login (the page then signs out)."""

    def __init__(self, *, locked: bool):
        super().__init__("Your current password is not correct.", field="current_password")
        self.locked = locked


def current_password_check(login: Login, raw: str) -> None:
    """Profile changes ask for the current password: a wrong one counts towards the lockout like
    a wrong password at sign-in (in its own transaction, so the change's rollback keeps it)."""
    if login.check_password(raw):
        return
    login_record_failure(login=login, reason="current_password")
    raise CurrentPasswordWrong(locked=login.status == LoginStatus.LOCKED)


def password_change(*, login: Login, current_password: str, new_password: str) -> None:
    current_password_check(login, current_password)
    _password_change(login, current_password, new_password)


@transaction.atomic
def _password_change(login: Login, current_password: str, new_password: str) -> None:
    if current_password == new_password:
        raise ServiceError("Choose a password different from your current one.", field="password1")
    _check_password_rule(new_password, login)
    login.set_password(new_password)
    login.must_change_password = False
    login.save(update_fields=["password", "must_change_password"])
    audit_record(event="login.password_changed", actor=login, target=login, business=login.business)


@transaction.atomic
def contact_update(*, login: Login, contact: Contact) -> None:
    changed = [f for f in CONTACT_FIELDS if getattr(login, f) != getattr(contact, f)]
    for field in changed:
        setattr(login, field, getattr(contact, field))
    login.full_clean(exclude=["password"])
    login.save(update_fields=changed or None)
    audit_record(
        event="login.contact_updated", actor=login, target=login, business=login.business, data={"fields": changed}
    )


def identity_questions_update(*, login: Login, current_password: str, questions: IdentityQuestions) -> None:
    current_password_check(login, current_password)
    with transaction.atomic():
        _identity_questions_update(login, questions)


def _identity_questions_update(login: Login, questions: IdentityQuestions) -> None:
    _apply_questions(login, questions)
    login.save(update_fields=["question1", "question2", "answer1_hash", "answer2_hash"])
    audit_record(event="login.identity_questions_changed", actor=login, target=login, business=login.business)


def telephone_password_update(*, login: Login, current_password: str, telephone_password: str) -> None:
    """Set, change or (with an empty value) remove the telephone password."""
    current_password_check(login, current_password)
    with transaction.atomic():
        _telephone_password_update(login, telephone_password)


def _telephone_password_update(login: Login, telephone_password: str) -> None:
    if telephone_password:
        try:
            passwords.validate_telephone_password(telephone_password)
        except Exception as exc:
            raise ServiceError(str(exc.messages[0]), field="telephone_password") from exc
    login.telephone_password_hash = make_password(telephone_password) if telephone_password else ""
    login.save(update_fields=["telephone_password_hash"])
    audit_record(
        event="login.telephone_password_changed",
        actor=login,
        target=login,
        business=login.business,
        data={"removed": not telephone_password},
    )


# ---- sub-users and rights (used by demo data now, by Add/Update Users later) ---------------


@transaction.atomic
def login_create(
    *,
    business: Business,
    user_id: str,
    password: str,
    user_name: str = "",
    rights: dict[TaxType, str] | None = None,
    is_administrator: bool = False,
    temporary: bool = True,
    actor: Login | None = None,
    contact: Contact | None = None,
    questions: IdentityQuestions | None = None,
) -> Login:
    user_id = user_id.strip()
    if _user_id_taken(business, user_id):
        raise ServiceError("That User ID is already in use for this business. Choose another.", field="user_id")
    login = Login(
        business=business,
        user_id=user_id,
        user_name=user_name,
        is_administrator=is_administrator,
        must_change_password=temporary,
    )
    if contact:
        for field in CONTACT_FIELDS:
            setattr(login, field, getattr(contact, field))
    if temporary:
        try:
            passwords.validate_temporary_password(password)
        except Exception as exc:
            raise ServiceError(exc.messages[0], field="password") from exc
    else:
        _check_password_rule(password, login, field="password")
    login.set_password(password)
    if questions:
        _apply_questions(login, questions)
    login.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            login.save()
    except IntegrityError as exc:
        raise ServiceError("This business already has a TSC Administrator.", field="is_administrator") from exc
    for tax_type, level in (rights or {}).items():
        UserRight.objects.create(login=login, tax_type=tax_type, level=AccessLevel(level))
    audit_record(
        event="login.created",
        actor=actor,
        target=login,
        business=business,
        data={
            "administrator": is_administrator,
            "rights": {t.code: AccessLevel(v).value for t, v in (rights or {}).items()},
        },
    )
    return login


@transaction.atomic
def login_status_set(*, login: Login, status: str, actor: Login | None = None) -> None:
    old = login.status
    login.status = LoginStatus(status)
    if login.status == LoginStatus.ACTIVE:
        login.failed_logins = 0
    login.save(update_fields=["status", "failed_logins"])
    audit_record(
        event="login.status_changed",
        actor=actor,
        target=login,
        business=login.business,
        data={"from": old, "to": login.status.value},
    )


@transaction.atomic
def first_sign_in_complete(
    *, login: Login, password: str, questions: IdentityQuestions, contact: Contact, telephone_password: str = ""
) -> None:
    """A user holding a temporary password replaces it and completes their profile."""
    if not login.must_change_password:
        raise ServiceError("Your profile is already complete.")
    if login.check_password(password):
        raise ServiceError("Choose a password different from the temporary one.", field="password1")
    _check_password_rule(password, login)
    login.set_password(password)
    _apply_questions(login, questions)
    for field in CONTACT_FIELDS:
        setattr(login, field, getattr(contact, field))
    if telephone_password:
        login.telephone_password_hash = make_password(telephone_password)
    login.must_change_password = False
    login.full_clean(exclude=["password"])
    login.save()
    audit_record(event="login.first_sign_in_completed", actor=login, target=login, business=login.business)
