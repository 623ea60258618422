"""The role table of ../shared/DESIGN.md ("Who uses it"), pinned as data here.

This table is written from the product specification, NOT derived from
core.roles: a wrong grant (or a missing one) in ``ROLE_PERMISSIONS`` fails
``test_the_code_role_map_matches_the_design``, and real requests to
representative pages and API endpoints per capability fail
``test_each_role_gets_what_the_design_says`` if the code lets a role through
that the design keeps out (or the other way round).

tests/security/test_permission_matrix.py complements this: it walks every URL
and operation, but derives its expectations from core.roles.
"""

from __future__ import annotations

import pytest

from budgets.models import ProposalStatus
from core.roles import ROLE_PERMISSIONS, Perm, Role
from governance.models import ReportStatus
from tests.budgets.factories import ProposalFactory
from tests.governance.factories_intake import make_request
from tests.governance.factories_reports import make_report
from tests.kpis.factories import KPIFactory
from tests.risks.evidence_factories import add_file, add_link
from tests.risks.factories import make_risk, profile_outcome

# ------------------------------------------------------------ the design ----
# Capabilities named as DESIGN.md names them, each with the permissions it
# needs. The set of a role's permissions is the union over what it "can".
CAPABILITIES: dict[str, frozenset[str]] = {
    "see the shared dashboard": frozenset({"dashboard.view"}),
    "read and edit the risk register": frozenset({"risk.view", "risk.edit"}),
    "read and edit KPIs": frozenset({"kpi.view", "kpi.edit"}),
    "read and edit budget drafts, record the board's decision": frozenset(
        {"budget.view", "budget.edit", "budget.decide"}
    ),
    "read budget proposals submitted to the board": frozenset({"budget.view_submitted"}),
    "read the RACI matrix": frozenset({"raci.view"}),
    "edit the RACI matrix": frozenset({"raci.edit"}),
    "read the CSF profile": frozenset({"profile.view"}),
    "set targets and assess the CSF profile": frozenset({"profile.edit"}),
    "file and follow own intake requests": frozenset({"intake.file"}),
    "review intake": frozenset({"intake.review"}),
    "read published reports": frozenset({"report.view_published"}),
    "read draft reports, generate and publish reports": frozenset({"report.view_draft", "report.manage"}),
    "sign joint decisions in own capacity": frozenset({"signoff.sign"}),
    "manage memberships": frozenset({"members.manage"}),
    "manage organization settings": frozenset({"org.settings"}),
    "see security and membership events": frozenset({"audit.view"}),
    # Issue 22: evidence files and links for the profile and the statement of applicability.
    "read every piece of evidence and its file": frozenset({"evidence.view"}),
    "add evidence and follow one's own": frozenset({"evidence.add"}),
    "see how much evidence there is (counts, not files)": frozenset({"evidence.summary"}),
}

_BUSINESS = {
    "see the shared dashboard",
    "read and edit the risk register",
    "read and edit KPIs",
    "read and edit budget drafts, record the board's decision",
    "read budget proposals submitted to the board",
    "read the RACI matrix",
    "edit the RACI matrix",
    "read the CSF profile",
    "set targets and assess the CSF profile",
    "file and follow own intake requests",
    "review intake",
    "read published reports",
    "read draft reports, generate and publish reports",
    "sign joint decisions in own capacity",
    "read every piece of evidence and its file",
    "add evidence and follow one's own",
    "see how much evidence there is (counts, not files)",
}
# cio / ciso: "everything inside their organization" (business, settings and
# the audit trail); memberships are the organization admin's.
_EXECUTIVE = _BUSINESS | {"manage organization settings", "see security and membership events"}

DESIGN_ROLE_TABLE: dict[str, set[str]] = {
    "cio": _EXECUTIVE,
    "ciso": _EXECUTIVE,
    # "read published alignment reports and budget proposals submitted to the board"
    "board": {
        "read published reports",
        "read budget proposals submitted to the board",
        "see how much evidence there is (counts, not files)",
    },
    # "file intake requests, follow and comment on their own, read the RACI matrix"; issue 22: the
    # contributors who gather evidence read the CSF profile it supports, add evidence and see its counts.
    "contributor": {
        "file and follow own intake requests",
        "read the RACI matrix",
        "read the CSF profile",
        "add evidence and follow one's own",
        "see how much evidence there is (counts, not files)",
    },
    # "manage memberships and organization settings; see security and membership events"
    "admin": {"manage memberships", "manage organization settings", "see security and membership events"},
}


def test_the_design_table_names_every_role_and_capability():
    assert set(DESIGN_ROLE_TABLE) == {r.value for r in Role}
    assert set().union(*DESIGN_ROLE_TABLE.values()) <= set(CAPABILITIES)
    # Every permission of the code is a capability of the design (a new one needs a row here).
    assert {p.value for p in Perm} == set().union(*CAPABILITIES.values())


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_the_code_role_map_matches_the_design(role):
    expected = set().union(*(CAPABILITIES[c] for c in DESIGN_ROLE_TABLE[role]))
    granted = {p.value for p in ROLE_PERMISSIONS[role]}
    assert granted - expected == set(), f"{role} is granted more than DESIGN.md allows"
    assert expected - granted == set(), f"{role} lacks what DESIGN.md gives it"


# ------------------------------------------------------ real requests ----
# Per capability: requests that succeed only for roles that have it. Each is
# (method, path template, status when allowed). Without the capability the
# answer must be 403 or 404. POSTs with an empty body answer 400 when allowed
# (the role passes and the input is refused), never a change.


@pytest.fixture
def objects(org, people):
    cio = people[Role.CIO]
    return {
        "risk": make_risk(org, cio, title="Design table risk"),
        "kpi": KPIFactory(organization=org),
        "draft_budget": ProposalFactory(organization=org, fiscal_year=2027, status=ProposalStatus.DRAFT),
        "submitted_budget": ProposalFactory(
            organization=org, fiscal_year=2028, status=ProposalStatus.SUBMITTED
        ),
        "draft_report": make_report(
            org, label="Q1", start="2026-01-01", end="2026-03-31", status=ReportStatus.DRAFT
        ),
        "published_report": make_report(org, label="Q4", start="2025-10-01", end="2025-12-31"),
        "own_intake": make_request(org, people[Role.CONTRIBUTOR], title="Mine"),
        "others_intake": make_request(org, cio, title="Not the contributor's"),
        "own_evidence": add_link(org, people[Role.CONTRIBUTOR], title="The contributor's"),
        "cio_evidence": add_file(org, cio, title="The CIO's"),
        "outcome": profile_outcome(org, "GV.OC-01"),
    }


PROBES: dict[str, list[tuple[str, str, int]]] = {
    "see the shared dashboard": [
        ("get", "/o/acme/dashboard/", 200),
        ("get", "/api/v1/orgs/acme/dashboard/", 200),
    ],
    "read and edit the risk register": [
        ("get", "/o/acme/risks/", 200),
        ("get", "/o/acme/risks/{risk}/", 200),
        ("get", "/api/v1/orgs/acme/risks/{risk}/", 200),
        ("post", "/api/v1/orgs/acme/risks/", 400),
    ],
    "read and edit KPIs": [
        ("get", "/o/acme/kpis/", 200),
        ("get", "/api/v1/orgs/acme/kpis/{kpi}/", 200),
        ("post", "/api/v1/orgs/acme/kpis/", 400),
    ],
    "read and edit budget drafts, record the board's decision": [
        ("get", "/o/acme/budget/{draft_budget}/", 200),
        ("get", "/api/v1/orgs/acme/budget/proposals/{draft_budget}/", 200),
        ("post", "/api/v1/orgs/acme/budget/proposals/", 400),
    ],
    "read budget proposals submitted to the board": [
        ("get", "/o/acme/budget/{submitted_budget}/", 200),
        ("get", "/api/v1/orgs/acme/budget/proposals/{submitted_budget}/", 200),
    ],
    "read the RACI matrix": [
        ("get", "/o/acme/raci/", 200),
        ("get", "/api/v1/orgs/acme/raci/activities/", 200),
    ],
    "edit the RACI matrix": [("post", "/api/v1/orgs/acme/raci/activities/", 400)],
    "read the CSF profile": [
        ("get", "/o/acme/profile/", 200),
        ("get", "/api/v1/orgs/acme/profile/outcomes/", 200),
    ],
    "set targets and assess the CSF profile": [
        ("post", "/api/v1/orgs/acme/profile/outcomes/{outcome}/assess/", 400)
    ],
    "file and follow own intake requests": [
        ("get", "/o/acme/intake/{own_intake}/", 200),
        ("get", "/api/v1/orgs/acme/intake/requests/{own_intake}/", 200),
        ("post", "/api/v1/orgs/acme/intake/requests/", 400),
    ],
    "review intake": [
        ("get", "/o/acme/intake/settings/", 200),
        ("get", "/api/v1/orgs/acme/intake/settings/", 200),
        ("post", "/api/v1/orgs/acme/intake/requests/{own_intake}/propose/", 400),
    ],
    "read published reports": [
        ("get", "/o/acme/reports/{published_report}/", 200),
        ("get", "/api/v1/orgs/acme/reports/{published_report}/", 200),
    ],
    "read draft reports, generate and publish reports": [
        ("get", "/o/acme/reports/{draft_report}/", 200),
        ("get", "/api/v1/orgs/acme/reports/{draft_report}/", 200),
    ],
    "sign joint decisions in own capacity": [
        ("post", "/api/v1/orgs/acme/budget/proposals/{draft_budget}/sign/", 400)
    ],
    "manage memberships": [
        ("get", "/o/acme/people/", 200),
        ("get", "/api/v1/orgs/acme/memberships/", 200),
        ("post", "/api/v1/orgs/acme/memberships/", 400),
    ],
    "manage organization settings": [("get", "/o/acme/settings/", 200), ("patch", "/api/v1/orgs/acme/", 400)],
    "see security and membership events": [("get", "/o/acme/audit/", 200)],
    "read every piece of evidence and its file": [
        ("get", "/o/acme/evidence/{cio_evidence}/", 200),
        ("get", "/api/v1/orgs/acme/evidence/{cio_evidence}/download/", 200),
    ],
    "add evidence and follow one's own": [
        ("get", "/o/acme/evidence/{own_evidence}/", 200),
        ("get", "/api/v1/orgs/acme/evidence/{own_evidence}/", 200),
        ("post", "/api/v1/orgs/acme/evidence/", 400),
    ],
    "see how much evidence there is (counts, not files)": [
        ("get", "/o/acme/evidence/", 200),
        ("get", "/api/v1/orgs/acme/evidence/summary/", 200),
    ],
}
# Row-level rules the design states: what a role that has a capability still
# does not see (the board: drafts; a contributor: other people's requests).
ROW_LIMITS: list[tuple[str, str, str]] = [
    ("board", "get", "/o/acme/budget/{draft_budget}/"),
    ("board", "get", "/api/v1/orgs/acme/budget/proposals/{draft_budget}/"),
    ("board", "get", "/o/acme/reports/{draft_report}/"),
    ("contributor", "get", "/o/acme/intake/{others_intake}/"),
    ("contributor", "get", "/api/v1/orgs/acme/intake/requests/{others_intake}/"),
    ("contributor", "get", "/o/acme/evidence/{cio_evidence}/"),
    ("contributor", "get", "/api/v1/orgs/acme/evidence/{cio_evidence}/download/"),
]
PATCH_BODY = {"high_from": 1}  # refused as invalid by whoever may change settings


def _call(client, method, path):
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, PATCH_BODY if method == "patch" else {}, format="json")


def _path(template, objects):
    return template.format(**{k: v.pk for k, v in objects.items()})


def test_probes_cover_every_capability():
    assert set(PROBES) == set(CAPABILITIES)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_role_gets_what_the_design_says(role, objects, client_as):
    client = client_as(role, api=True)
    problems = []
    for capability, probes in PROBES.items():
        allowed = capability in DESIGN_ROLE_TABLE[role]
        for method, template, ok in probes:
            path = _path(template, objects)
            status = _call(client, method, path).status_code
            if allowed and status != ok:
                problems.append(f"{method.upper()} {path}: {status}, DESIGN.md lets {role} {capability}")
            if not allowed and status not in (403, 404):
                problems.append(
                    f"LEAK: {method.upper()} {path}: {status}, DESIGN.md does not let {role} {capability}"
                )
    for limited_role, method, template in ROW_LIMITS:
        if limited_role == role:
            path = _path(template, objects)
            status = _call(client, method, path).status_code
            if status != 404:
                problems.append(f"LEAK: {method.upper()} {path}: {status}, {role} must not see this row")
    assert not problems, "\n".join(problems)
