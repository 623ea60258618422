"""Intake API: contract, own-requests visibility, the flow through the API, errors, query counts."""

import pytest
from django.core import mail
from django.utils import timezone

from core.roles import Role
from governance.models import IntakeRequest, IntakeStatus
from tests.contract import expect_api
from tests.factories import member

from .factories_intake import filing_values, make_request

FILERS = {"cio", "ciso", "contributor"}
REVIEWERS = {"cio", "ciso"}
BASE = "/api/v1/orgs/acme/intake"


@pytest.fixture
def own(org, people):
    return make_request(org, people["contributor"], title="Mine")


def test_read_contract(client_as, own):
    expect_api(client_as, f"{BASE}/requests/", allowed=FILERS)
    expect_api(client_as, f"{BASE}/requests/{own.pk}/", allowed=FILERS)
    expect_api(client_as, f"{BASE}/requests/{own.pk}/comments/", allowed=FILERS)
    expect_api(client_as, f"{BASE}/settings/", allowed=REVIEWERS)


def test_reviewer_actions_are_403_for_contributors(client_as, own):
    for path, data in (
        ("start-review", {}),
        ("request-information", {"question": "?"}),
        ("options", {"title": "x", "security_score": 3}),
        ("conditions", {"text": "x"}),
        ("propose", {"decision": "approved", "rationale": "x"}),
        ("sign", {}),
    ):
        response = client_as("contributor", api=True).post(
            f"{BASE}/requests/{own.pk}/{path}/", data, format="json"
        )
        assert response.status_code == 403, path


def test_contributor_sees_only_own(client_as, org, own):
    colleague = member(org, Role.CONTRIBUTOR, email="colleague@acme.test")
    theirs = make_request(org, colleague, title="Theirs")
    client = client_as("contributor", api=True)
    assert [r["title"] for r in client.get(f"{BASE}/requests/").json()["results"]] == ["Mine"]
    assert client.get(f"{BASE}/requests/{theirs.pk}/").status_code == 404
    assert (
        client.post(f"{BASE}/requests/{theirs.pk}/comments/", {"body": "hi"}, format="json").status_code
        == 404
    )
    assert client_as("cio", api=True).get(f"{BASE}/requests/").json()["count"] == 2


def test_flow_through_the_api(client_as, org, django_capture_on_commit_callbacks):
    contributor, cio, ciso = (client_as(r, api=True) for r in ("contributor", "cio", "ciso"))
    with django_capture_on_commit_callbacks(execute=True):
        response = contributor.post(
            f"{BASE}/requests/", filing_values(personal_data="sensitive"), format="json"
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    pk = body["id"]
    assert (body["tier"], body["sla_days"], body["status"]) == ("high", 10, "submitted")
    assert body["clock"]["sla_status"] == "on_track"
    cio.post(f"{BASE}/requests/{pk}/start-review/", format="json")
    cio.post(f"{BASE}/requests/{pk}/request-information/", {"question": "Which vendor?"}, format="json")
    assert cio.get(f"{BASE}/requests/{pk}/").json()["clock"]["paused"] is True
    contributor.post(f"{BASE}/requests/{pk}/comments/", {"body": "Acme SaaS"}, format="json")
    assert (
        cio.post(
            f"{BASE}/requests/{pk}/options/",
            {"title": "SaaS", "security_score": 4, "cost": "1000"},
            format="json",
        ).status_code
        == 201
    )
    response = cio.post(
        f"{BASE}/requests/{pk}/propose/",
        {"decision": "rejected", "rationale": "Vendor unsafe"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["proposed_decision"] == "rejected"
    cio.post(f"{BASE}/requests/{pk}/sign/", {"decision": "approve"}, format="json")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = ciso.post(f"{BASE}/requests/{pk}/sign/", {"decision": "approve"}, format="json")
    assert response.json()["status"] == "rejected" and response.json()["clock"]["decision_days"] is not None
    to_requester = [m for m in mail.outbox if m.to == ["contributor@acme.test"]]
    assert len(to_requester) == 1 and "Vendor unsafe" in to_requester[0].body
    kinds = [c["kind"] for c in contributor.get(f"{BASE}/requests/{pk}/comments/").json()]
    assert kinds.count("status") == 4 and "info_request" in kinds and "answer" in kinds


def test_detail_lists_every_signoff_with_its_state(client_as, django_capture_on_commit_callbacks):
    contributor, cio = client_as("contributor", api=True), client_as("cio", api=True)
    with django_capture_on_commit_callbacks(execute=True):
        pk = contributor.post(f"{BASE}/requests/", filing_values(), format="json").json()["id"]
    cio.post(f"{BASE}/requests/{pk}/start-review/", format="json")
    cio.post(f"{BASE}/requests/{pk}/propose/", {"decision": "approved", "rationale": "Fits"}, format="json")
    signed = cio.post(f"{BASE}/requests/{pk}/sign/", {"decision": "approve"}, format="json").json()
    assert [(s["role"], s["state"]) for s in signed["signoffs"]] == [("cio", "in_force")]
    withdrawn = cio.post(f"{BASE}/requests/{pk}/withdraw/", format="json")
    assert withdrawn.status_code == 200, withdrawn.json()
    [signoff] = withdrawn.json()["signoffs"]
    assert signoff["state"] == "withdrawn" and signoff["voided_at"]


def test_validation_errors_name_fields(client_as):
    response = client_as("contributor", api=True).post(f"{BASE}/requests/", {"title": ""}, format="json")
    assert response.status_code == 400
    assert {"title", "sponsor", "data_classification"} <= set(response.json()["errors"])
    response = client_as("contributor", api=True).post(
        f"{BASE}/requests/", filing_values(title="  "), format="json"
    )
    assert response.status_code == 400 and "title" in response.json()["errors"]
    assert not IntakeRequest.objects.exists()


def test_stale_update_is_409(client_as, own):
    response = client_as("contributor", api=True).patch(
        f"{BASE}/requests/{own.pk}/", {"title": "New", "version": own.version + 1}, format="json"
    )
    assert response.status_code == 409
    response = client_as("contributor", api=True).patch(
        f"{BASE}/requests/{own.pk}/", {"title": "New", "version": own.version}, format="json"
    )
    assert response.status_code == 200 and response.json()["title"] == "New"


def test_settings_api(client_as):
    client = client_as("cio", api=True)
    current = client.get(f"{BASE}/settings/").json()
    assert (current["sla_low_days"], current["sla_medium_days"], current["sla_high_days"]) == (2, 5, 10)
    response = client.patch(
        f"{BASE}/settings/", {"sla_low_days": 7, "version": current["version"]}, format="json"
    )
    assert response.status_code == 400 and "sla_medium_days" in response.json()["errors"]
    response = client.patch(
        f"{BASE}/settings/", {"sla_high_days": 15, "version": current["version"]}, format="json"
    )
    assert response.status_code == 200 and response.json()["sla_high_days"] == 15
    assert client_as("contributor", api=True).patch(f"{BASE}/settings/", {}, format="json").status_code == 404


def test_decided_request_cannot_be_changed(client_as, org, people):
    decided = make_request(org, people["contributor"], status=IntakeStatus.APPROVED)
    response = client_as("contributor", api=True).patch(
        f"{BASE}/requests/{decided.pk}/", {"title": "x", "version": decided.version}, format="json"
    )
    assert response.status_code == 400 and "status" in response.json()["errors"]


@pytest.mark.parametrize("n", [5, 60])
def test_list_query_count_is_flat(client_as, org, people, n, django_assert_max_num_queries):
    for i in range(n):
        submitted = timezone.now()
        make_request(
            org,
            people["contributor"],
            title=f"R{i}",
            status=IntakeStatus.NEEDS_INFO,
            submitted_at=submitted,
            pauses=((submitted, None),),
        )
    client = client_as("cio", api=True)
    client.get(f"{BASE}/requests/")
    with django_assert_max_num_queries(6):  # clocks come from the stored SLA moments: no pauses read
        response = client.get(f"{BASE}/requests/?page_size=100")
    assert response.json()["count"] == n
