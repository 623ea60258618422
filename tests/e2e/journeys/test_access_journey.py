"""Accessibility and small screens: the risk form with the keyboard alone,
axe-core on the main pages, and the main pages at phone width."""

import pytest
from django.urls import reverse

from budgets.models import Proposal
from governance.alignment import services as report_services
from governance.models import AlignmentReport
from risks.models import Risk
from tests.governance.factories_reports import populate

from ..conftest import E2E, PHONE
from ..journey_helpers import assert_accessible, axe_serious, no_horizontal_overflow, path

pytestmark = E2E


def _focused(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement;
        return {tag: el.tagName, name: el.name || "", text: (el.textContent || "").trim().slice(0, 60),
                value: el.value || ""};
    }""")


def _tab_to(page, predicate, *, limit: int = 400) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if predicate(focused):
            return focused
    raise AssertionError(f"Tab never reached the wanted control on {page.url}; last: {_focused(page)}")


def test_the_risk_form_can_be_completed_with_the_keyboard_only(signed_in_page, org):
    page = signed_in_page("cio")
    page.goto(path("risks:create", org))

    _tab_to(page, lambda f: f["name"] == "title")
    page.keyboard.type("Keyboard-only risk")
    page.keyboard.press("Tab")
    assert _focused(page)["name"] == "impact_statement"
    page.keyboard.type("Staff cannot reach the intranet.")
    page.keyboard.press("Tab")
    assert _focused(page)["name"] == "category"
    page.keyboard.type("Tech")  # type-ahead picks "Technology failure and resilience"
    page.keyboard.press("Tab")
    assert _focused(page)["name"] == "origin"
    page.keyboard.type("IT")
    page.keyboard.press("Tab")
    assert _focused(page)["name"] == "owner"
    page.keyboard.press("ArrowDown")  # the first person in the list
    assert _focused(page)["value"], "the owner is chosen with the arrow key"

    _tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Add to the register")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    risk = Risk.objects.get(organization=org, title="Keyboard-only risk")
    assert page.url.endswith(path("risks:detail", org, pk=risk.pk))
    assert risk.category == "technology_failure" and risk.origin == "it"
    assert risk.owner_id is not None


# Page → (role that reads it, how to find its URL once the data exists).
PAGES = {
    "dashboard": ("cio", lambda org: path("governance:dashboard", org)),
    "register": ("cio", lambda org: path("risks:register", org)),
    "risk page": (
        "cio",
        lambda org: path(
            "risks:detail", org, pk=Risk.objects.filter(organization=org).order_by("number").first().pk
        ),
    ),
    "scorecard": ("ciso", lambda org: path("kpis:scorecard", org)),
    "budget proposal": (
        "cio",
        lambda org: path("budgets:proposal_detail", org, pk=Proposal.objects.get(organization=org).pk),
    ),
    "RACI grid": ("cio", lambda org: path("governance:raci", org)),
    "intake queue": ("ciso", lambda org: path("governance:intake_list", org)),
    "board report": (
        "board",
        lambda org: path(
            "governance:report_detail", org, pk=AlignmentReport.objects.get(organization=org).pk
        ),
    ),
}


def _seed(org, people) -> None:
    """A small but complete organization, and a published alignment report built from it."""
    populate(org, people)
    report = report_services.report_request(actor=people["cio"], organization=org)
    report.refresh_from_db()
    report_services.report_publish(actor=people["cio"], report=report)


def test_main_pages_have_no_serious_accessibility_violations(signed_in_page, people, org):
    """One tab per role; all findings of the eight pages are reported together."""
    _seed(org, people)
    tabs, findings = {}, []
    for name, (role, where) in PAGES.items():
        page = tabs.get(role) or tabs.setdefault(role, signed_in_page(role))
        response = page.goto(where(org))
        assert response.status == 200, f"{name}: {response.status}"
        assert page.get_by_role("heading", level=1).count() == 1, f"{name}: one h1"
        findings += [dict(found, page=name) for found in axe_serious(page)]
    assert_accessible(findings)


@pytest.mark.parametrize(
    "name,role,where",
    [
        ("dashboard", "cio", lambda org: path("governance:dashboard", org)),
        ("register", "cio", lambda org: path("risks:register", org)),
        ("board report", "board", PAGES["board report"][1]),
        ("intake form", "contributor", lambda org: path("governance:intake_create", org)),
    ],
)
def test_main_pages_fit_a_phone_screen(name, role, where, signed_in_page, people, org):
    _seed(org, people)
    page = signed_in_page(role, viewport=PHONE)
    page.goto(where(org))
    no_horizontal_overflow(page, PHONE["width"])
    heading = page.get_by_role("heading", level=1)
    assert heading.is_visible()
    box = heading.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1
    # Still usable: the main action or content is on screen and reachable.
    main = page.locator("main")
    assert main.bounding_box()["width"] <= PHONE["width"] + 1
    if name == "intake form":
        submit_button = page.get_by_role("button", name="Submit request")
        submit_button.scroll_into_view_if_needed()
        assert submit_button.is_visible()
        box = submit_button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1
    elif name == "register":
        assert "Ransomware on clinical systems 0" in page.locator("main").inner_text()
    assert reverse("login") not in page.url
