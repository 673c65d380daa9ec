"""Helpers for the rows of long tables built in Python rather than in a template (issue 13).

A Django template costs about 25 µs a table row (each variable, filter and {% url %} a few µs);
the taxpayer's data pages list 50 to 150 rows, which made them 5-10 times slower than a trivial
page. Their <tbody> rows are built by each app's `tables.py` with these helpers, in the USWDS
markup the templates had; the table, its caption and headers stay in the template. Every value
that is not markup goes through `e()`.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from html import escape

from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe

from .money import cents, dollars

_MARKER = 987654321


def e(value) -> str:
    """HTML-escaped text, as the template's autoescape has it (& < > " ')."""
    return escape(str(value), quote=True)


_TWO_DIGITS = [f"{n:02d}" for n in range(32)]


def mdy(day: date | None) -> str:
    """The template's |date:"m/d/Y": 01/31/2026, or "" for no date (a third of strftime's time:
    a page has up to 200 dates)."""
    return f"{_TWO_DIGITS[day.month]}/{_TWO_DIGITS[day.day]}/{day.year}" if day else ""


def money(value) -> str:
    """-$1,234.50 (the `money` template filter)."""
    return _dollars(value if isinstance(value, Decimal) else Decimal(str(value)))


# The same amounts come back on every page (zeros most of all): a Decimal equal in value shows
# the same (1.5 and 1.50 alike), so the text is kept by value.
_dollars = lru_cache(maxsize=4096)(dollars)


def amount(value: Decimal) -> str:
    """1,234.50 without the dollar sign (the template's |floatformat:"2g"; -0.00 shows 0.00)."""
    return f"{cents(value) + 0:,.2f}"


def url_by_id(viewname: str) -> Callable[[int], str]:
    """The URL of `viewname` for an id, reversed once a process (and script prefix): reverse()
    costs about 20 µs a call."""
    before, after = _url_parts(viewname, get_script_prefix())
    return lambda pk: f"{before}{int(pk)}{after}"


@lru_cache(maxsize=256)
def _url_parts(viewname: str, prefix: str) -> tuple[str, str]:
    before, after = reverse(viewname, args=[_MARKER]).split(str(_MARKER))
    return before, after


def rows(parts) -> SafeString:
    """Join the rows (markup built from escaped values) for the template."""
    return mark_safe("".join(parts))  # noqa: S308 - every value in the parts went through e()
