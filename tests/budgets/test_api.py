"""Budget API: contract for every endpoint and role, workflow actions, 409 on
stale versions, field errors, board visibility and flat query counts."""

from decimal import Decimal as D

import pytest

from budgets.models import BudgetItem, ItemOption, ProposalStatus
from tests.contract import expect_api

from .factories import ItemFactory, OptionFactory, ProposalFactory, make_link, make_risk

pytestmark = pytest.mark.django_db
API = "/api/v1/orgs/acme/budget"
EXECS = {"cio", "ciso"}
READERS = {"cio", "ciso", "board"}


@pytest.fixture
def data(org, people):
    draft = ProposalFactory(organization=org, fiscal_year=2027)
    submitted = ProposalFactory(organization=org, fiscal_year=2026, status=ProposalStatus.SUBMITTED)
    item = ItemFactory(proposal=draft, amount=D("120000"))
    option = OptionFactory(item=item, cost=D("120000"), is_chosen=True)
    link = make_link(item, make_risk(org, people["cio"]))
    board_item = ItemFactory(proposal=submitted)
    return {
        "draft": draft,
        "submitted": submitted,
        "item": item,
        "option": option,
        "link": link,
        "board_item": board_item,
    }


def test_read_endpoints_contract(client_as, data):
    d = data
    expect_api(client_as, f"{API}/proposals/", allowed=READERS)
    for url in (
        f"{API}/proposals/{d['draft'].pk}/",
        f"{API}/proposals/{d['draft'].pk}/summary/",
        f"{API}/items/{d['item'].pk}/",
        f"{API}/options/{d['option'].pk}/",
        f"{API}/risk-links/{d['link'].pk}/",
    ):
        expect_api(client_as, url, allowed=EXECS)  # a draft's parts: invisible to the board
    for url in (
        f"{API}/proposals/{d['submitted'].pk}/",
        f"{API}/proposals/{d['submitted'].pk}/summary/",
        f"{API}/items/{d['board_item'].pk}/",
        f"{API}/items/",
        f"{API}/options/",
        f"{API}/risk-links/",
    ):
        expect_api(client_as, url, allowed=READERS)


def test_board_lists_only_submitted(client_as, data):
    board = client_as("board", api=True)
    years = [p["fiscal_year"] for p in board.get(f"{API}/proposals/").json()["results"]]
    assert years == [2026]
    items = board.get(f"{API}/items/").json()["results"]
    assert [i["id"] for i in items] == [data["board_item"].pk]
    assert board.get(f"{API}/options/").json()["count"] == 0
    execs = [p["fiscal_year"] for p in client_as("ciso", api=True).get(f"{API}/proposals/").json()["results"]]
    assert execs == [2027, 2026]


def test_write_endpoints_contract(client_as, data):
    # Roles without the write permission: the board gets 403 (it can see budgets), others 404.
    d = data
    writes = [
        ("post", f"{API}/proposals/", {"fiscal_year": 2031}),
        ("patch", f"{API}/proposals/{d['submitted'].pk}/", {"title": "X"}),
        ("post", f"{API}/proposals/{d['submitted'].pk}/approve/", {}),
        ("post", f"{API}/proposals/{d['submitted'].pk}/return/", {"reason": "No"}),
        ("post", f"{API}/proposals/{d['submitted'].pk}/sign/", {}),
        ("post", f"{API}/items/", {"proposal": d["draft"].pk}),
        ("patch", f"{API}/items/{d['board_item'].pk}/", {"title": "X"}),
        ("delete", f"{API}/items/{d['board_item'].pk}/", None),
    ]
    for method, url, body in writes:
        for role, expected in (("board", 403), ("contributor", 404), ("admin", 404), ("outsider", 404)):
            client = client_as(role, api=True)
            response = (
                getattr(client, method)(url, body, format="json")
                if body is not None
                else getattr(client, method)(url)
            )
            assert response.status_code == expected, (method, url, role, response.status_code)
        assert client_as("anonymous", api=True).post(url, {}, format="json").status_code in (401, 403)
    d["submitted"].refresh_from_db()
    assert d["submitted"].status == ProposalStatus.SUBMITTED


def test_item_crud_and_field_errors(client_as, data):
    client = client_as("cio", api=True)
    bad = client.post(
        f"{API}/items/",
        {
            "proposal": data["draft"].pk,
            "title": "",
            "domain": "hr",
            "amount": "-1",
            "kind": "opex",
            "category": "cloud",
        },
        format="json",
    )
    assert bad.status_code == 400
    assert {"title", "domain", "amount"} <= set(bad.json()["errors"])
    created = client.post(
        f"{API}/items/",
        {
            "proposal": data["draft"].pk,
            "title": "Cloud backup",
            "domain": "it",
            "category": "cloud",
            "kind": "capex",
            "amount": "90000.00",
            "priority": "must",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["amount"] == "90000.00" and body["annual_cost"] == "30000.00" and body["rosi"] is None
    item_id = body["id"]
    ok = client.patch(
        f"{API}/items/{item_id}/",
        {"title": "Cloud backup (3 years)", "version": body["version"]},
        format="json",
    )
    assert ok.status_code == 200
    stale = client.patch(
        f"{API}/items/{item_id}/", {"title": "Mine", "version": body["version"]}, format="json"
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    moved = client.patch(
        f"{API}/items/{item_id}/",
        {"proposal": data["submitted"].pk, "version": body["version"] + 1},
        format="json",
    )
    assert moved.status_code == 400 and "proposal" in moved.json()["errors"]
    assert client.delete(f"{API}/items/{item_id}/").status_code == 204


def test_item_figures_in_api(client_as, data):
    body = client_as("ciso", api=True).get(f"{API}/items/{data['item'].pk}/").json()
    assert body["loss_avoided"] == "400000.00" and body["risk_count"] == 1
    assert body["rosi"] == "2.3333" and body["chosen_option"] == data["option"].name


def test_options_choose_and_amount_follows(client_as, data):
    client = client_as("ciso", api=True)
    created = client.post(
        f"{API}/options/",
        {
            "item": data["item"].pk,
            "name": "Most secure",
            "cost": "150000",
            "timeline_weeks": 20,
            "security_score": 5,
        },
        format="json",
    )
    assert created.status_code == 201 and created.json()["is_chosen"] is False
    bad = client.post(
        f"{API}/options/",
        {"item": data["item"].pk, "name": "X", "cost": "1", "timeline_weeks": 0, "security_score": 6},
        format="json",
    )
    assert bad.status_code == 400 and {"timeline_weeks", "security_score"} <= set(bad.json()["errors"])
    chosen = client.post(f"{API}/options/{created.json()['id']}/choose/")
    assert chosen.status_code == 200 and chosen.json()["is_chosen"] is True
    assert BudgetItem.objects.get(pk=data["item"].pk).amount == D("150000")
    assert ItemOption.objects.filter(item=data["item"], is_chosen=True).count() == 1


def test_risk_links(client_as, data, org, people):
    client = client_as("cio", api=True)
    risk = make_risk(org, people["cio"], number=7, eal="80000")
    created = client.post(
        f"{API}/risk-links/", {"item": data["item"].pk, "risk": risk.pk, "loss_after": "20000"}, format="json"
    )
    assert created.status_code == 201 and created.json()["loss_before"] == "80000.00"
    bad = client.patch(
        f"{API}/risk-links/{created.json()['id']}/", {"loss_after": "90000", "version": 1}, format="json"
    )
    assert bad.status_code == 400 and "loss_after" in bad.json()["errors"]


def test_workflow_through_the_api(client_as, data):
    pid = data["draft"].pk
    cio, ciso, board = client_as("cio", api=True), client_as("ciso", api=True), client_as("board", api=True)
    assert cio.post(f"{API}/proposals/{pid}/start-review/", {}, format="json").status_code == 200
    early = cio.post(f"{API}/proposals/{pid}/submit/", {}, format="json")
    assert early.status_code == 400 and early.json()["code"] == "not_signed"
    assert cio.post(f"{API}/proposals/{pid}/sign/", {"decision": "approve"}, format="json").status_code == 200
    signed = ciso.post(f"{API}/proposals/{pid}/sign/", {"decision": "approve"}, format="json").json()
    assert {s["role"] for s in signed["signoffs"]} == {"cio", "ciso"}
    assert board.get(f"{API}/proposals/{pid}/").status_code == 404
    submitted = ciso.post(f"{API}/proposals/{pid}/submit/", {"version": signed["version"]}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert board.get(f"{API}/proposals/{pid}/").status_code == 200
    no_reason = cio.post(f"{API}/proposals/{pid}/return/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    approved = cio.post(f"{API}/proposals/{pid}/approve/", {"note": "OK"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    locked = cio.patch(
        f"{API}/proposals/{pid}/", {"title": "Changed", "version": approved.json()["version"]}, format="json"
    )
    assert locked.status_code == 400 and locked.json()["code"] == "read_only"
    item = cio.patch(
        f"{API}/items/{data['item'].pk}/",
        {"title": "Changed", "version": data["item"].version},
        format="json",
    )
    assert item.status_code == 400 and "read-only" in item.json()["detail"]


def test_change_after_signing_voids_through_api(client_as, data):
    pid = data["draft"].pk
    cio = client_as("cio", api=True)
    cio.post(f"{API}/proposals/{pid}/start-review/", {}, format="json")
    cio.post(f"{API}/proposals/{pid}/sign/", {}, format="json")
    assert len(cio.get(f"{API}/proposals/{pid}/").json()["signoffs"]) == 1
    cio.patch(
        f"{API}/items/{data['item'].pk}/",
        {"justification": "Updated", "version": data["item"].version},
        format="json",
    )
    signoffs = cio.get(f"{API}/proposals/{pid}/").json()["signoffs"]
    assert len(signoffs) == 1
    assert signoffs[0]["role"] == "cio" and signoffs[0]["state"] == "voided"
    assert signoffs[0]["voided_at"] and signoffs[0]["void_reason"]
    cio.post(f"{API}/proposals/{pid}/sign/", {}, format="json")
    states = [s["state"] for s in cio.get(f"{API}/proposals/{pid}/").json()["signoffs"]]
    assert states == ["in_force", "voided"]


def test_create_proposal_and_summary(client_as, data):
    client = client_as("cio", api=True)
    dup = client.post(f"{API}/proposals/", {"fiscal_year": 2027}, format="json")
    assert dup.status_code == 400 and "fiscal_year" in dup.json()["errors"]
    new = client.post(f"{API}/proposals/", {"fiscal_year": 2028, "copy_previous": True}, format="json")
    assert new.status_code == 201 and new.json()["item_count"] == 1
    summary = client.get(f"{API}/proposals/{new.json()['id']}/summary/").json()
    assert summary["total"] == "120000.00" and summary["previous_fiscal_year"] == 2027
    assert summary["change"] == "0.00" and summary["cost_avoidance"] == "400000.00"
    assert summary["by_domain"]["security"] == "120000.00"


def test_list_query_counts_are_flat(client_as, org, django_assert_max_num_queries):
    p = ProposalFactory(organization=org, fiscal_year=2027)
    for _ in range(3):
        OptionFactory(item=ItemFactory(proposal=p))
    client = client_as("cio", api=True)
    urls = [f"{API}/proposals/", f"{API}/items/", f"{API}/options/", f"{API}/risk-links/"]
    for url in urls:
        client.get(url)
    counts = {}
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        counts[url] = len(ctx)
    for year in range(2000, 2020):
        q = ProposalFactory(organization=org, fiscal_year=year)
        for _ in range(3):
            OptionFactory(item=ItemFactory(proposal=q))
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200
