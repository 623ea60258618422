"""RACI API: role and organization contract, writes through the services, errors, query counts."""

import pytest

from governance.models import RaciActivity, RaciAssignment, RaciParty
from tests.contract import expect_api

from .factories_raci import RaciActivityFactory, cell, matrix_id, standard_parties

READERS = {"cio", "ciso", "contributor"}
EXECUTIVES = {"cio", "ciso"}
BASE = "/api/v1/orgs/acme/raci"


@pytest.fixture
def matrix(org):
    parties = standard_parties(org)
    activity = RaciActivityFactory(organization=org, name="Patch management")
    cell(activity, parties["cio"], "A")
    cell(activity, parties["ops"], "R")
    return {"activity": activity, **parties}


def test_read_contract(client_as, matrix):
    expect_api(client_as, f"{BASE}/parties/", allowed=READERS)
    expect_api(client_as, f"{BASE}/parties/{matrix['cio'].pk}/", allowed=READERS)
    expect_api(client_as, f"{BASE}/activities/", allowed=READERS)
    expect_api(client_as, f"{BASE}/activities/{matrix['activity'].pk}/", allowed=READERS)
    expect_api(client_as, f"{BASE}/matrix/summary/", allowed=READERS)


def test_write_contract(client_as, matrix):
    expect_api(
        client_as,
        f"{BASE}/activities/{matrix['activity'].pk}/cell/",
        method="post",
        data={"party": matrix["ciso"].pk, "letter": "I"},
        allowed=EXECUTIVES,
        denied_status=(403, 404),
    )
    response = client_as("contributor", api=True).post(
        f"{BASE}/parties/", {"name": "X", "kind": "other"}, format="json"
    )
    assert response.status_code == 403
    assert (
        client_as("board", api=True).post(f"{BASE}/parties/", {"name": "X"}, format="json").status_code == 404
    )


def test_activity_lists_letters_and_problems(client_as, matrix):
    data = client_as("contributor", api=True).get(f"{BASE}/activities/").json()
    row = data["results"][0]
    assert row["assignments"] == {str(matrix["cio"].pk): "A", str(matrix["ops"].pk): "R"}
    assert row["problems"] == []


def test_set_cell_updates_problems_and_voids_approval(client_as, matrix):
    client = client_as("cio", api=True)
    client.post(
        f"{BASE}/matrix/{matrix_id()}/sign/",
        {"decision": "approve"},
        format="json",
    )
    client_as("ciso", api=True).post(
        f"{BASE}/matrix/{matrix_id()}/sign/",
        {"decision": "approve"},
        format="json",
    )
    assert client.get(f"{BASE}/matrix/summary/").json()["approved"] is True
    response = client.post(
        f"{BASE}/activities/{matrix['activity'].pk}/cell/",
        {"party": matrix["ciso"].pk, "letter": "A"},
        format="json",
    )
    assert response.status_code == 200
    assert set(response.json()["problems"]) == {"overlap", "cio_ciso_both_accountable"}
    summary = client.get(f"{BASE}/matrix/summary/").json()
    assert summary["approved"] is False
    assert sorted((s["role"], s["state"]) for s in summary["signoffs"]) == [
        ("cio", "voided"),
        ("ciso", "voided"),
    ]
    assert all(s["voided_at"] and s["void_reason"] for s in summary["signoffs"])


def test_cell_errors_are_400_with_field(client_as, matrix, other_org):
    client = client_as("cio", api=True)
    url = f"{BASE}/activities/{matrix['activity'].pk}/cell/"
    response = client.post(url, {"party": matrix["ciso"].pk, "letter": "Q"}, format="json")
    assert response.status_code == 400 and "letter" in response.json()["errors"]
    foreign = standard_parties(other_org)["cio"]
    response = client.post(url, {"party": foreign.pk, "letter": "R"}, format="json")
    assert response.status_code == 400 and "party" in response.json()["errors"]


def test_create_update_delete_activity(client_as, org):
    client = client_as("ciso", api=True)
    response = client.post(
        f"{BASE}/activities/",
        {"name": "Pen testing", "process_area": "security_operations", "csf_category": "ID.RA"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk, version = response.json()["id"], response.json()["version"]
    response = client.post(
        f"{BASE}/activities/",
        {"name": "pen testing", "process_area": "risk", "csf_category": "ID.RA"},
        format="json",
    )
    assert response.status_code == 400 and "name" in response.json()["errors"]
    response = client.post(
        f"{BASE}/activities/", {"name": "Y", "process_area": "risk", "csf_category": "ZZ"}, format="json"
    )
    assert response.status_code == 400 and "csf_category" in response.json()["errors"]
    response = client.patch(
        f"{BASE}/activities/{pk}/", {"name": "Penetration testing", "version": version + 3}, format="json"
    )
    assert response.status_code == 409
    response = client.patch(
        f"{BASE}/activities/{pk}/", {"name": "Penetration testing", "version": version}, format="json"
    )
    assert response.status_code == 200 and response.json()["name"] == "Penetration testing"
    assert client.delete(f"{BASE}/activities/{pk}/").status_code == 204
    assert not RaciActivity.objects.filter(pk=pk).exists()


def test_party_crud_and_member_check(client_as, org, people):
    client = client_as("cio", api=True)
    response = client.post(
        f"{BASE}/parties/",
        {"name": "Data office", "kind": "other", "members": [people["outsider"].pk]},
        format="json",
    )
    assert response.status_code == 400 and "members" in response.json()["errors"]
    response = client.post(
        f"{BASE}/parties/",
        {"name": "Data office", "kind": "other", "members": [people["contributor"].pk]},
        format="json",
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    response = client.patch(
        f"{BASE}/parties/{pk}/",
        {"kind": "legal_privacy", "version": response.json()["version"]},
        format="json",
    )
    assert response.status_code == 200 and response.json()["members"] == [people["contributor"].pk]
    assert client.delete(f"{BASE}/parties/{pk}/").status_code == 204
    assert not RaciParty.objects.filter(pk=pk).exists()


def test_apply_template(client_as, org):
    response = client_as("cio", api=True).post(f"{BASE}/matrix/apply-template/", format="json")
    assert response.status_code == 200 and response.json()["activities"] >= 25
    assert response.json()["gaps"] == 0
    assert client_as("contributor", api=True).post(f"{BASE}/matrix/apply-template/").status_code == 403


def test_contributor_cannot_sign(client_as, matrix):
    assert (
        client_as("contributor", api=True)
        .post(f"{BASE}/matrix/{matrix_id()}/sign/", {}, format="json")
        .status_code
        == 403
    )


@pytest.mark.parametrize("n", [10, 80])
def test_activity_list_query_count_is_flat(client_as, org, n, django_assert_max_num_queries):
    parties = standard_parties(org)
    for i in range(n):
        activity = RaciActivityFactory(organization=org, name=f"A{i}")
        cell(activity, parties["cio"], "A")
    client = client_as("cio", api=True)
    with django_assert_max_num_queries(10):
        response = client.get(f"{BASE}/activities/?page_size=500")
    assert response.json()["count"] == n
    assert RaciAssignment.objects.count() == n
