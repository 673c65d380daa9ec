"""U.S. telephone numbers as people type them, kept in one form: 860-297-5962 (x123)."""

import re

_DIGITS = re.compile(r"\d")
# An optional extension at the end: "x123", "ext. 123", "extension 123".
_EXTENSION = re.compile(r"\s*(?:x|ext\.?|extension)\s*(\d{1,6})\s*$", re.IGNORECASE)
_ALLOWED = re.compile(r"^[\d\s().+-]*$")

INVALID = "Enter a 10-digit phone number with area code, like 860-297-5962 (an extension may follow, like x123)."


def normalize_phone(text: str) -> str:
    """'(860) 297-5962', '860.297.5962'... → '860-297-5962'; '+1 860 297 5962 x12' → '860-297-5962 x12'.
    Raises ValueError with a plain message for anything else."""
    text = (text or "").strip()
    extension = ""
    if match := _EXTENSION.search(text):
        extension = f" x{match.group(1)}"
        text = text[: match.start()]
    if not _ALLOWED.match(text.replace(".", "")):
        raise ValueError(INVALID)
    digits = "".join(_DIGITS.findall(text))
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    # North American numbers: area code and exchange do not start with 0 or 1.
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        raise ValueError(INVALID)
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}{extension}"
