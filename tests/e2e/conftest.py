"""Real-browser tests: Debian's Chromium driven by Playwright (sync API) against
pytest-django's live server, with the real sign-in form and, for the roles
that need it, the real two-factor step.

Fixtures for journeys (mark each module ``pytestmark = E2E``):

    page = signed_in_page("cio")                 # a signed-in tab, desktop width
    page = signed_in_page("board", viewport=PHONE)
    page = signed_in_page(some_user)             # any user object
    page = new_page()                            # an anonymous tab
    axe_check(page)                              # fails on serious/critical issues
    url("core:members", org="acme")              # absolute live-server URL

Playwright and the browser live for one test module. Every tab fails its test
on a JavaScript error, a CSP violation or a server error (5xx) seen while the
test ran. Chromium is never downloaded: CI installs Debian's package
(``.ci/run``); without it these tests are skipped.
"""

from __future__ import annotations

import os
import shutil
import time

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.e2e.journey_helpers import inject_axe

CHROMIUM = shutil.which("chromium")
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000
# Transactional (the live server runs in another thread) and restoring the
# data loaded by migrations (e.g. the control catalogues) after each flush.
E2E = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


BROWSER_SKIP_REASON = "Debian's chromium is not installed (apt-get install chromium); .ci/run installs it"


@pytest.fixture(scope="module")
def _playwright():
    """Playwright for one test module. Its sync API keeps an asyncio loop running
    in this thread, and Django then refuses ORM calls (the tests' own and the
    database set-up's) although they are plain synchronous calls: allow them
    while the loop runs, and only then, so other tests keep Django's guard."""
    if not CHROMIUM:
        pytest.skip(BROWSER_SKIP_REASON)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    manager = sync_playwright()
    try:
        yield manager.start()
    finally:
        manager.__exit__(None, None, None)
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="module")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def _real_sign_in_rules(settings):
    """The test settings switch two-factor and step-up off for the Django test
    client; browsers go through the real pages, so they are on here as in
    production (signing in with a code counts as a fresh check)."""
    settings.MFA_ENFORCED = True
    settings.STEP_UP_ENFORCED = True


@pytest.fixture
def url(live_server):
    def make(name: str, **kwargs) -> str:
        return live_server.url + reverse(name, kwargs=kwargs or None)

    return make


def _watch(page) -> list[str]:
    problems: list[str] = []

    def on_console(message):
        text = message.text
        if message.type == "error" and not text.startswith("Failed to load resource"):
            problems.append(f"console error: {text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on("response", lambda r: r.status >= 500 and problems.append(f"{r.status} from {r.url}"))
    return problems


@pytest.fixture
def new_page(browser, live_server):
    """``new_page(viewport=DESKTOP)`` → a fresh tab in its own browser context (own cookies)."""
    opened = []

    def make(*, viewport: dict | None = None):
        context = browser.new_context(base_url=live_server.url, viewport=viewport or DESKTOP)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        opened.append((context, page, _watch(page)))
        return page

    yield make
    problems = [f"{page.url}: {p}" for _context, page, found in opened for p in found]
    for context, _page, _found in opened:
        context.close()
    assert not problems, "the browser saw problems:\n" + "\n".join(problems)


def authenticator(user):
    """The person's confirmed authenticator, set up now if they have none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.security.helpers import enrol_totp

    return TOTPDevice.objects.filter(user=user, confirmed=True).first() or enrol_totp(user)


def current_code(user) -> str:
    """A code the person's authenticator shows that the server has not accepted
    yet (a device refuses a code twice; it also accepts the next step's code)."""
    from tests.security.helpers import totp_code

    device = authenticator(user)
    device.refresh_from_db()
    now = time.time()
    at = max(now, device.t0 + (device.last_t + 1) * device.step)
    if at > now + device.step:  # this step and the next are used up: wait for a fresh one
        time.sleep(at - now - device.step + 0.5)
        at = max(time.time(), at)
    return totp_code(device, at=at)


def needs_second_factor(user) -> bool:
    from core.security import mfa

    return mfa.required_for(user) or mfa.is_enrolled(user)


def sign_in(page, user, *, password: str | None = None) -> None:
    """Sign in through the sign-in form, then the code page when the role needs it."""
    two_factor = needs_second_factor(user)
    if two_factor:
        authenticator(user)
    page.goto(reverse("login"))
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(password or django_settings.DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if two_factor:
        assert reverse("core:mfa_verify") in page.url, f"expected the code page, got {page.url}"
        page.get_by_label("Code").fill(current_code(user))
        with page.expect_navigation():
            page.get_by_role("button", name="Verify").click()
    assert reverse("login") not in page.url, f"sign-in failed for {user.email}: still on {page.url}"
    assert reverse("core:mfa_verify") not in page.url, f"the code was refused for {user.email}"


@pytest.fixture
def signed_in_page(new_page, people):
    """``signed_in_page("ciso")`` (a role of org "acme", or any user) → a signed-in tab."""

    def make(who, *, viewport: dict | None = None):
        user = people[who] if isinstance(who, str) else who
        page = new_page(viewport=viewport)
        sign_in(page, user)
        return page

    return make


def _axe_violations(page) -> list[dict]:
    inject_axe(page)
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
            }));
        }"""
    )


@pytest.fixture
def axe_check():
    """``axe_check(page)`` runs axe-core (vendored under tests/e2e/vendor, served to
    the tab from its own origin so the CSP holds) and fails on serious or critical violations."""

    def check(page, *, impacts=("serious", "critical")) -> list[dict]:
        violations = _axe_violations(page)
        bad = [v for v in violations if v["impact"] in impacts]
        assert not bad, f"accessibility problems on {page.url}:\n" + "\n".join(
            f"- [{v['impact']}] {v['id']}: {v['help']} at {', '.join(v['nodes'])}" for v in bad
        )
        return violations

    return check
