"""Every field that refers to a person answers the same for an unknown person
and for someone of another organization (issue 16, part 4): the same status,
the same message (core.members.NOT_A_MEMBER), nothing about the other person.

Each endpoint is called twice, once with an id (or e-mail) nobody has and once
with the CIO of another organization; the answers must be identical.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.members import NOT_A_MEMBER
from core.roles import Role
from governance.models import IntakeStatus
from tests.governance.factories_intake import make_request
from tests.risks.factories import make_risk

UNKNOWN_ID = 987654
UNKNOWN_EMAIL = "nobody-at-all@nowhere.test"


@pytest.fixture
def ids(org, people):
    risk = make_risk(org, people[Role.CIO], title="Owned risk")
    outsider = people["outsider"]
    return {"risk": risk.pk, "outsider": outsider.pk, "outsider_email": outsider.email}


def _api_pair(client, method, path, body_for):
    answers = []
    for person in ("unknown", "outsider"):
        response = getattr(client, method)(path, body_for(person), format="json")
        answers.append((response.status_code, response.json()))
    return answers


API_WRITES = {
    "risk owner": (
        "post",
        "/api/v1/orgs/acme/risks/",
        "owner",
        lambda who, ids: {
            "title": "T",
            "impact_statement": "I",
            "category": "cyber_attack",
            "origin": "it",
            "owner": who,
        },
    ),
    "mitigation owner": (
        "post",
        "/api/v1/orgs/acme/risk-mitigations/",
        "owner",
        lambda who, ids: {"risk": ids["risk"], "title": "M", "owner": who},
    ),
    "RACI party members": (
        "post",
        "/api/v1/orgs/acme/raci/parties/",
        "members",
        lambda who, ids: {"name": "Ops", "members": [who]},
    ),
}


@pytest.mark.parametrize("name", list(API_WRITES))
def test_api_writes_answer_the_same(name, ids, client_as):
    method, path, field, body = API_WRITES[name]
    client = client_as(Role.CIO, api=True)
    who = {"unknown": UNKNOWN_ID, "outsider": ids["outsider"]}
    answers = _api_pair(client, method, path, lambda person: body(who[person], ids))
    (status_unknown, unknown), (status_outsider, outsider) = answers
    assert status_unknown == status_outsider == 400
    assert unknown == outsider
    assert str(unknown["errors"][field]).count(NOT_A_MEMBER) >= 1


def test_kpi_owner_by_email_answers_the_same(ids, client_as):
    client = client_as(Role.CIO, api=True)
    base = {
        "name": "Patch time",
        "domain": "security",
        "unit": "days",
        "direction": "lower",
        "target": "5",
        "warning": "7",
        "critical": "10",
        "frequency": "monthly",
    }
    answers = [
        client.post("/api/v1/orgs/acme/kpis/", {**base, "owner": email}, format="json")
        for email in (UNKNOWN_EMAIL, ids["outsider_email"])
    ]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["errors"]["owner"] == [NOT_A_MEMBER]


@pytest.mark.parametrize(
    "path", ["/api/v1/orgs/acme/risks/", "/api/v1/orgs/acme/risk-mitigations/", "/api/v1/orgs/acme/kpis/"]
)
def test_api_owner_filters_answer_the_same(path, ids, client_as):
    client = client_as(Role.CIO, api=True)
    answers = [client.get(path, {"owner": who}) for who in (UNKNOWN_ID, ids["outsider"])]
    assert answers[0].status_code == answers[1].status_code == 400
    assert answers[0].json() == answers[1].json()
    assert NOT_A_MEMBER in str(answers[0].json())


def _page_answers(client, path, data_for, ids):
    answers = []
    for who in (UNKNOWN_ID, ids["outsider"]):
        response = client.post(path, data_for(who), follow=True)
        answers.append(response)
    return answers


PAGE_FORMS = {
    "risk form owner": (
        "/o/acme/risks/new/",
        lambda who, ids: {
            "title": "T",
            "impact_statement": "I",
            "category": "cyber_attack",
            "origin": "it",
            "owner": who,
            "status": "identified",
        },
    ),
    "mitigation form owner": (
        "/o/acme/risks/{risk}/mitigations/new/",
        lambda who, ids: {"title": "M", "owner": who, "status": "planned"},
    ),
    "KPI form owner": (
        "/o/acme/kpis/new/",
        lambda who, ids: {
            "name": "K",
            "domain": "security",
            "unit": "days",
            "direction": "lower",
            "target": "5",
            "warning": "7",
            "critical": "10",
            "frequency": "monthly",
            "owner": who,
        },
    ),
    "RACI party members": (
        "/o/acme/raci/parties/",
        lambda who, ids: {"name": "Ops", "kind": "other", "members": [who]},
    ),
}


@pytest.mark.parametrize("name", list(PAGE_FORMS))
def test_page_forms_answer_the_same(name, ids, people, client_as):
    template, data = PAGE_FORMS[name]
    path = template.format(**ids)
    answers = _page_answers(client_as(Role.CIO), path, lambda who: data(who, ids), ids)
    for response in answers:
        html = response.content.decode()
        assert response.status_code == 200
        assert NOT_A_MEMBER in html, name
        assert people["outsider"].email not in html


def test_intake_risk_owner_answers_the_same(org, ids, people, client_as):
    request = make_request(org, people[Role.CONTRIBUTOR], status=IntakeStatus.APPROVED)
    client = client_as(Role.CIO)
    texts = []
    for who in (UNKNOWN_ID, ids["outsider"]):
        response = client.post(
            f"/o/acme/intake/{request.pk}/risks/",
            {
                "title": "R",
                "impact_statement": "I",
                "category": "cyber_attack",
                "origin": "joint",
                "owner": who,
            },
            follow=True,
        )
        texts.append([str(m) for m in response.context["messages"]])
    assert texts[0] == texts[1] and any(NOT_A_MEMBER in t for t in texts[0])


def test_risk_import_owner_answers_the_same(ids, client_as):
    client = client_as(Role.CIO)
    errors = []
    for email in (UNKNOWN_EMAIL, ids["outsider_email"]):
        body = f"title,business_impact,category,origin,owner_email\nA risk,Impact,cyber_attack,it,{email}\n"
        upload = SimpleUploadedFile("risks.csv", body.encode(), content_type="text/csv")
        response = client.post("/o/acme/risks/import/", {"file": upload})
        html = response.content.decode()
        assert NOT_A_MEMBER in html and ids["outsider_email"] not in html
        errors.append(response.status_code)
    assert errors[0] == errors[1]
