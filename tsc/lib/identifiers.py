"""Identifiers the Connecticut DRS uses: Tax Registration Numbers, FEINs and SSNs."""

import re

from stdnum.us import ein, ssn

# 7 or 8 digits, an optional hyphen or space, then the 3-digit location code.
_REGISTRATION_RE = re.compile(r"^\s*(\d{7,8})[\s-]?(\d{3})\s*$")


class InvalidIdentifier(ValueError):
    pass


def normalize_registration_number(value: str) -> str:
    """'1234567000', '1234567-000', '12345678 000' → '1234567-000' / '12345678-000'.

    A 10-digit run is read as 7 + 3 digits; 11 digits as 8 + 3.
    """
    match = _REGISTRATION_RE.match(value or "")
    if not match:
        raise InvalidIdentifier(
            "Enter the Tax Registration Number as 7 or 8 digits, a hyphen and 3 digits, like 1234567-000."
        )
    return f"{match.group(1)}-{match.group(2)}"


def normalize_fein(value: str) -> str:
    """'123456789' or '12-3456789' → '12-3456789'."""
    try:
        return ein.format(ein.validate(value))
    except Exception as exc:  # stdnum raises several ValidationError subclasses
        raise InvalidIdentifier("Enter the FEIN as 9 digits, like 12-3456789.") from exc


def normalize_ssn(value: str) -> str:
    """'123-45-6789' or '123456789' → '123456789' (digits only, validated)."""
    try:
        return ssn.validate(value)
    except Exception as exc:
        raise InvalidIdentifier("Enter the Social Security Number as 9 digits, like 123-45-6789.") from exc
