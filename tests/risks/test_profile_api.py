"""The CSF profile API: /api/v1/orgs/<org>/profile/ and /profile/outcomes/."""

import pytest

from core.roles import Role
from core.selectors import signoff_status
from risks.profile import services

from .factories import make_risk, profile_outcome

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme/profile"


def test_list_filters_and_pagination(client_as, org, people):
    services.outcome_assess(actor=people[Role.CIO], outcome=profile_outcome(org, "PR.AA-01"), level=3)
    api = client_as("contributor", api=True)
    data = api.get(f"{BASE}/outcomes/").json()
    assert data["count"] == 106 and len(data["results"]) == 50
    first = data["results"][0]
    assert first["subcategory"] == "GV.OC-01" and first["function"] == "GV" and first["risks"] == []
    pr = api.get(f"{BASE}/outcomes/?function=PR&gap=false").json()
    assert [o["subcategory"] for o in pr["results"]] == ["PR.AA-01"]
    assert api.get(f"{BASE}/outcomes/?gap=true").json()["count"] == 105
    assert api.get(f"{BASE}/outcomes/?owner_lens=joint&category=ID.AM").json()["count"] == 7
    assert api.get(f"{BASE}/outcomes/?search=mission").json()["count"] >= 1


def test_the_profile_answers_progress_and_sign_off(client_as, org, people):
    api = client_as("cio", api=True)
    profiles = api.get(f"{BASE}/").json()
    assert len(profiles) == 1 and profiles[0]["catalogue"] == "2.0"
    assert profiles[0]["progress"]["sentence"] == "0% of target outcomes met"
    pk = profiles[0]["id"]
    assert api.post(f"{BASE}/{pk}/sign/", {"decision": "approve"}, format="json").status_code == 200
    answer = (
        client_as("ciso", api=True).post(f"{BASE}/{pk}/sign/", {"decision": "approve"}, format="json").json()
    )
    assert answer["target_signed"] is True and len(answer["signoffs"]) == 2


def test_a_target_change_through_the_api_voids_the_sign_off(client_as, org, people):
    profile = services.profile_get_or_create(organization=org)
    services.profile_sign(actor=people[Role.CIO], profile=profile)
    services.profile_sign(actor=people[Role.CISO], profile=profile)
    outcome = profile_outcome(org, "GV.OC-01")
    api = client_as("ciso", api=True)
    response = api.patch(
        f"{BASE}/outcomes/{outcome.pk}/", {"target_level": 3, "version": outcome.version}, format="json"
    )
    assert response.status_code == 200 and response.json()["target_level"] == 3
    profile.refresh_from_db()
    assert not signoff_status(profile, services.TARGET_PURPOSE).approved


def test_assess_and_errors_name_the_field(client_as, org, people):
    outcome = profile_outcome(org, "GV.OC-01")
    ciso = client_as("ciso", api=True)
    answer = ciso.post(f"{BASE}/outcomes/{outcome.pk}/assess/", {"level": 2}, format="json").json()
    assert answer["ciso_level"] == 2 and answer["current_level_label"] == "Largely implemented"
    refused = client_as("cio", api=True).post(
        f"{BASE}/outcomes/{outcome.pk}/assess/", {"level": 2}, format="json"
    )
    assert refused.status_code == 403 and "level" in refused.json()["errors"]
    bad = ciso.post(f"{BASE}/outcomes/{outcome.pk}/assess/", {"level": 5}, format="json")
    assert bad.status_code == 400 and "level" in bad.json()["errors"]
    missing = ciso.patch(f"{BASE}/outcomes/{outcome.pk}/", {"target_level": 3}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()["errors"]
    stale = ciso.patch(f"{BASE}/outcomes/{outcome.pk}/", {"target_level": 3, "version": 99}, format="json")
    assert stale.status_code == 409
    out = ciso.patch(
        f"{BASE}/outcomes/{outcome.pk}/", {"in_scope": False, "version": outcome.version + 1}, format="json"
    )
    assert out.status_code == 400 and "scope_reason" in out.json()["errors"]
    tiers = ciso.post(f"{BASE}/{outcome.profile_id}/tiers/", {"target_tiers": {"GV": 9}}, format="json")
    assert tiers.status_code == 400 and "target_tiers.GV" in tiers.json()["errors"]


def test_risks_by_reference(client_as, org, people):
    outcome = profile_outcome(org, "DE.CM-01")
    risk = make_risk(org, people[Role.CIO])
    api = client_as("ciso", api=True)
    answer = api.post(f"{BASE}/outcomes/{outcome.pk}/risks/", {"risks": [risk.reference]}, format="json")
    assert answer.status_code == 200 and answer.json()["risks"] == [risk.reference]
    bad = api.post(f"{BASE}/outcomes/{outcome.pk}/risks/", {"risks": ["R-999"]}, format="json")
    assert bad.status_code == 400 and "risks" in bad.json()["errors"]
    assert client_as("contributor", api=True).get(f"{BASE}/outcomes/{outcome.pk}/").json()["risks"] == []


def test_other_roles_and_organizations(client_as, org):
    outcome = profile_outcome(org, "GV.OC-01")
    assert client_as("board", api=True).get(f"{BASE}/outcomes/").status_code == 404
    assert client_as("outsider", api=True).get(f"{BASE}/outcomes/{outcome.pk}/").status_code == 404
    assert (
        client_as("contributor", api=True)
        .patch(f"{BASE}/outcomes/{outcome.pk}/", {"notes": "x", "version": 1}, format="json")
        .status_code
        == 403
    )


@pytest.mark.parametrize("links", [0, 40])
def test_the_list_costs_the_same_whatever_the_links(
    client_as, org, people, links, django_assert_max_num_queries
):
    api = client_as("cio", api=True)
    api.get(f"{BASE}/outcomes/")
    risks = [make_risk(org, people[Role.CIO], title=f"Risk {i}") for i in range(3)]
    for outcome in list(services.profile_get_or_create(organization=org).outcomes.all())[:links]:
        services.outcome_set_risks(actor=people[Role.CIO], outcome=outcome, risks=risks)
    with django_assert_max_num_queries(12):
        response = api.get(f"{BASE}/outcomes/?page_size=200")
    assert response.status_code == 200 and len(response.json()["results"]) == 106
