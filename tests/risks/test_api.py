"""API: role contract of every endpoint, filters, pinned query count,
own-lens rule, agreement, acceptance, concurrency (409), validation (400)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from risks import services
from risks.models import Risk, RiskStatus

from ..contract import expect_api
from .factories import LOSS, assessed_risk, make_risk

pytestmark = pytest.mark.django_db
EXECS = {"cio", "ciso"}
BASE = "/api/v1/orgs/acme"


@pytest.fixture
def risk(org, people):
    r = assessed_risk(org, people, cio=(2, 2), ciso=(4, 5), **LOSS)
    services.mitigation_create(actor=people["cio"], risk=r, title="EDR rollout", owner=people["ciso"])
    return r


@pytest.mark.parametrize(
    "path",
    [
        "risks/",
        "risks/{pk}/",
        "risks/heatmap/",
        "risks/heatmap/?matrix=residual",
        "risks/summary/",
        "risks/{pk}/signoffs/",
        "risk-assessments/",
        "risk-mitigations/",
        "risk-mitigations/{mpk}/",
        "risk-catalogues/csf-categories/",
        "risk-catalogues/annex-a-controls/",
    ],
)
def test_every_read_endpoint_keeps_the_role_contract(client_as, risk, path):
    url = f"{BASE}/" + path.format(pk=risk.pk, mpk=risk.mitigations.get().pk)
    expect_api(client_as, url, allowed=EXECS)


@pytest.mark.parametrize(
    "path",
    [
        "risks/",
        "risks/{pk}/assessment/",
        "risks/{pk}/agreement/",
        "risks/{pk}/agreement/confirm/",
        "risks/{pk}/agreement/decline/",
        "risks/{pk}/acceptance/",
        "risks/{pk}/sign/",
        "risks/{pk}/withdraw/",
        "risks/{pk}/acceptance/end/",
        "risk-mitigations/",
    ],
)
def test_every_write_endpoint_is_invisible_to_other_roles(client_as, risk, path):
    url = f"{BASE}/" + path.format(pk=risk.pk)
    # Executives reach the service (which may refuse the empty payload with 400/403); others get 404.
    expect_api(client_as, url, allowed=EXECS, method="post", data={}, ok_status=(200, 201, 400, 403))


def test_patch_and_delete_keep_the_contract(client_as, risk):
    expect_api(
        client_as,
        f"{BASE}/risks/{risk.pk}/",
        allowed=EXECS,
        method="patch",
        data={"title": "Renamed", "version": risk.version},
        ok_status=(200, 409),
    )
    mitigation = risk.mitigations.get()
    expect_api(
        client_as,
        f"{BASE}/risk-mitigations/{mitigation.pk}/",
        allowed=EXECS,
        method="patch",
        data={"title": "Renamed", "version": mitigation.version},
        ok_status=(200, 409),
    )


def test_list_query_count_is_the_same_at_10_and_500_risks(
    client_as, org, people, django_assert_max_num_queries
):
    from .test_pages import _make_many

    client = client_as("cio", api=True)
    client.get(f"{BASE}/risks/")  # warm caches (content types, sessions)
    counts = {}
    for size, more in (("small", 10), ("large", 490)):
        _make_many(org, people, more)
        with django_assert_max_num_queries(10) as cold:  # the total is counted after a change…
            assert client.get(f"{BASE}/risks/?page_size=500&sort=-score").status_code == 200
        with django_assert_max_num_queries(9) as warm:  # …and then read from the cache
            response = client.get(f"{BASE}/risks/?page_size=500&sort=-score")
        counts[size] = (len(cold.captured_queries), len(warm.captured_queries))
    assert (
        response.status_code == 200 and response.data["count"] == 500 and len(response.data["results"]) == 500
    )
    assert counts["small"] == counts["large"] and counts["small"][1] == counts["small"][0] - 1


def test_create_validates_and_returns_the_risk(client_as, org, people):
    client = client_as("ciso", api=True)
    response = client.post(
        f"{BASE}/risks/",
        {
            "title": "Shadow IT",
            "impact_statement": "Data leaks.",
            "category": "data_protection",
            "origin": "security",
            "owner": people["outsider"].pk,
            "csf_categories": ["PR.XX"],
        },
    )
    assert response.status_code == 400 and {"owner", "csf_categories"} <= set(response.data["errors"])
    response = client.post(
        f"{BASE}/risks/",
        {
            "title": "Shadow IT",
            "impact_statement": "Data leaks.",
            "category": "data_protection",
            "origin": "security",
            "owner": people["cio"].pk,
            "csf_categories": ["PR.DS"],
            "loss_low": "10",
            "loss_most_likely": "5",
            "loss_high": "20",
            "events_per_year": "1",
        },
    )
    assert (
        response.status_code == 400
        and "loss_high" in response.data["errors"]
        or "loss_most_likely" in response.data["errors"]
    )
    response = client.post(
        f"{BASE}/risks/",
        {
            "title": "Shadow IT",
            "impact_statement": "Data leaks.",
            "category": "data_protection",
            "origin": "security",
            "owner": people["cio"].pk,
            "csf_categories": ["PR.DS"],
            **{k: str(v) for k, v in LOSS.items()},
        },
    )
    assert response.status_code == 201, response.data
    assert response.data["reference"] == "R-001" and response.data["expected_annual_loss"] == "34166.67"
    assert response.data["csf_categories"] == ["PR.DS"] and response.data["level"] == ""


def test_filters_and_bad_filter_values(client_as, org, people):
    assessed_risk(org, people, title="High", cio=(4, 4), ciso=(4, 4))
    assessed_risk(org, people, title="Split", cio=(1, 2), ciso=(4, 5))
    client = client_as("cio", api=True)
    titles = lambda q: [r["title"] for r in client.get(f"{BASE}/risks/?{q}").data["results"]]  # noqa: E731
    assert titles("divergent=yes") == ["Split"]
    assert titles("level=high") == ["High"]
    assert titles("search=spl") == ["Split"]
    assert titles("ordering=title") == ["High", "Split"]
    response = client.get(f"{BASE}/risks/?level=extreme")
    assert response.status_code == 400 and "level" in response.data["errors"]


def test_each_lens_writes_only_its_own(client_as, org, people):
    risk = make_risk(org, people["cio"])
    body = {
        "inherent_likelihood": 3,
        "inherent_impact": 4,
        "residual_likelihood": 1,
        "residual_impact": 2,
        "rationale": "Evidence.",
    }
    response = client_as("cio", api=True).post(
        f"{BASE}/risks/{risk.pk}/assessment/", {**body, "lens": "ciso"}
    )
    assert response.status_code == 403 and response.data["errors"] == {"lens": [response.data["detail"]]}
    response = client_as("cio", api=True).post(f"{BASE}/risks/{risk.pk}/assessment/", body)
    assert (
        response.status_code == 200
        and response.data["cio_score"] == 12
        and response.data["ciso_score"] is None
    )
    response = client_as("ciso", api=True).post(
        f"{BASE}/risks/{risk.pk}/assessment/", {**body, "inherent_likelihood": 6}
    )
    assert response.status_code == 400 and "inherent_likelihood" in response.data["errors"]


def test_stale_version_answers_409(client_as, org, people):
    risk = make_risk(org, people["cio"])
    cio, ciso = client_as("cio", api=True), client_as("ciso", api=True)
    assert cio.patch(f"{BASE}/risks/{risk.pk}/", {"title": "A", "version": 1}).status_code == 200
    response = ciso.patch(f"{BASE}/risks/{risk.pk}/", {"title": "B", "version": 1})
    assert response.status_code == 409 and response.data["code"] == "conflict"
    assert Risk.objects.get().title == "A"


def test_agreement_and_acceptance_through_the_api(client_as, org, people):
    risk = assessed_risk(org, people, cio=(3, 4), ciso=(4, 5))
    cio, ciso = client_as("cio", api=True), client_as("ciso", api=True)
    url = f"{BASE}/risks/{risk.pk}"
    ratings = {
        "inherent_likelihood": 4,
        "inherent_impact": 4,
        "residual_likelihood": 2,
        "residual_impact": 2,
        "rationale": "Agreed.",
    }
    assert ciso.post(f"{url}/agreement/", ratings).status_code == 200
    assert ciso.post(f"{url}/agreement/confirm/").status_code == 403
    response = cio.post(f"{url}/agreement/confirm/")
    assert (
        response.status_code == 200 and response.data["is_agreed"] and response.data["divergence_levels"] == 0
    )
    expires = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = cio.post(f"{url}/acceptance/", {"justification": "", "expires_on": expires})
    assert response.status_code == 400 and "justification" in response.data["errors"]
    response = cio.post(f"{url}/acceptance/", {"justification": "Fix funded.", "expires_on": expires})
    assert response.status_code == 200 and response.data["acceptance"]["in_force"] is False
    assert cio.post(f"{url}/sign/", {"decision": "approve"}).data["acceptance"]["in_force"] is False
    response = ciso.post(f"{url}/sign/", {"decision": "reject"})
    assert response.status_code == 400 and "comment" in response.data["errors"]
    assert ciso.post(f"{url}/sign/", {"decision": "approve"}).status_code == 200
    detail = cio.get(f"{url}/").data
    assert detail["status"] == RiskStatus.ACCEPTED and detail["acceptance"]["in_force"] is True
    assert len(cio.get(f"{url}/signoffs/").data) == 2


def test_signoffs_endpoint_lists_withdrawn_and_voided_ones_with_their_state(client_as, org, people):
    risk = assessed_risk(org, people, cio=(3, 4), ciso=(3, 4))
    cio = client_as("cio", api=True)
    url = f"{BASE}/risks/{risk.pk}"
    expires = (timezone.localdate() + timedelta(days=30)).isoformat()
    assert (
        cio.post(f"{url}/acceptance/", {"justification": "Fix funded.", "expires_on": expires}).status_code
        == 200
    )
    assert cio.post(f"{url}/sign/", {"decision": "approve"}).status_code == 200
    assert cio.post(f"{url}/withdraw/").status_code == 200
    assert cio.post(f"{url}/sign/", {"decision": "approve"}).status_code == 200
    version = cio.get(f"{url}/").data["version"]
    changed = cio.post(
        f"{url}/acceptance/",
        {"justification": "Fix funded next year.", "expires_on": expires, "version": version},
    )
    assert changed.status_code == 200, changed.data
    rows = cio.get(f"{url}/signoffs/").data
    assert sorted(row["state"] for row in rows) == ["voided", "withdrawn"]
    assert all(row["voided_at"] and row["void_reason"] for row in rows)


def test_heatmap_matches_register(client_as, org, people):
    assessed_risk(org, people, cio=(4, 5), ciso=(4, 5))
    data = client_as("cio", api=True).get(f"{BASE}/risks/heatmap/").data
    cell = next(c for c in data["cells"] if (c["likelihood"], c["impact"]) == (4, 5))
    assert data["total"] == 1 and cell == {
        "likelihood": 4,
        "impact": 5,
        "score": 20,
        "level": "critical",
        "count": 1,
    }
    listed = client_as("cio", api=True).get(f"{BASE}/risks/?matrix=inherent&cell=4-5").data["count"]
    assert listed == cell["count"]


def test_mitigations_crud_and_conflict(client_as, org, people):
    risk = make_risk(org, people["cio"])
    client = client_as("ciso", api=True)
    response = client.post(
        f"{BASE}/risk-mitigations/",
        {"risk": risk.pk, "title": "EDR", "owner": people["cio"].pk, "cost": "-1"},
    )
    assert response.status_code == 400 and "cost" in response.data["errors"]
    response = client.post(
        f"{BASE}/risk-mitigations/",
        {"risk": risk.pk, "title": "EDR", "owner": people["cio"].pk, "due_date": "2000-01-01"},
    )
    assert response.status_code == 201 and response.data["is_overdue"] is True
    pk = response.data["id"]
    assert client.patch(f"{BASE}/risk-mitigations/{pk}/", {"status": "done", "version": 1}).status_code == 200
    assert (
        client.patch(f"{BASE}/risk-mitigations/{pk}/", {"status": "planned", "version": 1}).status_code == 409
    )
    assert client.delete(f"{BASE}/risk-mitigations/{pk}/").status_code == 204


def test_catalogues_are_complete_and_searchable(client_as, people):
    client = client_as("ciso", api=True)
    assert len(client.get(f"{BASE}/risk-catalogues/csf-categories/").data) == 22
    controls = client.get(f"{BASE}/risk-catalogues/annex-a-controls/").data
    assert len(controls) == 93
    assert {c["theme"] for c in controls} == {"organizational", "people", "physical", "technological"}
    found = client.get(f"{BASE}/risk-catalogues/annex-a-controls/?search=vulnerab").data
    assert [c["code"] for c in found] == ["A.8.8"]


def test_schema_documents_the_risk_endpoints(client_as):
    response = client_as("cio").get("/api/schema/")
    text = response.content.decode()
    assert response.status_code == 200
    for needle in (
        "/api/v1/orgs/{org_slug}/risks/{id}/sign/",
        "/api/v1/orgs/{org_slug}/risks/heatmap/",
        "The CISO's view",
        "Request a joint acceptance",
    ):
        assert needle in text
