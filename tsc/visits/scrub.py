"""What of a requested URL or a referrer may go into the visit log (docs/adr/0009).

The privacy policy logs the page requested, never who asked: a query string or a path can carry
what a visitor typed (an SSN, a FEIN, a registration number, an e-mail address, an account or
routing number), and a link can carry a secret (an unsubscribe token). So:

* query parameters are kept only when their name is on an allow-list of harmless names and their
  value is short, plain and does not look like personal data; everything else is dropped whole;
* a path segment that looks like personal data or an opaque token becomes ``*`` (which also
  counts every such page as one in the statistics);
* a referrer keeps its scheme and host (never a user name or password) and the scrubbed path and
  query; its fragment is dropped.
"""

import re
from functools import lru_cache
from urllib.parse import urlsplit

# Parameter names whose values are choices made from the page, never typed personal data.
ALLOWED_PARAMETERS = frozenset(
    {
        "page",
        "tax_type",
        "search_by",
        "status",
        "period",
        "return",
        "amend",
        "filed",
        "made",
        "issued",
        "cancelled",
        "reason",
        "kind",
        "form",
    }
)
MASK = "*"

# Anything that could be personal data: an SSN (123-45-6789, also with spaces or dots), a FEIN
# (06-1234567), a registration number (1234567-000), an e-mail address (any @), and any run of 7
# or more digits (account and routing numbers, unseparated SSNs and FEINs, phone numbers). The
# detector runs on every request, so it is one cheap pattern plus two substring tests; the
# masking pattern runs only on what the detector flagged.
_DIGITS = re.compile(r"\d{7}|\d{3}[-. ]\d{2}[-. ]\d{4}|\d{2}[-. ]\d{7}")
_PII = re.compile(
    r"\d{7}[-. ]?\d{3}"  # registration number
    r"|\d{7,}"  # account, routing, any long number
    r"|\d{3}[-. ]\d{2}[-. ]\d{4}"  # SSN
    r"|\d{2}[-. ]\d{7}"  # FEIN
    r"|[\w.+%-]*(?:@|%40)[\w.-]*",  # e-mail
    re.IGNORECASE,
)
# A kept query value: a short choice from the page, as sent (no escapes: '+' is a space).
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_.\-+]{0,40}")
# Opaque tokens (confirmation and unsubscribe links, upload tokens): 20 or more URL-safe
# characters with a digit or mixed case in them; readable slugs ("administrator-contact") have none.
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-:.=]{20,}")
_TOKEN_HINT = re.compile(r"\d|[a-z][^/]*[A-Z]|[A-Z][^/]*[a-z]")
# Control characters never go into the log (each line is one visit).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def looks_personal(value: str) -> bool:
    return "@" in value or "%40" in value or bool(_DIGITS.search(value))


def printable(value: str) -> str:
    return value if value.isprintable() else _CONTROL.sub("", value)


# Paths, referrers and user agents repeat from request to request: each is worked out once. The
# caches are bounded and live only in the process's memory, which holds the raw request anyway.
@lru_cache(maxsize=4096)
def scrub_path(path: str) -> str:
    path = printable(path)
    if not (looks_personal(path) or _TOKEN_CHARS.search(path)):
        return path  # the common case: nothing to look at segment by segment
    return "/".join(MASK if looks_personal(seg) or _is_token(seg) else seg for seg in path.split("/"))


def _is_token(segment: str) -> bool:
    return bool(_TOKEN_CHARS.fullmatch(segment) and _TOKEN_HINT.search(segment))


def scrub_query(query: str) -> str:
    """The allowed, harmless parameters of a query string, as sent and in their order; '' if none.
    A value with escapes (%xx) is never kept: choices from the page need none."""
    if not query:
        return ""
    kept = []
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if name in ALLOWED_PARAMETERS and _PLAIN_VALUE.fullmatch(value) and not looks_personal(value.replace("+", " ")):
            kept.append(pair)
    return "&".join(kept)


@lru_cache(maxsize=1024)
def scrub_url(url: str) -> str:
    """A referrer: scheme://host[:port] + scrubbed path + scrubbed query; '' if it is not a URL."""
    if not url:
        return ""
    try:
        parts = urlsplit(printable(url))
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not host:
        return ""
    if looks_personal(host):
        host = MASK
    netloc = f"{host}:{port}" if port else host
    query = scrub_query(parts.query)
    return f"{parts.scheme}://{netloc}{scrub_path(parts.path) or '/'}" + (f"?{query}" if query else "")


@lru_cache(maxsize=1024)
def scrub_user_agent(agent: str) -> str:
    """User agents are software names; a bot's may carry a contact e-mail or a long number."""
    agent = printable(agent)
    return _PII.sub(MASK, agent) if looks_personal(agent) else agent
