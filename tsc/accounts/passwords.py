"""The seed's password rules and how secrets other than passwords are compared."""

import re
import secrets
import string

from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password
from django.core.exceptions import ValidationError

MIN_LENGTH, MAX_LENGTH = 6, 10
PASSWORD_RULE = "6 to 10 characters, case sensitive, with at least two of these: letters, numbers, special characters."  # noqa: S105 - a rule, not a password


def character_kinds(password: str) -> set[str]:
    kinds = set()
    for ch in password:
        if ch.isalpha():
            kinds.add("letters")
        elif ch.isdigit():
            kinds.add("numbers")
        else:
            kinds.add("special characters")
    return kinds


class TscPasswordValidator:
    """'The password is case sensitive and must be between 6 and 10 characters long. The
    password must contain at least two of the following character types: letters; numbers;
    special characters.'"""

    def validate(self, password: str, user=None) -> None:
        if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
            raise ValidationError(
                f"Your password must be {MIN_LENGTH} to {MAX_LENGTH} characters long.", code="password_length"
            )
        if any(ch.isspace() for ch in password):
            raise ValidationError("Your password cannot contain spaces.", code="password_space")
        if len(character_kinds(password)) < 2:
            raise ValidationError(
                "Your password must contain at least two of these: letters, numbers, special characters.",
                code="password_kinds",
            )

    def get_help_text(self) -> str:
        return PASSWORD_RULE


def validate_temporary_password(password: str) -> None:
    """Temporary passwords set by an administrator: 6–10 characters with letters and numbers."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise ValidationError(f"The temporary password must be {MIN_LENGTH} to {MAX_LENGTH} characters long.")
    if not {"letters", "numbers"} <= character_kinds(password):
        raise ValidationError("The temporary password must contain both letters and numbers.")


def generate_temporary_password(length: int = 10) -> str:
    # No look-alike characters (0/O, 1/l/I): it is read aloud or written down for the user.
    letters = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
    digits = "23456789"
    while True:
        candidate = "".join(secrets.choice(letters + digits) for _ in range(length))
        if {"letters", "numbers"} <= character_kinds(candidate):
            return candidate


def normalize_answer(answer: str) -> str:
    """Identity answers compare without regard to case or spaces: ' New  Haven' == 'newhaven'."""
    return "".join(answer.split()).casefold()


def hash_answer(answer: str) -> str:
    return make_password(normalize_answer(answer))


def check_answer(answer: str, encoded: str) -> bool:
    return bool(encoded) and check_password(normalize_answer(answer), encoded)


TELEPHONE_PASSWORD_RE = re.compile(r"^\d{4,8}$")


def validate_telephone_password(value: str) -> None:
    if not TELEPHONE_PASSWORD_RE.match(value):
        raise ValidationError("The telephone password must be 4 to 8 digits.")


ENROLLMENT_ALPHABET = "".join(c for c in string.ascii_uppercase + string.digits if c not in "01OIL")


def generate_enrollment_code() -> str:
    raw = "".join(secrets.choice(ENROLLMENT_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_enrollment_code(value: str) -> str:
    raw = "".join(ch for ch in value.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


_DECOYS: dict[str, str] = {}


def decoy_hash() -> str:
    """A hash in the current hasher to check against when there is nothing real to check, so a
    missing login costs as much as a real one."""
    from django.contrib.auth.hashers import get_hasher

    algorithm = get_hasher().algorithm
    if algorithm not in _DECOYS:
        _DECOYS[algorithm] = make_password(secrets.token_urlsafe(16))
    return _DECOYS[algorithm]


class TscArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's Password Storage Cheat Sheet parameters (m = 19 MiB, t = 2, p = 1;
    docs/adr/0010-argon2-parameters.md). Django's defaults (100 MiB, t = 2, p = 8) cost about 200 ms
    of CPU per sign-in on this hardware and let a handful of concurrent sign-ins queue for
    seconds. A hash made with other parameters is re-made at the login's next sign-in (Django's
    `must_update`)."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
