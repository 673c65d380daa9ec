"""Browser journeys: Playwright (sync API) driving Debian's Chromium against pytest-django's live_server.

Each test gets a fresh browser context (so no cookies carry over) and a transactional database
(the live server runs in another thread), seeded by the `demo` fixture with `tsc.site.demo`.
"""

import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

# Playwright's sync API keeps an asyncio event loop in the main thread; the ORM calls made by
# the tests and fixtures there are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
TIMEOUT_MS = 10_000

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
USWDS_LOADING = re.compile(r"\busa-js-loading\b")

NUTMEG = "1234567-000"
MYSTIC = "2222222-000"
MYSTIC_ENROLLMENT_CODE = "MYST-2024"
DEMO_PASSWORD = "Demo#2024"


@pytest.fixture(scope="session")
def browser():
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


def _open_page(browser, base_url: str, viewport: dict):
    """A page in a fresh context; afterwards, fail if the server answered any request with a 5xx
    (a server error otherwise only shows up as a timeout waiting for the expected page)."""
    context = browser.new_context(viewport=viewport, base_url=base_url)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    server_errors = []
    context.on(
        "response",
        lambda r: server_errors.append(f"{r.status} {r.request.method} {r.url}") if r.status >= 500 else None,
    )
    yield context.new_page()
    context.close()
    if server_errors:
        pytest.fail("The server answered with an error: " + "; ".join(server_errors))


@pytest.fixture
def page(browser, live_server):
    yield from _open_page(browser, live_server.url, DESKTOP)


@pytest.fixture
def phone_page(browser, live_server):
    yield from _open_page(browser, live_server.url, PHONE)


@pytest.fixture(autouse=True)
def _expect_timeout():
    expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(autouse=True)
def _no_personal_data_left_in_clear(transactional_db):
    """After each journey, before its data is flushed (this fixture depends on the database, so
    it ends first): `pii_audit` over what the journey left in the database, the stored files and
    the logs (issue 12: the audit runs on the journeys' data)."""
    yield
    from tsc.site.pii_audit import audit

    finds, _ = audit()
    assert not finds, "personal data in clear after this journey:\n" + "\n".join(map(str, finds))


@pytest.fixture
def demo(transactional_db):
    """The demo businesses and logins of tsc/site/demo.py, committed so the live server sees them
    (overrides the root conftest's `demo`, which runs inside a rolled-back transaction). The filing
    history is left out: no journey here reads it, and it takes most of the seeding time."""
    from tsc.site.demo import seed_demo

    return seed_demo(history=False)


# ---- helpers ------------------------------------------------------------------------------


def enter_registration_number(page: Page, number: str) -> None:
    page.goto("/")
    page.get_by_label("Tax Registration Number").fill(number)
    page.get_by_role("button", name="Continue").click()


def sign_in(page: Page, user_id: str, password: str = DEMO_PASSWORD, *, number: str = NUTMEG) -> None:
    """From the Welcome page to the Main Menu (asserted)."""
    enter_registration_number(page, number)
    expect(page).to_have_url("/sign-in/")
    page.get_by_label("User ID").fill(user_id)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url("/menu/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Main Menu")


def menu_cards(page: Page):
    """The Main Menu's card headings, in order."""
    return page.locator(".tsc-menu").get_by_role("heading", level=2)


def _describe(violations: list[dict]) -> str:
    lines = [f"{len(violations)} axe violation(s) on {violations[0]['url']}:"] if violations else []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    target {json.dumps(node['target'])}: {node['html']}")
            if node["summary"]:
                lines.append("      " + node["summary"].replace("\n", "\n      "))
    return "\n".join(lines)


def axe_check(page: Page) -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the current page; fail on any violation.

    The script is injected with `page.evaluate`, which goes through the DevTools protocol and so
    is not blocked by the site's Content-Security-Policy (script-src 'self')."""
    # Let USWDS finish starting up (it unhides parts of the page when the load event fires).
    page.wait_for_load_state("load")
    expect(page.locator("html")).not_to_have_class(USWDS_LOADING)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return results.violations.map((v) => ({
                url: results.url, id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({target: n.target, html: n.html, summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )
    assert not violations, _describe(violations)
