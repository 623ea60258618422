"""Each role sees only its own (issue 16, part 4).

- The organization admin sees security and membership events, never business
  content: business records are seeded with distinctive strings, and every
  page, export and API operation the admin can reach is walked (URLs found
  through the URL resolver and the OpenAPI schema, as the permission matrix does).
- A contributor sees nothing of the register through their own intake request:
  not on its page, in its fragments, in the API, in its history or in e-mails.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from core.roles import Role
from governance.intake import services as intake_services
from kpis import services as kpi_services
from risks import services as risk_services
from tests.budgets.factories import ItemFactory, ProposalFactory
from tests.governance.factories_intake import filing_values
from tests.risks.factories import assess, make_risk, request_acceptance

from .endpoints import all_endpoints, build_path, kwarg_candidates

# Distinctive strings that only business content carries.
RISK_TITLE = "Zebracorn outage of the billing core"
RISK_TITLE_NEW = "Zebracorn outage of every ledger"
RISK_IMPACT = "Quokkafire cannot invoice patients"
RATIONALE = "Wombatquill rationale for a twenty score"
JUSTIFICATION = "Narwhalgrit justification for the spend"
ITEM_TITLE = "Axolotlbeam firewall renewal"
KPI_NAME = "Pangolinspark patch latency"
INTAKE_TITLE = "Capybaradrum scheduling portal"
BUSINESS_MARKERS = [
    RISK_TITLE,
    RISK_TITLE_NEW,
    RISK_IMPACT,
    RATIONALE,
    JUSTIFICATION,
    ITEM_TITLE,
    KPI_NAME,
    INTAKE_TITLE,
    "Zebracorn",
    "Quokkafire",
    "Wombatquill",
    "Narwhalgrit",
    "Axolotlbeam",
    "Pangolinspark",
    "Capybaradrum",
]
REGISTER_MARKERS = ["Zebracorn", "Quokkafire", "Wombatquill"]


def _leaks(text: str, markers) -> list[str]:
    return [m for m in markers if m.lower() in text.lower()]


def _body(response) -> str:
    if response.get("Content-Type", "").startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    ):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "replace")


@pytest.fixture
def business(org, people):
    """Business content of every kind, created and changed through the services
    (so the change history holds it too), plus an export that is audited."""
    cio, ciso = people[Role.CIO], people[Role.CISO]
    risk = make_risk(org, cio, title=RISK_TITLE, impact_statement=RISK_IMPACT)
    risk = risk_services.risk_update(
        actor=cio, risk=risk, expected_version=risk.version, title=RISK_TITLE_NEW
    )
    assess(risk, cio, 4, 5, rationale=RATIONALE)
    assess(risk, ciso, 4, 4, rationale=RATIONALE)
    request_acceptance(risk, cio)
    proposal = ProposalFactory(organization=org, title="FY budget")
    ItemFactory(proposal=proposal, title=ITEM_TITLE, justification=JUSTIFICATION)
    kpi = kpi_services.kpi_create(
        actor=cio,
        organization=org,
        name=KPI_NAME,
        key="pangolin",
        domain="security",
        unit="days",
        direction="lower",
        target=Decimal("5"),
        warning=Decimal("7"),
        critical=Decimal("10"),
        frequency="monthly",
    )
    kpi_services.kpi_update(actor=cio, kpi=kpi, expected_version=kpi.version, description=JUSTIFICATION)
    intake = intake_services.intake_request_create(
        actor=people[Role.CONTRIBUTOR], organization=org, **filing_values(title=INTAKE_TITLE)
    )
    client = Client()
    client.force_login(cio)
    client.get("/o/acme/risks/export/?format=csv")
    # Every download the CIO can make is recorded as a security event the admin sees:
    # whatever an export records must not carry business content.
    for endpoint in all_endpoints():
        if endpoint.is_api or not re.search(r"export|pdf|xlsx|csv", endpoint.name or ""):
            continue
        if endpoint.name.startswith("core:"):
            continue
        for kwargs in kwarg_candidates(endpoint, org, cio)[:2] if endpoint.kwarg_names else [{}]:
            client.get(build_path(endpoint, kwargs))
    return {"risk": risk, "intake": intake, "kpi": kpi}


def _admin_reachable_pages(org, user):
    """Every page URL (with real arguments) the admin gets a 200 or a file from."""
    client = Client()
    client.force_login(user)
    seen = set()
    for endpoint in all_endpoints():
        if endpoint.is_api or not endpoint.name or endpoint.name in ("logout", "core:token_revoke"):
            continue
        if endpoint.name.startswith("admin:"):
            continue  # the technical admin site: staff only, checked below
        for kwargs in kwarg_candidates(endpoint, org, user)[:6] if endpoint.kwarg_names else [{}]:
            path = build_path(endpoint, kwargs)
            if path in seen:
                continue
            seen.add(path)
            response = client.get(path)
            if response.status_code == 200:
                yield path, response


def test_the_admin_sees_no_business_content_anywhere(org, people, business, client_as):
    admin = people[Role.ADMIN]
    # The markers are there to be seen: the CIO's audit trail shows them.
    cio_audit = client_as(Role.CIO).get("/o/acme/audit/")
    assert _leaks(cio_audit.content.decode(), [RISK_TITLE_NEW]), "the CIO's audit should show risk changes"

    problems, reached = [], []
    for path, response in _admin_reachable_pages(org, admin):
        reached.append(path)
        problems += [f"{path}: {m}" for m in _leaks(_body(response), BUSINESS_MARKERS)]
    assert "/o/acme/audit/" in reached and "/o/acme/people/" in reached
    assert any(path.startswith("/o/acme/audit/export.") for path in reached)

    client = client_as(Role.ADMIN)
    for query in ("", "?kind=changes", "?kind=security", "?kind=export", f"?person={people[Role.CIO].pk}"):
        for path in ("/o/acme/audit/", "/o/acme/audit/export.csv", "/o/acme/audit/export.xlsx"):
            response = client.get(path + query)
            assert response.status_code == 200
            problems += [f"{path}{query}: {m}" for m in _leaks(_body(response), BUSINESS_MARKERS)]
    # The admin's trail still shows what is theirs: memberships and security events.
    trail = client.get("/o/acme/audit/?kind=changes").content.decode()
    assert "Membership of contributor@acme.test" in trail
    assert "Data exported" in client.get("/o/acme/audit/").content.decode()
    # The technical admin site is for staff only.
    assert client.get("/admin/").status_code == 302
    assert not problems, "\n".join(problems)


def test_the_admin_api_shows_no_business_content(org, people, business):
    from drf_spectacular.generators import SchemaGenerator

    client = APIClient()
    client.force_login(people[Role.ADMIN])
    schema = SchemaGenerator().get_schema(request=None, public=True)
    problems, answered = [], 0
    for path, methods in schema["paths"].items():
        if "get" not in methods:
            continue
        url = path.replace("{org_slug}", org.slug)
        urls = (
            [url] if "{" not in url else [re.sub(r"\{[^}]+\}", str(obj.pk), url) for obj in business.values()]
        )
        for candidate in urls:
            response = client.get(candidate)
            if response.status_code == 200:
                answered += 1
                problems += [f"GET {candidate}: {m}" for m in _leaks(_body(response), BUSINESS_MARKERS)]
    assert answered >= 3  # me, organizations, memberships
    assert not problems, "\n".join(problems)


# -------------------------------------------------- contributor's intake ----


@pytest.fixture
def linked_intake(org, people, business, django_capture_on_commit_callbacks):
    """The contributor's request, decided, with a risk raised from it in the register."""
    cio, ciso = people[Role.CIO], people[Role.CISO]
    intake = business["intake"]
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.intake_start_review(actor=cio, request=intake)
        intake.refresh_from_db()
        intake_services.intake_propose_decision(
            actor=cio,
            request=intake,
            decision="approved",
            rationale="Fine as proposed.",
            expected_version=intake.version,
        )
        intake.refresh_from_db()
        intake_services.intake_sign(actor=cio, request=intake)
        intake.refresh_from_db()
        intake_services.intake_sign(actor=ciso, request=intake)
        intake.refresh_from_db()
        intake_services.intake_create_risk(
            actor=cio,
            request=intake,
            title=RISK_TITLE,
            impact_statement=RISK_IMPACT,
            category="cyber_attack",
            origin="security",
            owner=cio,
        )
    return intake


def test_a_contributor_sees_nothing_of_the_register_through_their_request(
    org, people, linked_intake, client_as
):
    intake = linked_intake
    # The reviewers do see the risk raised from the request.
    assert RISK_TITLE in client_as(Role.CIO).get(f"/o/acme/intake/{intake.pk}/").content.decode()

    page, api = client_as(Role.CONTRIBUTOR), client_as(Role.CONTRIBUTOR, api=True)
    reached = {
        "page": page.get(f"/o/acme/intake/{intake.pk}/"),
        "list": page.get("/o/acme/intake/"),
        "list fragment": page.get("/o/acme/intake/", HTTP_HX_REQUEST="true"),
        "api detail": api.get(f"/api/v1/orgs/acme/intake/requests/{intake.pk}/"),
        "api list": api.get("/api/v1/orgs/acme/intake/requests/"),
        "api comments": api.get(f"/api/v1/orgs/acme/intake/requests/{intake.pk}/comments/"),
    }
    problems = []
    for label, response in reached.items():
        assert response.status_code == 200, label
        problems += [f"{label}: {m}" for m in _leaks(_body(response), REGISTER_MARKERS)]
    problems += [
        f"e-mail “{m.subject}”: {leak}"
        for m in mail.outbox
        if intake.requester.email in m.to
        for leak in _leaks(m.subject + m.body, REGISTER_MARKERS)
    ]
    assert any(intake.requester.email in m.to for m in mail.outbox), "the requester is told of the decision"
    assert "Linked risks" not in _body(reached["page"])
    assert not problems, "\n".join(problems)
