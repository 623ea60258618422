"""The portfolio: one row per organization of a person, equal to each
organization's dashboard, at a fixed number of queries per organization, and
the KPI comparison, with nothing of an organization shown to a non-member."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import Membership
from core.roles import Role
from governance.alignment.selectors import portfolio as selectors
from tests.factories import OrganizationFactory, UserFactory, member
from tests.kpis.factories import KPIFactory, MeasurementFactory

from .factories_reports import populate

pytestmark = pytest.mark.django_db


def _org(slug: str, person, role=Role.CISO, *, data: bool = True):
    org = OrganizationFactory(name=slug.replace("-", " ").title(), slug=slug)
    people = {"contributor": member(org, Role.CONTRIBUTOR)}
    for executive in (Role.CIO, Role.CISO):
        people[executive] = person if role == executive else member(org, executive)
    Membership.objects.create(user=person, organization=org, role=role)
    if data:
        populate(org, people)
    return org


@pytest.fixture
def vciso():
    return UserFactory(email="vciso@example.test")


def _client(user, api=False):
    client = APIClient() if api else Client()
    client.force_login(user)
    return client


def test_each_row_equals_that_organizations_dashboard(vciso):
    orgs = [_org("alpha", vciso), _org("bravo", vciso)]
    client = _client(vciso)
    page = client.get(reverse("portfolio:portfolio"))
    assert page.status_code == 200
    rows = {r["slug"]: r for r in page.context["rows"]}
    assert set(rows) == {"alpha", "bravo"}
    for org in orgs:
        cache.clear()
        picture = client.get(reverse("governance:dashboard", args=[org.slug])).context["picture"]
        row = rows[org.slug]
        assert row["score"] == picture["alignment"]["score"]
        assert row["risks_above"] == picture["risks"]["above_appetite_count"] > 0
        assert row["decisions_mine"] == picture["decisions"]["mine_count"]
        assert row["intake_breached"] == picture["intake"]["breached"]
        assert row["kpis_red"] == picture["kpis"]["red"] > 0
        assert row["budget"]["status"] == picture["budget"]["proposal"]["status_key"]
        assert row["links"]["risks"] == picture["risks"]["links"]["above_appetite"]
        assert row["links"]["kpis"].startswith(f"/o/{org.slug}/")


def test_queries_per_organization_are_flat(vciso):
    def measure(count: int) -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            rows = selectors.portfolio(user=vciso)
        assert len(rows) == count
        vciso.__dict__.pop("_concord_memberships", None)
        return len(ctx.captured_queries)

    _org("org-a", vciso)
    _org("org-b", vciso)
    measure(2)  # warms process-wide caches (content types), paid once, not per organization
    two = measure(2)
    _org("org-c", vciso)
    three = measure(3)
    _org("org-d", vciso)
    four = measure(4)
    assert four - three == three - two, (two, three, four)
    assert three - two < 40  # a fixed, modest cost per organization


def test_nothing_of_an_organization_one_is_not_a_member_of(vciso):
    _org("alpha", vciso)
    _org("bravo", vciso, role=Role.BOARD, data=False)
    outsider_org = _org("charlie-secret", UserFactory())
    KPIFactory(organization=outsider_org, name="Secret KPI", key="secret_key")
    client = _client(vciso)
    html = client.get(reverse("portfolio:portfolio")).content.decode()
    assert "Charlie Secret" not in html and "charlie-secret" not in html
    api_rows = _client(vciso, api=True).get("/api/v1/portfolio/").json()
    assert {r["slug"] for r in api_rows} == {"alpha", "bravo"}
    board_row = next(r for r in api_rows if r["slug"] == "bravo")
    assert (
        board_row["has_figures"] is False and board_row["risks_above"] is None
    )  # the board has no dashboard
    compared = _client(vciso, api=True).get("/api/v1/portfolio/compare/?all=yes").json()
    assert [o["slug"] for o in compared["organizations"]] == ["alpha"]  # only where they lead
    assert "secret_key" not in str(compared) and "Secret KPI" not in str(compared)


def test_compare_puts_the_same_keys_side_by_side(vciso):
    alpha = _org("alpha", vciso, data=False)
    bravo = _org("bravo", vciso, role=Role.CIO, data=False)
    for org, value in ((alpha, "97"), (bravo, "85")):
        kpi = KPIFactory(organization=org, name="EDR coverage", key="edr_coverage")
        MeasurementFactory(organization=org, kpi=kpi, value=Decimal(value))
    KPIFactory(organization=alpha, name="Only here", key="only_alpha")
    data = selectors.kpi_comparison(user=vciso)
    assert [o["slug"] for o in data["organizations"]] == ["alpha", "bravo"]
    assert [r["key"] for r in data["rows"]] == ["edr_coverage"]
    assert [c["value"] for c in data["rows"][0]["by_org"]] == ["97", "85"]
    everything = selectors.kpi_comparison(user=vciso, shared_only=False)
    assert {r["key"] for r in everything["rows"]} == {"edr_coverage", "only_alpha"}
    assert everything["rows"][1]["by_org"][1] is None
    page = _client(vciso).get(reverse("portfolio:compare"))
    assert page.status_code == 200 and "EDR coverage" in page.content.decode()


def test_sort_and_filter(vciso):
    _org("alpha", vciso)
    _org("bravo", vciso, role=Role.BOARD, data=False)
    rows = selectors.portfolio(user=vciso, sort="risks")
    assert [r["slug"] for r in rows] == ["alpha", "bravo"]
    assert [r["slug"] for r in selectors.portfolio(user=vciso, sort="name", descending=True)] == [
        "bravo",
        "alpha",
    ]
    assert [r["slug"] for r in selectors.portfolio(user=vciso, attention=True)] == ["alpha"]
    assert [r["slug"] for r in selectors.portfolio(user=vciso, q="brav")] == ["bravo"]
    assert [r["slug"] for r in selectors.portfolio(user=vciso, role=Role.BOARD)] == ["bravo"]
    client = _client(vciso)
    page = client.get(reverse("portfolio:portfolio") + "?sort=name&dir=desc&attention=yes")
    assert [r["slug"] for r in page.context["rows"]] == ["alpha"]
    bad = _client(vciso, api=True).get("/api/v1/portfolio/?sort=colour")
    assert bad.status_code == 400 and "sort" in bad.json()["errors"]


@pytest.mark.parametrize("descending", [True, False])
@pytest.mark.parametrize("sort", ["score", "risks", "kpis"])
def test_rows_without_a_figure_sort_last_in_both_directions(vciso, sort, descending):
    _org("alpha", vciso)
    _org("aardvark", vciso, role=Role.CONTRIBUTOR, data=False)  # no dashboard: no figures
    rows = selectors.portfolio(user=vciso, sort=sort, descending=descending)
    assert [r["slug"] for r in rows] == ["alpha", "aardvark"]
    assert rows[-1]["score"] is None and rows[0]["has_figures"]


def test_archived_organizations_leave_the_portfolio(vciso):
    alpha = _org("alpha", vciso, data=False)
    _org("bravo", vciso, data=False)
    _org("charlie", vciso, data=False)
    alpha.archived_at = alpha.created_at
    alpha.save()
    assert [r["slug"] for r in selectors.portfolio(user=vciso)] == ["bravo", "charlie"]


def test_archived_organizations_are_listed_under_the_portfolio(vciso):
    """Hidden from the rows and the switcher, but found again in their own section."""
    from django.utils import timezone

    alpha = _org("alpha", vciso, data=False)
    _org("bravo", vciso, data=False)
    _org("charlie", vciso, data=False)
    alpha.archived_at = alpha.deletion_requested_at = timezone.now()
    alpha.save()
    response = _client(vciso).get(reverse("portfolio:portfolio"))
    archived = response.context["archived"]
    assert [a["slug"] for a in archived] == ["alpha"]
    assert archived[0]["state"].startswith("Deletion asked")
    assert archived[0]["settings_url"] == reverse("core:org_lifecycle", args=["alpha"])  # the CISO may act
    body = response.content.decode()
    assert "Archived organizations" in body and reverse("core:org_lifecycle", args=["alpha"]) in body


def test_one_organization_has_no_portfolio(vciso):
    _org("alpha", vciso, data=False)
    response = _client(vciso).get(reverse("portfolio:portfolio"))
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
