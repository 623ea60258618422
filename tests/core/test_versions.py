"""No silent last-write-wins: every edit of a versioned record must send the
version it read, a malformed version is a 400 naming ``version`` (never a 500),
and an edit that changes nothing keeps the version and the sign-offs."""

import pytest

from governance.intake.services import intake_settings_get
from kpis.models import KPI
from tests.budgets.factories import ItemFactory, OptionFactory, ProposalFactory, make_link
from tests.governance.factories_intake import make_request
from tests.governance.factories_raci import RaciActivityFactory, RaciPartyFactory
from tests.kpis.factories import KPIFactory
from tests.risks.evidence_factories import add_link
from tests.risks.factories import make_risk, profile_outcome
from tests.risks.test_soa import _save as soa_line

pytestmark = pytest.mark.django_db

API = "/api/v1/orgs/acme"
MALFORMED = [
    "abc",
    "-1",
    "1.5",
    "99999999999999999999",
    "",
    " ",
    "1e3",
    "١",
    1.5,
    -1,
    0,
    True,
    10**40,
    [1],
    {"v": 1},
]


@pytest.fixture
def records(org, people):
    cio = people["cio"]
    risk = make_risk(org, cio)
    mitigation = risk.mitigations.create(organization=org, title="Offline backups", owner=cio)
    proposal = ProposalFactory(organization=org)
    item = ItemFactory(proposal=proposal)
    option = OptionFactory(item=item)
    link = make_link(item, make_risk(org, cio, title="Second risk"))
    intake = make_request(org, people["contributor"])
    return {
        "risk": (f"{API}/risks/{risk.pk}/", risk, {"title": "Renamed"}, "cio"),
        "mitigation": (f"{API}/risk-mitigations/{mitigation.pk}/", mitigation, {"title": "Renamed"}, "cio"),
        "kpi": (f"{API}/kpis/{{pk}}/", KPIFactory(organization=org), {"name": "Renamed"}, "cio"),
        "proposal": (f"{API}/budget/proposals/{proposal.pk}/", proposal, {"title": "Renamed"}, "cio"),
        "item": (f"{API}/budget/items/{item.pk}/", item, {"title": "Renamed"}, "cio"),
        "option": (f"{API}/budget/options/{option.pk}/", option, {"name": "Renamed"}, "cio"),
        "risk-link": (f"{API}/budget/risk-links/{link.pk}/", link, {"note": "Renamed"}, "cio"),
        "intake": (f"{API}/intake/requests/{intake.pk}/", intake, {"title": "Renamed"}, "contributor"),
        "intake-settings": (
            f"{API}/intake/settings/",
            intake_settings_get(organization=org),
            {"sla_high_days": 12},
            "cio",
        ),
        "raci-party": (
            f"{API}/raci/parties/{{pk}}/",
            RaciPartyFactory(organization=org),
            {"name": "Renamed"},
            "cio",
        ),
        "raci-activity": (
            f"{API}/raci/activities/{{pk}}/",
            RaciActivityFactory(organization=org),
            {"name": "Renamed"},
            "cio",
        ),
        "organization": (f"{API}/", org, {"risk_appetite": 9}, "cio"),
        "evidence": (f"{API}/evidence/{{pk}}/", add_link(org, cio), {"title": "Renamed"}, "cio"),
        "profile-outcome": (
            f"{API}/profile/outcomes/{{pk}}/",
            profile_outcome(org),
            {"notes": "Reviewed with the CISO"},
            "cio",
        ),
        "soa-line": (f"{API}/soa/lines/A.8.8/", soa_line(org, cio), {"justification": "Renamed"}, "cio"),
    }


RESOURCES = [
    "risk",
    "mitigation",
    "kpi",
    "proposal",
    "item",
    "option",
    "risk-link",
    "intake",
    "intake-settings",
    "raci-party",
    "raci-activity",
    "organization",
    "evidence",
    "profile-outcome",
    "soa-line",
]


def _target(records, name):
    url, obj, change, role = records[name]
    return url.format(pk=obj.pk), obj, change, role


@pytest.mark.parametrize("name", RESOURCES)
def test_a_patch_without_the_version_is_refused(client_as, records, name):
    url, obj, change, role = _target(records, name)
    before = obj.version
    response = client_as(role, api=True).patch(url, change, format="json")
    assert response.status_code == 400, (name, response.status_code, response.content[:200])
    assert "version" in response.json()["errors"]
    obj.refresh_from_db()
    assert obj.version == before
    ok = client_as(role, api=True).patch(url, {**change, "version": before}, format="json")
    assert ok.status_code == 200, (name, ok.content[:300])


@pytest.mark.parametrize("bad", MALFORMED, ids=repr)
@pytest.mark.parametrize("name", RESOURCES)
def test_a_malformed_version_is_a_400_naming_it(client_as, records, name, bad):
    url, obj, change, role = _target(records, name)
    response = client_as(role, api=True).patch(url, {**change, "version": bad}, format="json")
    assert response.status_code == 400, (name, bad, response.status_code, response.content[:200])
    assert "version" in response.json()["errors"]


@pytest.mark.parametrize("bad", ["abc", "-1", "1.5", "99999999999999999999"])
def test_a_malformed_version_on_delete_is_a_400(client_as, records, bad):
    url, obj, _change, role = _target(records, "risk")
    response = client_as(role, api=True).delete(f"{url}?version={bad}")
    assert response.status_code == 400 and "version" in response.json()["errors"]
    obj.refresh_from_db()


def test_every_patch_and_put_in_the_schema_is_covered():
    """A new editable resource must join RESOURCES above (and so these tests)."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    covered = {
        "/api/v1/orgs/{org_slug}/risks/{id}/",
        "/api/v1/orgs/{org_slug}/risk-mitigations/{id}/",
        "/api/v1/orgs/{org_slug}/kpis/{id}/",
        "/api/v1/orgs/{org_slug}/budget/proposals/{id}/",
        "/api/v1/orgs/{org_slug}/budget/items/{id}/",
        "/api/v1/orgs/{org_slug}/budget/options/{id}/",
        "/api/v1/orgs/{org_slug}/budget/risk-links/{id}/",
        "/api/v1/orgs/{org_slug}/intake/requests/{id}/",
        "/api/v1/orgs/{org_slug}/intake/settings/",
        "/api/v1/orgs/{org_slug}/raci/parties/{id}/",
        "/api/v1/orgs/{org_slug}/raci/activities/{id}/",
        "/api/v1/orgs/{org_slug}/",
        "/api/v1/orgs/{org_slug}/memberships/{id}/",
        "/api/v1/orgs/{org_slug}/evidence/{id}/",
        "/api/v1/orgs/{org_slug}/profile/outcomes/{id}/",
        "/api/v1/orgs/{org_slug}/soa/lines/{code}/",
    }  # memberships carry no version (role changes)
    writable = {path for path, methods in schema["paths"].items() if {"patch", "put"} & set(methods)}
    assert writable <= covered, sorted(writable - covered)


@pytest.mark.parametrize(
    "name", ["risk", "mitigation", "kpi", "item", "option", "intake", "raci-activity", "organization"]
)
def test_a_patch_that_changes_nothing_keeps_the_version(client_as, records, name):
    url, obj, _change, role = _target(records, name)
    client = client_as(role, api=True)
    current = client.get(url).json()
    field = {
        "risk": "title",
        "mitigation": "title",
        "kpi": "name",
        "item": "title",
        "option": "name",
        "intake": "title",
        "raci-activity": "name",
        "organization": "risk_appetite",
    }[name]
    response = client.patch(url, {field: current[field], "version": obj.version}, format="json")
    assert response.status_code == 200, response.content[:300]
    before = obj.version
    obj.refresh_from_db()
    assert obj.version == before and response.json()["version"] == before


def test_a_patch_that_changes_nothing_keeps_the_sign_offs(client_as, records):
    url, proposal, _change, _role = _target(records, "proposal")
    item = records["item"][1]
    cio = client_as("cio", api=True)
    assert cio.post(f"{url}start-review/", {}, format="json").status_code == 200
    assert cio.post(f"{url}sign/", {"decision": "approve"}, format="json").status_code == 200
    signed = cio.get(url).json()
    assert len(signed["signoffs"]) == 1
    same = cio.patch(
        f"{API}/budget/items/{item.pk}/", {"title": item.title, "version": item.version}, format="json"
    )
    assert same.status_code == 200
    assert cio.get(url).json()["signoffs"] == signed["signoffs"]
    assert cio.get(url).json()["version"] == signed["version"]
    changed = cio.patch(
        f"{API}/budget/items/{item.pk}/", {"title": "Other", "version": item.version}, format="json"
    )
    assert changed.status_code == 200
    [voided] = cio.get(url).json()["signoffs"]
    assert voided["state"] == "voided" and voided["voided_at"] and voided["void_reason"]


# ------------------------------------------------------------------ pages ----


def test_page_edits_need_the_version(client_as, org, people):
    risk = make_risk(org, people["cio"])
    kpi = KPIFactory(organization=org)
    body = {
        "title": "Renamed",
        "impact_statement": "x",
        "category": risk.category,
        "origin": risk.origin,
        "owner": people["cio"].pk,
        "status": risk.status,
    }
    client = client_as("cio")
    for version in (None, "abc", "-1", "1.5", "99999999999999999999"):
        data = body if version is None else {**body, "version": version}
        response = client.post(f"/o/acme/risks/{risk.pk}/edit/", data)
        assert response.status_code in (200, 400) and "version" in response.context["form"].errors, version
    risk.refresh_from_db()
    assert risk.title != "Renamed" and risk.version == 1
    kpi_body = {
        f: getattr(kpi, f)
        for f in ("name", "domain", "unit", "direction", "target", "warning", "critical", "frequency")
    }
    response = client.post(f"/o/acme/kpis/{kpi.pk}/edit/", {**kpi_body, "name": "Renamed"})
    assert "version" in response.context["form"].errors
    assert KPI.objects.get(pk=kpi.pk).name == kpi.name
    response = client.post(
        f"/o/acme/kpis/{kpi.pk}/edit/", {**kpi_body, "name": "Renamed", "version": kpi.version}
    )
    assert response.status_code == 302 and KPI.objects.get(pk=kpi.pk).name == "Renamed"


def test_page_delete_with_a_malformed_version_is_refused_not_a_500(client_as, org, people):
    risk = make_risk(org, people["cio"])
    response = client_as("cio").post(f"/o/acme/risks/{risk.pk}/delete/", {"version": "abc"})
    assert response.status_code < 500
    assert risk.__class__.objects.filter(pk=risk.pk).exists()


def test_every_edit_page_carries_the_version_it_shows(client_as, records, org):
    """The hidden field the edit now requires is on every edit page, filled with the record's version."""
    import re

    risk, mitigation = records["risk"][1], records["mitigation"][1]
    pages = {
        f"/o/acme/risks/{risk.pk}/edit/": risk,
        f"/o/acme/risks/{risk.pk}/mitigations/{mitigation.pk}/edit/": mitigation,
        f"/o/acme/kpis/{records['kpi'][1].pk}/edit/": records["kpi"][1],
        f"/o/acme/budget/{records['proposal'][1].pk}/edit/": records["proposal"][1],
        f"/o/acme/budget/items/{records['item'][1].pk}/edit/": records["item"][1],
        f"/o/acme/budget/options/{records['option'][1].pk}/edit/": records["option"][1],
        f"/o/acme/budget/risk-links/{records['risk-link'][1].pk}/edit/": records["risk-link"][1],
        f"/o/acme/intake/{records['intake'][1].pk}/edit/": records["intake"][1],
        "/o/acme/intake/settings/": records["intake-settings"][1],
        f"/o/acme/raci/parties/{records['raci-party'][1].pk}/": records["raci-party"][1],
        f"/o/acme/raci/activities/{records['raci-activity'][1].pk}/": records["raci-activity"][1],
        "/o/acme/settings/": org,
    }
    for url, obj in pages.items():
        role = "contributor" if "/intake/" in url and "settings" not in url else "cio"
        html = client_as(role).get(url).content.decode()
        assert re.search(rf'name="version" value="{obj.version}"', html), url
