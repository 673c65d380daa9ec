"""Bank routing and account numbers as a taxpayer types them."""

import re

# ABA routing number check digit: 3·d1 + 7·d2 + d3 + 3·d4 + 7·d5 + d6 + 3·d7 + 7·d8 + d9 ≡ 0 (mod 10).
_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7, 1)
ACCOUNT_RE = re.compile(r"^[0-9]{4,17}$")


def routing_number_problem(value: str) -> str | None:
    """Why `value` is not a routing number, in words, or None."""
    if not (len(value) == 9 and value.isascii() and value.isdigit()):
        return "Enter the 9-digit routing number printed at the bottom left of a check."
    if sum(w * int(d) for w, d in zip(_WEIGHTS, value, strict=True)) % 10:
        return "This is not a valid routing number (its check digit does not match). Check it against a check."
    # 00–12 Federal Reserve banks, 21–32 thrifts, 61–72 electronic, 80 traveller's cheques.
    if not (0 <= int(value[:2]) <= 12 or 21 <= int(value[:2]) <= 32 or 61 <= int(value[:2]) <= 72):
        return "This is not a routing number of a U.S. bank. Check it against a check."
    return None


def account_number_problem(value: str) -> str | None:
    if not ACCOUNT_RE.match(value):
        return "Enter the account number: 4 to 17 digits, no spaces or dashes."
    if set(value) == {"0"}:
        return "Enter the account number: it cannot be all zeros."
    return None
