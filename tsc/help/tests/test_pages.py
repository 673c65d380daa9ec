"""Every page links to its help: the walk over the URL patterns, and the link on a few pages."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tsc.help import pages
from tsc.help.topics import TOPICS

SLUGS = {t.slug for t in TOPICS}


def url_names(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from url_names(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


NAMES = sorted(set(url_names()))


def uses_index(name: str) -> bool:
    return name in pages.USES_INDEX or f"{name.partition(':')[0]}:*" in pages.USES_INDEX


def test_the_walk_finds_the_portal():
    assert {"accounts:menu", "filing:index", "payments:make", "help:index"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_page_maps_to_a_topic_or_is_declared_to_use_the_index(name):
    slug = pages.topic_slug(name)
    if slug is None:
        assert uses_index(name), f"{name}: no help topic; map it in tsc/help/pages.py or list it in USES_INDEX"
    else:
        assert slug in SLUGS, f"{name} maps to {slug!r}, which is not a topic"
        assert name not in pages.USES_INDEX, f"{name} is both mapped and listed as using the index"


def test_the_mapping_names_only_real_pages_and_topics():
    assert not set(pages.PAGES) - set(NAMES), "rows for URL names that no longer exist"
    assert set(pages.PAGES.values()) | set(pages.APPS.values()) <= SLUGS
    exact = {name for name in pages.USES_INDEX if not name.endswith(":*")}
    assert not exact - set(NAMES)


def _help_link(response) -> str | None:
    found = re.findall(r'<a class="usa-link" href="([^"]+)">Help for this page</a>', response.content.decode())
    assert len(found) <= 1
    return found[0] if found else None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "/help/create-update-profile/"),
        ("/refund-status/", "/help/refund-status/"),
        ("/verify-status-letter/", "/help/what-is-a-status-letter/"),
        ("/privacy/", "/help/"),
        ("/no-such-page/", "/help/"),
    ],
)
def test_public_pages_link_to_their_help(client, db, path, expected):
    assert _help_link(client.get(path)) == expected


@pytest.mark.parametrize(
    ("user", "name", "expected"),
    [
        ("admin", "accounts:menu", "main-menu"),
        ("admin", "accounts:users", "add-update-users"),
        ("admin", "accounts:user_add", "add-user"),
        ("admin", "payments:banking", "update-banking-information"),
        ("admin", "letters:status_letter", "what-is-a-status-letter"),
        ("filepay", "filing:index", "main-menu"),
        ("filepay", "payments:make", "view-scheduled-payments-credits"),
        ("viewer", "ledger:account", "view-account-period-details"),
    ],
)
def test_portal_pages_link_to_their_topic(demo, signed_in, user, name, expected):
    client = signed_in(getattr(demo, user))
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert _help_link(response) == reverse("help:topic", args=[expected])


def test_help_pages_have_no_link_to_themselves(client, topics):
    assert _help_link(client.get("/help/")) is None
    assert _help_link(client.get("/help/unlock-user/")) is None
