"""Journeys through core in a real browser: signing in and out as each role,
keyboard-only sign-in, accessibility, switching organization and a phone-width
screen."""

import re

import pytest
from django.urls import reverse

from core.models import Membership
from core.roles import Role

from .conftest import E2E, PHONE, authenticator, current_code

pytestmark = E2E
SWITCHER = re.compile("switch organization", re.IGNORECASE)

# Where each role starts its work (DESIGN.md) and what its navigation shows or hides.
LANDING = {
    Role.CIO: "governance:dashboard",
    Role.CISO: "governance:dashboard",
    Role.BOARD: "governance:report_list",
    Role.CONTRIBUTOR: "governance:intake_list",
    Role.ADMIN: "core:members",
}
NAV_SHOWN = {
    Role.CIO: ["Dashboard", "Risks", "Budget", "Intake", "Reports"],
    Role.CISO: ["Dashboard", "Risks", "Budget", "Intake", "Reports"],
    Role.BOARD: ["Budget", "Reports"],
    Role.CONTRIBUTOR: ["Ownership", "Intake"],
    Role.ADMIN: ["People", "Settings"],
}
NAV_HIDDEN = {
    Role.CIO: ["People"],
    Role.CISO: ["People"],
    Role.BOARD: ["Dashboard", "Risks", "Intake", "People"],
    Role.CONTRIBUTOR: ["Dashboard", "Risks", "Budget", "Reports"],
    Role.ADMIN: ["Dashboard", "Risks", "Budget"],
}


def _nav_labels(page) -> list[str]:
    return [label.strip() for label in page.locator("#sidebar .sidebar-nav .nav-link").all_inner_texts()]


@pytest.mark.parametrize("role", list(LANDING))
def test_each_role_signs_in_lands_on_its_work_and_signs_out(role, signed_in_page, people, url, org):
    page = signed_in_page(role)

    assert page.url == url(LANDING[role], org=org.slug)
    assert page.get_by_role("heading", level=1).count() == 1
    labels = _nav_labels(page)
    for label in NAV_SHOWN[role]:
        assert label in labels, f"{role} should see {label}: {labels}"
    for label in NAV_HIDDEN[role]:
        assert label not in labels, f"{role} should not see {label}: {labels}"

    page.locator(".user-menu").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    assert page.url.startswith(url("login"))
    page.goto(reverse(LANDING[role], kwargs={"org": org.slug}))
    assert page.url.startswith(url("login")), "signed out people are sent to the sign-in page"


def test_wrong_password_is_refused_with_a_clear_message(new_page, people):
    page = new_page()
    page.goto(reverse("login"))
    page.get_by_label("E-mail").fill(people[Role.CONTRIBUTOR].email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").filter(has_text="do not match").is_visible()
    assert reverse("login") in page.url


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.CISO])
def test_sign_in_with_the_keyboard_only(role, new_page, people, url, org):
    """Tab and Enter only; the CISO also types the two-factor code."""
    user = people[role]
    if role == Role.CISO:
        authenticator(user)
    page = new_page()
    page.goto(reverse("login"))

    def focused():
        return page.evaluate(
            "document.activeElement && (document.activeElement.name || document.activeElement.textContent.trim())"
        )

    for _ in range(10):  # from the top of the page to the e-mail field
        if focused() == "username":
            break
        page.keyboard.press("Tab")
    assert focused() == "username"
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    assert focused() == "password"
    page.keyboard.type("concord-demo-2026")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    if role == Role.CISO:
        assert reverse("core:mfa_verify") in page.url
        for _ in range(10):
            if focused() == "code":
                break
            page.keyboard.press("Tab")
        assert focused() == "code"
        page.keyboard.type(current_code(user))
        with page.expect_navigation():
            page.keyboard.press("Enter")
    assert page.url == url(LANDING[role], org=org.slug)


def test_sign_in_page_is_accessible(new_page, axe_check):
    page = new_page()
    page.goto(reverse("login"))
    axe_check(page)


@pytest.mark.parametrize("page_name", ["core:members", "core:org_settings"])
def test_people_and_settings_pages_are_accessible(page_name, signed_in_page, axe_check, org):
    page = signed_in_page(Role.ADMIN)
    page.goto(reverse(page_name, kwargs={"org": org.slug}))
    assert page.get_by_role("heading", level=1).is_visible()
    axe_check(page)


def test_organization_switcher_for_a_person_in_two_organizations(signed_in_page, people, other_org, org, url):
    ciso = people[Role.CISO]
    Membership.objects.create(user=ciso, organization=other_org, role=Role.CISO)
    page = signed_in_page(ciso)
    # Two organizations: sign-in lands on the portfolio, both at a glance; each row opens its organization.
    assert page.url.endswith(reverse("portfolio:portfolio")), page.url
    with page.expect_navigation():
        page.get_by_test_id("portfolio").get_by_role("link", name=org.name, exact=True).click()
    switcher = page.get_by_role("button", name=SWITCHER)
    assert org.name in switcher.inner_text()

    switcher.click()
    menu = page.locator(".sidebar-org .dropdown-menu")
    assert menu.get_by_role("link", name=re.compile(org.name)).is_visible()
    with page.expect_navigation():
        menu.get_by_role("link", name=re.compile(other_org.name)).click()
    assert page.url.startswith(url("core:org_home", org=other_org.slug).rstrip("/"))
    assert other_org.name in page.get_by_role("button", name=SWITCHER).inner_text()

    page.goto("/")  # the home page remembers the organization last used
    assert f"/o/{other_org.slug}/" in page.url

    page.get_by_role("button", name=SWITCHER).click()
    with page.expect_navigation():
        page.locator(".sidebar-org .dropdown-menu").get_by_role("link", name=re.compile(org.name)).click()
    assert f"/o/{org.slug}/" in page.url


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize(
    "role,page_name",
    [
        (Role.CIO, "governance:dashboard"),
        (Role.ADMIN, "core:members"),
        (Role.ADMIN, "core:org_settings"),
    ],
)
def test_phone_width_collapses_the_sidebar_and_does_not_overflow(role, page_name, signed_in_page, org):
    page = signed_in_page(role, viewport=PHONE)
    page.goto(reverse(page_name, kwargs={"org": org.slug}))

    sidebar = page.locator("#sidebar")
    menu_button = page.get_by_role("button", name="Open menu")
    assert menu_button.is_visible()
    assert not sidebar.is_visible(), "the sidebar is folded away on a phone"
    assert _overflow(page) <= 0, f"the page is {_overflow(page)}px wider than the phone screen"

    menu_button.click()
    sidebar.get_by_role("link").first.wait_for(state="visible")
    assert sidebar.is_visible()
    assert sidebar.locator(".sidebar-nav .nav-link").count() >= 1
    page.get_by_role("button", name="Close menu").click()
    sidebar.wait_for(state="hidden")
