"""A virtual CISO in two organizations: lands on the portfolio, creates a third
from the starter libraries, invites its CIO, and sees it in the portfolio."""

import time

from django.urls import reverse

from core.models import Invitation, Membership, Organization
from core.roles import Role
from kpis.models import KPI

from ..conftest import E2E, PHONE, current_code
from ..journey_helpers import assert_accessible, axe_serious, expect_message, no_horizontal_overflow

pytestmark = E2E


def _fill_the_new_organization(page):
    page.locator("#id_name").fill("Harbor Freight")
    page.get_by_label("Short name (in links)").fill("harbor-freight")
    page.locator("#id_currency").fill("EUR")
    page.get_by_label("Time zone").select_option("Europe/Paris")
    page.get_by_label("CISO, and admin").check()
    page.get_by_label("Starter libraries", exact=False).check()


def test_create_an_organization_from_a_template_invite_the_cio_and_see_it_in_the_portfolio(
    signed_in_page, people, other_org, settings
):
    ciso = people[Role.CISO]
    Membership.objects.create(user=ciso, organization=other_org, role=Role.CISO)
    page = signed_in_page("ciso")
    page.goto("/")
    assert page.url.endswith(reverse("portfolio:portfolio")), page.url
    table = page.get_by_test_id("portfolio")
    assert table.locator("tbody tr").count() == 2
    assert_accessible(axe_serious(page))

    page.get_by_role("link", name="New organization").first.click()
    page.wait_for_url("**" + reverse("core:organization_create"))
    _fill_the_new_organization(page)
    assert_accessible(axe_serious(page))
    # Creating an organization needs a fresh "confirm it's you": the check made
    # at sign-in has gone stale, so the first try asks for a code first.
    settings.STEP_UP_MAX_AGE = 1
    time.sleep(2.1)
    with page.expect_navigation():
        page.get_by_role("button", name="Create the organization").click()
    assert reverse("core:step_up") in page.url, page.url
    assert not Organization.objects.filter(slug="harbor-freight").exists()
    settings.STEP_UP_MAX_AGE = 2 * 60 * 60
    page.get_by_label("Code").fill(current_code(ciso))
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**" + reverse("core:organization_create"))
    _fill_the_new_organization(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Create the organization").click()
    expect_message(page, "Harbor Freight is ready")
    org = Organization.objects.get(slug="harbor-freight")
    assert KPI.objects.filter(organization=org).exists()
    assert page.url.endswith(reverse("core:members", args=[org.slug]))

    page.locator("#id_email").fill("new.cio@harbor.test")
    page.locator("#id_role").select_option("cio")
    with page.expect_navigation():
        page.get_by_role("button", name="Send invitation").click()
    assert Invitation.objects.filter(organization=org, email="new.cio@harbor.test", role="cio").exists()

    page.goto(reverse("portfolio:portfolio"))
    row = page.locator('tr[data-org="harbor-freight"]')
    assert row.count() == 1
    assert "CISO and admin" in row.inner_text()
    row.get_by_role("link", name="Harbor Freight").click()
    page.wait_for_url(f"**/o/{org.slug}/**")


def test_the_portfolio_at_phone_width(signed_in_page, people, other_org):
    Membership.objects.create(user=people[Role.CISO], organization=other_org, role=Role.CISO)
    page = signed_in_page("ciso", viewport=PHONE)
    page.goto(reverse("portfolio:portfolio"))
    no_horizontal_overflow(page, PHONE["width"])
    assert page.locator(".portfolio-cards section").count() == 2
