"""A subject ready for its joint decision, for every registered joint decision
(core.joint). The separation-of-duties tests walk ``registered()`` and need an
entry here for each: a new joint decision without one fails them."""

from __future__ import annotations

from decimal import Decimal

from budgets import services as budget_services
from core import services as core_services
from core.roles import Role
from governance.intake import services as intake_services
from governance.models import IntakeStatus
from governance.raci import services as raci_services
from tests.budgets.factories import ProposalFactory
from tests.governance.factories_intake import make_request
from tests.risks.factories import assessed_risk, request_acceptance
from tests.testapp.models import Document


def _risk_acceptance(org, people):
    risk = assessed_risk(org, people, cio=(4, 4), ciso=(4, 5))
    return request_acceptance(risk, people[Role.CIO])


def _agreed_assessment(org, people):
    return assessed_risk(org, people, cio=(3, 4), ciso=(4, 4))


def _budget_submission(org, people):
    proposal = ProposalFactory(organization=org, fiscal_year=2027)
    budget_services.item_create(
        actor=people[Role.CIO],
        proposal=proposal,
        title="EDR rollout",
        domain="security",
        category="software",
        kind="opex",
        amount=Decimal("120000"),
        priority="must",
        justification="Ransomware.",
    )
    return budget_services.proposal_start_review(actor=people[Role.CIO], proposal=proposal)


def _intake_decision(org, people):
    request = make_request(org, people[Role.CONTRIBUTOR], status=IntakeStatus.IN_REVIEW)
    return intake_services.intake_propose_decision(
        actor=people[Role.CIO], request=request, decision="approved", rationale="Low risk, clear value."
    )


def _raci_approval(org, people):
    raci_services.raci_activity_create(
        actor=people[Role.CIO],
        organization=org,
        name="Patch management",
        process_area="it_operations",
        csf_category="PR.PS",
    )
    return raci_services.raci_matrix_get_or_create(organization=org)


def _board_ask(org, people):
    """A decision for the board on a draft report, with nobody's part given yet."""
    from datetime import date

    from governance.alignment.services import report_request
    from governance.models import AskKind, BoardAsk

    report = report_request(actor=people[Role.CIO], organization=org, enqueue=False)
    ask = BoardAsk(
        organization=org,
        report=report,
        kind=AskKind.BUDGET,
        title="Approve the FY2027 budget",
        recommendation="Approve it.",
        amount=Decimal("1000000"),
        deadline=date(2027, 1, 31),
    )
    core_services.record_creation(ask, actor=people[Role.CIO])
    return ask


def _csf_target(org, people):
    from risks.profile.services import profile_get_or_create

    return profile_get_or_create(organization=org)


def _document(org, people):
    doc = Document(organization=org, title="Plan")
    core_services.record_creation(doc, actor=people[Role.CIO])
    return doc


SUBJECTS = {
    ("risks.risk", "acceptance"): _risk_acceptance,
    ("risks.risk", "agreed_assessment"): _agreed_assessment,
    ("budgets.proposal", "submission"): _budget_submission,
    ("governance.intakerequest", "intake_decision"): _intake_decision,
    ("governance.racimatrix", "raci_approval"): _raci_approval,
    ("governance.boardask", "board_ask"): _board_ask,
    ("risks.csfprofile", "csf_target"): _csf_target,
    ("testapp.document", "approval"): _document,
    ("testapp.document", "acceptance"): _document,
    ("testapp.document", "submission"): _document,
}

# The joint decisions the product promises (DESIGN.md): they must stay registered.
PROMISED = {key for key in SUBJECTS if not key[0].startswith("testapp.")}
