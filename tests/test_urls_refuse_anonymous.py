"""Every URL pattern refuses an anonymous visitor, except an explicit list of public pages."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Public: the sign-in flow itself and public information. Everything else needs a signed-in user.
PUBLIC = {
    "site:welcome",
    "site:privacy",
    "letters:verify",  # anyone handed a status letter checks it (rate-limited per address)
    "letters:verify_letter",
    "accounts:sign_in",  # needs a registration number in the session, else back to welcome
    "accounts:signed_out",
    "accounts:first_time",
    "accounts:forgot_password",
    "accounts:forgot_password_answers",
    "accounts:recover",  # a locked-out administrator, with the recovery code DRS mailed
    "accounts:recover_answers",
    "accounts:sign_out",
    "ledger:refund_lookup",  # an individual's refund, by SSN and the exact amount expected
    "notices:announcements",  # today's announcements, and asking for them by e-mail
    "notices:confirm",  # the links in the announcement e-mails
    "notices:unsubscribe",
    "help:index",  # the help centre: Filtered Topic Search and its topics
    "help:topic",
    "contact:contact",  # Contact us: messages kept for staff
}


def walk(resolver: URLResolver, prefix="", namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern)


def concrete(pattern: str) -> str:
    """A URL for the pattern: regex and converter parts replaced by plausible values."""
    url = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: "1" if m.group(1) in (None, "int") else "x", pattern)
    url = re.sub(r"\(\?P<\w+>[^)]*\)", "1", url)
    url = url.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    return "/" + url.lstrip("/")


ALL = sorted(set(walk(get_resolver())))

# The JSON API for tax software (tsc/api/api.py) authenticates each call with a token, not a
# session: an anonymous call gets a JSON refusal (401 without a token, 404 or 405), never the
# Welcome page. Its documentation (the OpenAPI schema and the docs page) is public. The API's own
# tests (tsc/api/tests) cover tokens, scopes and clients in depth.
TOKEN_API = "api:"
API_DOCS = {"api:openapi-json", "api:openapi-view"}


def test_the_walk_finds_the_portal_and_the_back_office():
    names = {name for name, _ in ALL}
    assert {"accounts:menu", "accounts:users", "admin:index"} <= names
    assert len(ALL) > 40


@pytest.mark.parametrize(("name", "pattern"), ALL)
def test_anonymous_visitors_are_refused(client, db, name, pattern):
    if name in PUBLIC or name in API_DOCS:
        return
    url = concrete(pattern)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if name.startswith(TOKEN_API):
            refused = response.status_code in (401, 404, 405) and response["Content-Type"].startswith(
                "application/json"
            )
        elif name.startswith(("admin:", "backoffice:", "visits:")):
            refused = response.status_code in (302, 404) and (
                response.status_code == 404 or "/drs-admin/login/" in response.url
            )
            refused = refused or name in ("admin:login", "admin:logout")
        else:
            refused = response.status_code in (403, 404, 405) or (
                response.status_code == 302 and response.url in ("/", "/sign-in/")
            )
        assert refused, f"{method.upper()} {url} ({name}) answered {response.status_code} to an anonymous visitor"


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_the_public_allow_list_names_real_routes(name):
    assert name in {n for n, _ in ALL}
