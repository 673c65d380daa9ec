"""The B record's fast path: one regular expression per payer that matches a B record only when
every check the reader makes on it would pass.

Reading a 100,000-payee file is mostly B records, and almost all of them are right. Checking
them field by field in Python costs more than reading them; one `fullmatch` made from the layout
table (`FIELDS["B"]`) checks them all at once in C. A record the pattern matches needs no further
check but two that a pattern cannot express cheaply (a name that is all digits, and no more tax
withheld than paid), which the reader makes itself. A record it does not match goes through the
field-by-field checks, which say what is wrong. The pattern is stricter than those checks where
that is simpler (a W-2G never takes this path), never looser: `tests/test_pub1220_fast.py` reads
the same records both ways and compares.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .pub1220_layout import FIELDS, FORM_FIELDS, PAYMENT_YEAR, RECORD_TYPE
from .records import (
    AMOUNT_CODES,
    CFSF_STATE_CODES,
    F_ACCOUNT,
    F_PAYEE_ADDRESS,
    F_PAYEE_CITY,
    F_PAYEE_NAME,
    F_PAYEE_STATE,
    F_PAYEE_TIN,
    F_PAYEE_ZIP,
    F_STATE_CODE,
    F_STATE_TAX,
    F_TIN_TYPE,
    US_STATES,
    amount_field,
)

FORM_SPECIFIC = "Form-specific fields"
_AMOUNT_CODE_OF = {amount_field(code): code for code in AMOUNT_CODES}
_TEXT_FIELDS = (F_PAYEE_NAME, F_PAYEE_ADDRESS, F_PAYEE_CITY, F_ACCOUNT)


def _text(width: int, *, required: bool) -> str:
    """Printable ASCII; once stripped, not starting with a formula character (= + - @); with a
    letter or digit somewhere in the field when required. The look-aheads stay inside the field.
    Their blanks are taken possessively ("+"): what follows the blanks is never a blank, so no other
    number of them could match, and a blank field is not tried forty times over."""
    pattern = rf"(?! {{0,{width - 1}}}+[=+\-@])"
    if required:
        pattern += rf"(?= {{0,{width - 1}}}+[!-~])"
    return pattern + rf"[ -~]{{{width}}}"


def _choice(values) -> str:
    return "(?:" + "|".join(re.escape(v) for v in sorted(values)) + ")"


def b_pattern(year_text: str | None, form: str, codes: str) -> Callable[[str], re.Match | None] | None:
    """`fullmatch` of a right B record of a payer filing `form` with amount `codes` for the year,
    or None when this payer's records always take the checks (a W-2G: its wager and date)."""
    if form not in FORM_FIELDS or form == "W-2G":
        return None
    parts: list[str] = []
    for f in FIELDS["B"]:
        name, width = f.name, f.width
        if name == RECORD_TYPE:
            parts.append(re.escape(f.value))
        elif name == PAYMENT_YEAR:
            parts.append(re.escape(year_text) if year_text else "[0-9]{4}")
        elif name == F_TIN_TYPE:
            parts.append("[12 ]")
        elif name == F_PAYEE_TIN:
            parts.append("(?!0{9})[0-9]{9}")
        elif name in _AMOUNT_CODE_OF:
            parts.append(f"[0-9]{{{width}}}" if _AMOUNT_CODE_OF[name] in codes else f"0{{{width}}}")
        elif name == F_STATE_TAX:
            parts.append(f"[0-9]{{{width}}}")
        elif name in _TEXT_FIELDS:
            parts.append(_text(width, required=name == F_PAYEE_NAME))
        elif name == F_PAYEE_STATE:
            parts.append(_choice(US_STATES))
        elif name == F_PAYEE_ZIP:
            parts.append("(?:[0-9]{9}|[0-9]{5} {4})")
        elif name == F_STATE_CODE:
            parts.append(_choice(["  ", *CFSF_STATE_CODES]))
        elif name == FORM_SPECIFIC:
            parts.extend("[1 ]" if sub.kind == "flag" else f".{{{sub.width}}}" for sub in FORM_FIELDS[form])
        else:  # fields the reader does not check
            parts.append(f".{{{width}}}")
    return re.compile("".join(parts), re.DOTALL).fullmatch


def flags_slice(form: str) -> slice:
    """Positions of the form's indicators (positions 544 onward): blank means none is set."""
    flags = [f for f in FORM_FIELDS[form] if f.kind == "flag"]
    return slice(flags[0].slice.start, flags[-1].slice.stop)


def amount_plan(codes: str) -> tuple[tuple[int, str, slice], ...]:
    """(index in AMOUNT_CODES, code, slice) of the amounts the A record lists, in file order."""
    fields = {f.name: f for f in FIELDS["B"]}
    return tuple(
        (index, code, fields[amount_field(code)].slice) for index, code in enumerate(AMOUNT_CODES) if code in codes
    )
