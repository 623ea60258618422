"""Small helpers shared by the journeys in tests/e2e/journeys/ (the fixtures
themselves — browser, signed-in tabs, axe — live in tests/e2e/conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

from django.urls import reverse

# axe-core is a test tool: it lives with the tests, never in static/, so production
# never ships it. The tab fetches it from its own origin (the CSP allows only
# 'self' scripts) and Playwright answers that request from this file.
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_PATH = "/__test-only__/axe.min.js"


def inject_axe(page) -> None:
    """Load axe-core into the tab as a same-origin script."""
    page.route(
        f"**{AXE_PATH}",
        lambda route: route.fulfill(path=AXE_SCRIPT, content_type="application/javascript"),
    )
    page.add_script_tag(url=urljoin(page.url, AXE_PATH))


def path(name: str, org, **kwargs) -> str:
    """A URL path inside ``org`` (the tabs have the live server as base URL)."""
    return reverse(name, kwargs={"org": org.slug, **kwargs})


def submit(page, button, *, name: str | None = None) -> None:
    """Click a submit button (a locator, or a role=button name) and wait for the next page."""
    locator = page.get_by_role("button", name=button, exact=False) if isinstance(button, str) else button
    with page.expect_navigation():
        locator.click()


def expect_message(page, text: str) -> None:
    """The flash message / alert after a post names what happened."""
    alerts = page.locator(".alert, [role=alert], [role=status]").filter(
        has_text=re.compile(re.escape(text), re.I)
    )
    assert alerts.count() >= 1, (
        f"no message containing {text!r} on {page.url}:\n" + page.locator("main").inner_text()[:2000]
    )


def no_horizontal_overflow(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width + 1, f"{page.url} is {scroll}px wide on a {width}px screen"


def axe_serious(page) -> list[dict]:
    """axe-core's serious and critical findings on the page, one entry per node."""
    inject_axe(page)
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
                .flatMap(v => v.nodes.map(n => ({rule: v.id, impact: v.impact, help: v.help,
                                                 target: n.target.join(" "), html: n.html.slice(0, 300)})));
        }"""
    )
    return found


def assert_accessible(findings: list[dict]) -> None:
    """No serious or critical finding (from ``axe_serious``, each with its "page")."""
    describe = "\n".join(
        f"- {f['page']}: [{f['impact']}] {f['rule']}: {f['help']} at {f['target']}: {f['html'][:120]}"
        for f in findings
    )
    assert not findings, f"accessibility problems:\n{describe}"
