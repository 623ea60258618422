"""Small helpers shared by the journeys in tests/e2e/journeys/ (the fixtures
themselves — browser, signed-in tabs, axe — live in tests/e2e/conftest.py)."""
from __future__ import annotations

import re

from django.urls import reverse


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
    alerts = page.locator(".alert, [role=alert], [role=status]").filter(has_text=re.compile(re.escape(text), re.I))
    assert alerts.count() >= 1, f"no message containing {text!r} on {page.url}:\n" + page.locator("main").inner_text()[:2000]


def no_horizontal_overflow(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width + 1, f"{page.url} is {scroll}px wide on a {width}px screen"


class KnownSharedDefect(AssertionError):
    """Raised for accessibility defects that come from shared core code (not the
    page under test); the tests that hit them are marked xfail(strict=True,
    raises=KnownSharedDefect), so any other failure still fails the test."""


# Shared defects found by these journeys (core/templatetags/concord.py, static/css/concord.css):
#  - sort_link puts aria-sort on the <a>; ARIA allows it only on the column header (<th>).
#  - .btn-outline-secondary / .btn-outline-danger text (#6c757d / #dc3545) on the page
#    background #f4f6fa is 4.33:1 / ~4.1:1, under the 4.5:1 WCAG AA minimum.
def _is_known_shared(rule: str, html: str) -> bool:
    if rule == "aria-allowed-attr":
        return 'class="sort-link' in html and "aria-sort=" in html
    if rule == "color-contrast":
        return 'class="btn btn-outline-secondary' in html or 'class="btn btn-outline-danger' in html \
            or "btn-outline-secondary dropdown-toggle" in html or "dropdown-toggle btn-outline-secondary" in html
    return False


def axe_serious(page, static_url: str) -> list[dict]:
    """axe-core's serious and critical findings on the page, one entry per node."""
    page.add_script_tag(url=static_url)
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
    """No serious/critical finding (from ``axe_serious``, each with its "page");
    the known shared defects are raised separately (KnownSharedDefect), and only
    once everything else is clean."""
    own = [f for f in findings if not _is_known_shared(f["rule"], f["html"])]
    shared = [f for f in findings if _is_known_shared(f["rule"], f["html"])]
    describe = lambda items: "\n".join(  # noqa: E731
        f"- {f['page']}: [{f['impact']}] {f['rule']}: {f['help']} at {f['target']}: {f['html'][:120]}"
        for f in items)
    assert not own, f"accessibility problems:\n{describe(own)}"
    if shared:
        raise KnownSharedDefect(f"shared accessibility defects:\n{describe(shared)}")
