"""The CIO–CISO dashboard: what it shows, for whom, and at a fixed query cost."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.cache import bump_org_version
from core.services import signoff_sign
from governance.alignment.selectors.dashboard import dashboard_data, shared_picture
from governance.models import IntakeRequest
from tests.contract import expect_page

from .factories_reports import make_intake, make_report, populate

pytestmark = pytest.mark.django_db


def test_contract(client_as, org, people):
    populate(org, people)
    expect_page(client_as, f"/o/{org.slug}/dashboard/", allowed={"cio", "ciso"})


def test_executives_land_on_the_dashboard_and_the_board_on_reports(client_as, org):
    assert client_as("cio").get(f"/o/{org.slug}/")["Location"] == f"/o/{org.slug}/dashboard/"
    assert client_as("board").get(f"/o/{org.slug}/")["Location"] == f"/o/{org.slug}/reports/"


def test_empty_organization_shows_empty_states(client_as, org):
    response = client_as("cio").get(f"/o/{org.slug}/dashboard/")
    html = response.content.decode()
    assert response.context["score"] is None
    assert "No score yet" in html and "No open risks" in html and "The intake queue is empty" in html


def test_dashboard_shows_every_tile_with_its_link(client_as, org, people):
    populate(org, people)
    response = client_as("cio").get(f"/o/{org.slug}/dashboard/")
    html = response.content.decode()
    picture = response.context["picture"]
    assert response.context["score"] == picture["alignment"]["score"] is not None
    for title in (
        "Alignment score",
        "What makes up the score",
        "Risk heat map",
        "Top risks",
        "Biggest divergences",
        "Above appetite",
        "KPI scorecard",
        "Budget at a glance",
        "Ownership gaps",
        "Intake queue",
        "Waiting for your signature",
    ):
        assert title in html, title
    assert "Ransomware on clinical systems 0" in html
    assert picture["risks"]["links"]["register"] and picture["risks"]["links"]["register"] in html
    assert picture["kpis"]["links"]["scorecard"] in html
    assert picture["intake"]["links"]["queue"] in html
    assert picture["raci"]["links"]["matrix"] in html
    assert 'href="#"' not in html  # every tile leads somewhere


def test_trend_comes_from_published_reports(client_as, org, people):
    make_report(org, label="Q1 2026", start=date(2026, 1, 1), end=date(2026, 3, 31), score=40)
    make_report(org, label="Q2 2026", start=date(2026, 4, 1), end=date(2026, 6, 30), score=55)
    make_report(org, label="Draft", start=date(2026, 7, 1), end=date(2026, 9, 30), score=90, status="draft")
    populate(org, people)
    context = client_as("ciso").get(f"/o/{org.slug}/dashboard/").context
    assert [p["score"] for p in context["trend"]] == [40, 55]
    assert context["change"] == context["score"] - 55


def test_waiting_for_your_signature_is_per_role(org, people):
    populate(org, people)
    from budgets.models import Proposal

    proposal = Proposal.objects.get(organization=org)
    signoff_sign(actor=people["ciso"], subject=proposal, purpose="submission")
    cio_view = shared_picture(organization=org, user=people["cio"], role="cio")["decisions"]
    ciso_view = shared_picture(organization=org, user=people["ciso"], role="ciso")["decisions"]
    cio_titles = [w["title"] for w in cio_view["mine"]]
    ciso_titles = [w["title"] for w in ciso_view["mine"]]
    assert "FY2027 budget" in cio_titles and "FY2027 budget" not in ciso_titles
    assert (
        "Project 2" in cio_titles and "Project 2" in ciso_titles
    )  # a proposed intake decision: nobody signed yet
    budget = next(w for w in cio_view["waiting"] if w["title"] == "FY2027 budget")
    assert budget["waiting_on"] == ["cio"] and budget["kind"] == "Budget submission"


def test_alignment_inputs_follow_the_data(org, people):
    populate(org, people)
    inputs = shared_picture(organization=org, user=people["cio"])["alignment"]["inputs"]
    assert inputs["agreement"] == {"open_risks": 3, "divergent": 1, "not_assessed": 1}
    assert inputs["accountability"] == {"activities": 5, "gaps": 1, "overlaps": 1}
    assert inputs["kpis"] == {"green": 1, "amber": 1, "red": 1, "stale": 1}
    assert inputs["linkage"] == {
        "security_budget": "400000.00",
        "linked_budget": "100000.00",
    }  # money as text
    assert inputs["latency"]["decided"] == 1 and inputs["latency"]["decided_on_time"] == 1


def _cold_and_warm(client, org) -> tuple[int, int]:
    """Queries of a request that computes the picture, then of one served from the cache."""
    url = f"/o/{org.slug}/dashboard/"
    bump_org_version(org.pk)
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    return len(cold), len(warm)


def test_query_count_is_pinned_and_flat(client_as, org, people):
    cio = client_as("cio")
    cio.get(f"/o/{org.slug}/dashboard/")  # content types and the like, cached for the process
    populate(org, people, size=1)
    small = _cold_and_warm(cio, org)
    from governance.models import RaciActivity, RaciParty
    from risks.models import Risk

    RaciActivity.objects.filter(organization=org).delete()
    RaciParty.objects.filter(organization=org).delete()
    Risk.objects.filter(organization=org).delete()
    from budgets.models import Proposal
    from governance.models import IntakeRequest
    from kpis.models import KPI

    Proposal.objects.filter(organization=org).delete()
    IntakeRequest.objects.filter(organization=org).delete()
    KPI.objects.filter(organization=org).delete()
    populate(org, people, size=10)  # ten times the rows
    large = _cold_and_warm(cio, org)
    assert cio.get(f"/o/{org.slug}/dashboard/").context["picture"]["risks"]["open"] == 30
    assert large == small
    cold, warm = large
    # Session, user, membership, session save and the reports being built; plus, when
    # computed, a fixed handful per section (risks 5, KPIs 1, budget 3, RACI 3, intake,
    # decisions 5, trend 1).
    assert warm <= 7 and cold <= 28


def test_lists_are_capped_while_counts_cover_everything(org, people):
    populate(org, people, size=10)
    for n in range(40, 50):
        make_intake(
            org, people["contributor"], number=n, days_ago=3, status="in_review", proposed_decision="approved"
        )
    # The ten decisions populate() proposed have waited three weeks for a signature.
    IntakeRequest.objects.filter(
        organization=org, proposed_decision="approved", submitted_at__lt=timezone.now() - timedelta(days=10)
    ).update(updated_at=timezone.now() - timedelta(days=21))
    data = dashboard_data(organization=org, user=people["cio"], role="cio", member_role="cio")
    picture = data["picture"]
    assert (picture["risks"]["divergent_count"], len(picture["risks"]["divergences"])) == (10, 5)
    assert (picture["risks"]["open"], len(picture["risks"]["top"])) == (30, 5)
    assert (picture["kpis"]["total"], len(picture["kpis"]["items"])) == (40, 5)
    assert [k["status"] for k in picture["kpis"]["items"]] == ["red"] * 5  # the worst first
    assert (picture["raci"]["problem_count"], len(picture["raci"]["problems"])) == (20, 8)
    decisions = picture["decisions"]
    assert (decisions["pending"], len(decisions["waiting"])) == (21, 16)
    assert (decisions["mine_count"], len(decisions["mine"])) == (21, 8)
    assert decisions["overdue"] == 10
    # A report lists every KPI.
    assert len(shared_picture(organization=org, user=people["cio"])["kpis"]["items"]) == 40


def test_every_tile_link_opens_its_filtered_list(client_as, org, people):
    populate(org, people)
    cio = client_as("cio")
    picture = cio.get(f"/o/{org.slug}/dashboard/").context["picture"]
    links = [
        url
        for section in ("risks", "kpis", "raci", "intake", "budget")
        for url in picture[section]["links"].values()
    ]
    links += [r["url"] for r in picture["risks"]["top"]] + [picture["budget"]["proposal"]["url"]]
    assert "?appetite=above&status=open" in picture["risks"]["links"]["above_appetite"]
    assert picture["risks"]["links"]["divergent"].endswith("?divergent=yes")
    for url in links:
        assert url and cio.get(url).status_code == 200, url


def test_dashboard_follows_reports_being_built(client_as, org, people):
    from governance.alignment import services

    report = services.report_request(actor=people["cio"], organization=org, enqueue=False)
    html = client_as("ciso").get(f"/o/{org.slug}/dashboard/").content.decode()
    assert f'hx-get="/o/{org.slug}/reports/{report.pk}/progress/"' in html
    assert "Waiting for a worker" in html


def test_method_page_explains_every_part(client_as, org):
    from governance.alignment.rules import PARTS

    html = client_as("board").get(f"/o/{org.slug}/alignment/method/").content.decode()
    for part in PARTS:
        assert part.label in html and part.measures in html
