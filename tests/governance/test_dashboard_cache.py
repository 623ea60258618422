"""The dashboard's cache: a hit is cheap, every write shows at once, and no
viewer ever gets another viewer's (or organization's) picture."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from budgets.models import Proposal
from core import cache as org_cache
from core.models import Membership
from core.roles import Perm, Role, roles_with
from core.services import signoff_sign, signoff_withdraw
from governance.alignment import services as report_services
from governance.alignment.selectors.dashboard import dashboard_data
from kpis.services import measurements_bulk_upsert
from risks.models import Risk
from tests.risks.factories import make_risk as make_risk_through_service
from tests.testapp.models import Document

from .factories_reports import make_kpi, make_risk, populate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _get(client, org):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/o/{org.slug}/dashboard/")
    assert response.status_code == 200
    return response.context, len(queries)


def _risks(client, org) -> dict:
    return _get(client, org)[0]["picture"]["risks"]


def test_a_hit_costs_fewer_queries_and_serves_the_same_picture(client_as, org, people):
    populate(org, people)
    cio = client_as("cio")
    cold, cold_queries = _get(cio, org)
    warm, warm_queries = _get(cio, org)
    assert warm["picture"] == cold["picture"] and warm["trend"] == cold["trend"]
    assert str(warm["charts"]["gauge"]) == str(cold["charts"]["gauge"])
    # Session, user, membership, … and the reports being built (live): nothing of the picture.
    assert warm_queries <= 8 < cold_queries


def test_a_risk_created_through_the_service_shows_at_once(client_as, org, people):
    populate(org, people)
    cio = client_as("cio")
    before = _risks(cio, org)["open"]
    make_risk_through_service(org, people["cio"], title="Flooded server room")
    assert _risks(cio, org)["open"] == before + 1


def test_a_risk_written_straight_to_the_model_shows_at_once(client_as, org, people):
    populate(org, people)
    cio = client_as("cio")
    before = _risks(cio, org)
    make_risk(org, people["cio"], number=99, cio=(5, 5), ciso=(5, 5), title="Top of the list now")
    after = _risks(cio, org)
    assert after["open"] == before["open"] + 1
    assert "Top of the list now" in [r["title"] for r in after["top"]]


def test_an_update_and_a_delete_show_at_once(client_as, org, people):
    populate(org, people)
    cio = client_as("cio")
    top = Risk.objects.get(organization=org, title="Ransomware on clinical systems 0")
    assert _risks(cio, org)["top"][0]["title"] == top.title
    top.title = "Renamed risk"
    top.save()
    assert _risks(cio, org)["top"][0]["title"] == "Renamed risk"
    before = _risks(cio, org)["open"]
    top.delete()
    assert _risks(cio, org)["open"] == before - 1


def test_the_rendered_body_is_cached_with_the_data(client_as, org, people):
    populate(org, people)
    cio = client_as("cio")
    url = f"/o/{org.slug}/dashboard/"
    assert "Ransomware on clinical systems 0" in cio.get(url).content.decode()
    # A write that sends no signal and bumps nothing: the cached page stays as it was …
    Risk.objects.filter(organization=org, title="Ransomware on clinical systems 0").update(
        title="Quietly renamed"
    )
    assert "Quietly renamed" not in cio.get(url).content.decode()
    # … until the next signalled write of the organization's data.
    Risk.objects.get(organization=org, title="Quietly renamed").save()
    assert "Quietly renamed" in cio.get(url).content.decode()


def test_writes_that_send_no_signal_bump_the_version(client_as, org, people):
    populate(org, people)
    cio = client_as("cio")
    proposal = Proposal.objects.get(organization=org)
    signoff_sign(actor=people["ciso"], subject=proposal, purpose="submission")
    mine = [w["title"] for w in _get(cio, org)[0]["picture"]["decisions"]["mine"]]
    assert "FY2027 budget" in mine
    signoff_withdraw(actor=people["ciso"], subject=proposal, purpose="submission")  # a queryset .update()
    waiting = _get(cio, org)[0]["picture"]["decisions"]["waiting"]
    assert next(w for w in waiting if w["title"] == "FY2027 budget")["waiting_on"] == ["cio", "ciso"]

    kpi = make_kpi(org, name="Backup success")
    assert _get(cio, org)[0]["picture"]["kpis"]["stale"] == 2
    period = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    measurements_bulk_upsert(
        actor=people["cio"],
        organization=org,
        source="api",  # bulk_create
        items=[{"kpi": kpi.pk, "period": period.isoformat(), "value": "99"}],
    )
    assert _get(cio, org)[0]["picture"]["kpis"]["stale"] == 1


def test_a_change_in_another_organization_keeps_this_cache(client_as, org, other_org, people):
    populate(org, people)
    cio = client_as("cio")
    _get(cio, org)
    version = org_cache.org_version(org.pk)
    make_risk(other_org, people["outsider"], number=1, title="Elsewhere")
    assert org_cache.org_version(org.pk) == version
    _, queries = _get(cio, org)
    assert queries <= 8


def test_each_viewer_and_role_has_its_own_picture(client_as, org, people):
    populate(org, people)
    proposal = Proposal.objects.get(organization=org)
    signoff_sign(actor=people["ciso"], subject=proposal, purpose="submission")
    cio_page = client_as("cio").get(f"/o/{org.slug}/dashboard/")
    ciso_page = client_as("ciso").get(f"/o/{org.slug}/dashboard/")
    assert "· as CIO" in cio_page.content.decode() and "· as CISO" in ciso_page.content.decode()
    cio_view, ciso_view = cio_page.context["picture"]["decisions"], ciso_page.context["picture"]["decisions"]
    assert cio_view["for_role"] == "cio" and ciso_view["for_role"] == "ciso"
    assert "FY2027 budget" in [w["title"] for w in cio_view["mine"]]
    assert "FY2027 budget" not in [w["title"] for w in ciso_view["mine"]]


def test_only_executives_see_it_and_nobody_else_reads_their_cached_picture(client_as, org, people):
    assert sorted(roles_with(Perm.DASHBOARD_VIEW)) == ["cio", "ciso"]
    populate(org, people)
    _get(client_as("cio"), org)
    for role in ("board", "contributor", "admin", "outsider"):
        assert client_as(role).get(f"/o/{org.slug}/dashboard/").status_code == 404, role


def test_a_role_change_is_a_new_picture(org, people):
    """Keyed by viewer and role, and a membership change bumps the version: a
    former CIO who became a board member reads what a board member may see."""
    populate(org, people)
    cio = people["cio"]
    as_cio = dashboard_data(organization=org, user=cio, role=Role.CIO, member_role=Role.CIO)
    assert as_cio["picture"]["risks"]["open"] == 3
    membership = Membership.objects.get(organization=org, user=cio)
    membership.role = Role.BOARD
    membership.save()
    as_board = dashboard_data(organization=org, user=cio, role=None, member_role=Role.BOARD)
    assert as_board["picture"]["risks"]["open"] == 0 and as_board["picture"]["decisions"]["for_role"] is None


def test_the_key_separates_organizations(org, other_org, people):
    populate(org, people)
    outsider = people["outsider"]
    here = dashboard_data(organization=org, user=people["cio"], role=Role.CIO, member_role=Role.CIO)
    there = dashboard_data(organization=other_org, user=outsider, role=Role.CIO, member_role=Role.CIO)
    assert here["picture"]["risks"]["open"] == 3 and there["picture"]["risks"]["open"] == 0


def test_reports_read_fresh_figures_not_the_cache(client_as, org, people):
    populate(org, people)
    _get(client_as("cio"), org)  # cached
    # A write that bypasses every signal and bump: only an uncached read can see it.
    Risk.objects.filter(organization=org, title="Ransomware on clinical systems 0").update(
        title="Fresh title"
    )
    report = report_services.report_request(actor=people["cio"], organization=org, enqueue=False)
    built = report_services.report_build(report_id=report.pk)
    assert built.snapshot["risks"]["top"][0]["title"] == "Fresh title"


def test_the_generic_kind_of_subject_waits_for_the_other_signature(client_as, org, people):
    """A kind of subject the dashboard does not know (here the test app's
    document) still shows while only one executive signed it."""
    from core.services import record_creation

    document = Document(organization=org, title="Disaster recovery plan")
    record_creation(document, actor=people["cio"])
    signoff_sign(actor=people["cio"], subject=document, purpose="approval")
    decisions = _get(client_as("ciso"), org)[0]["picture"]["decisions"]
    row = next(w for w in decisions["mine"] if w["title"] == "Disaster recovery plan")
    assert row["waiting_on"] == ["ciso"] and decisions["mine_count"] == 1
