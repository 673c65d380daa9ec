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
from urllib.parse import parse_qsl, urlencode, urlsplit

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

# Anything that could be personal data: SSN (123-45-6789, also with spaces or dots), FEIN
# (06-1234567), a registration number (1234567-000), an e-mail address, and any run of 7 or more
# digits (account and routing numbers, unseparated SSNs and FEINs, phone numbers).
_PII = re.compile(
    r"\d{7}[-. ]?\d{3}"  # registration number
    r"|\d{7,}"  # account, routing, any long number
    r"|\d{3}[-. ]?\d{2}[-. ]?\d{4}"  # SSN
    r"|\d{2}[-. ]?\d{7}"  # FEIN
    r"|[\w.+%-]*@[\w.-]*"  # e-mail (any @)
    r"|%40",  # an encoded @
)
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_.\- ]{0,40}")
# Opaque tokens (confirmation and unsubscribe links, upload tokens): 20 or more URL-safe
# characters with a digit or mixed case in them; readable slugs ("administrator-contact") have none.
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-:.=]{20,}")
_TOKEN_HINT = re.compile(r"\d|[a-z][^/]*[A-Z]|[A-Z][^/]*[a-z]")
# Control characters never go into the log (each line is one visit).
_CONTROL = dict.fromkeys(range(32)) | {127: None}


def looks_personal(value: str) -> bool:
    return bool(_PII.search(value))


def scrub_path(path: str) -> str:
    path = path.translate(_CONTROL)
    if not (_PII.search(path) or _TOKEN_CHARS.search(path)):
        return path  # the common case: nothing to look at segment by segment
    return "/".join(MASK if _PII.search(seg) or _is_token(seg) else seg for seg in path.split("/"))


def _is_token(segment: str) -> bool:
    return bool(_TOKEN_CHARS.fullmatch(segment) and _TOKEN_HINT.search(segment))


def scrub_query(query: str) -> str:
    """The allowed, harmless parameters of a query string, in their order; '' if none."""
    if not query:
        return ""
    kept = [
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=True)
        if name in ALLOWED_PARAMETERS and _PLAIN_VALUE.fullmatch(value) and not _PII.search(value)
    ]
    return urlencode(kept)


def scrub_url(url: str) -> str:
    """A referrer: scheme://host[:port] + scrubbed path + scrubbed query; '' if it is not a URL."""
    if not url:
        return ""
    try:
        parts = urlsplit(url.translate(_CONTROL))
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


def scrub_user_agent(agent: str) -> str:
    """User agents are software names; a bot's may carry a contact e-mail or a long number."""
    agent = agent.translate(_CONTROL)
    return _PII.sub(MASK, agent) if _PII.search(agent) else agent
