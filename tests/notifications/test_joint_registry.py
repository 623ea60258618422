"""Every joint decision registered in core.joint (walked from the registry, so a
new kind cannot be forgotten) tells the right executive when it waits for
their signature, when the other signed, when it is decided, rejected or
voided."""

import pytest

from core import joint, services
from core.models import Notification
from core.notifications.catalogue import event_kind
from core.roles import Role
from tests.core.joint_subjects import SUBJECTS

DECISIONS = joint.registered()

# Decisions put up for signature by an explicit step (the subject factory takes
# it, as the CIO): the CISO is told it waits for their signature. The others
# open with the first part given (a proposed agreed assessment, a RACI matrix,
# a board ask), so the first event is "the other signed".
OPENED = {
    ("risks.risk", "acceptance"),
    ("budgets.proposal", "submission"),
    ("governance.intakerequest", "intake_decision"),
}
OPENED_BY_FIRST_PART = {
    ("risks.risk", "agreed_assessment"),
    ("governance.racimatrix", "raci_approval"),
    ("governance.boardask", "board_ask"),
    ("risks.csfprofile", "csf_target"),
    ("testapp.document", "approval"),
    ("testapp.document", "acceptance"),
    ("testapp.document", "submission"),
}


def _ids(decision):
    return f"{decision.model}:{decision.purpose}"


def _told(event):
    return sorted(Notification.objects.filter(event=event).values_list("recipient__email", flat=True))


def _sign(decision, actor, subject, verdict="approve", comment="Agreed."):
    subject.refresh_from_db()
    decision.sign(actor=actor, subject=subject, decision=verdict, comment=comment)


def test_every_registered_joint_decision_says_how_it_opens():
    registered = {(d.model, d.purpose) for d in DECISIONS}
    assert registered == OPENED | OPENED_BY_FIRST_PART, (
        "a new joint decision: say in OPENED (and call core_events.decision_opened where it is put up "
        "for signature) or in OPENED_BY_FIRST_PART how it starts"
    )


def test_waiting_and_signed_by_other_are_distinct_catalogue_entries():
    waiting, signed = event_kind("decision.waiting"), event_kind("decision.signed_by_other")
    assert waiting.category == "signatures" and signed.category == "decisions"
    assert waiting.label != signed.label


@pytest.mark.parametrize("decision", DECISIONS, ids=_ids)
def test_waiting_signed_by_other_then_decided(decision, org, people):
    key = (decision.model, decision.purpose)
    subject = SUBJECTS[key](org, people)
    if key in OPENED:
        assert _told("decision.waiting") == ["ciso@acme.test"]  # not the CIO, who put it up
        note = Notification.objects.get(event="decision.waiting")
        assert "waits for your signature" in note.title and note.category == "signatures"
    else:
        assert _told("decision.waiting") == []
    _sign(decision, people[Role.CIO], subject)
    assert _told("decision.signed_by_other") == ["ciso@acme.test"]
    assert "The CIO signed" in Notification.objects.get(event="decision.signed_by_other").title
    assert _told("decision.decided") == []
    _sign(decision, people[Role.CISO], subject)
    assert _told("decision.decided") == ["cio@acme.test", "ciso@acme.test"]
    assert _told("decision.rejected") == []


@pytest.mark.parametrize("decision", DECISIONS, ids=_ids)
def test_rejected_tells_the_other_with_the_reason(decision, org, people):
    subject = SUBJECTS[(decision.model, decision.purpose)](org, people)
    _sign(decision, people[Role.CIO], subject)
    _sign(decision, people[Role.CISO], subject, verdict="reject", comment="No recovery plan")
    assert _told("decision.rejected") == ["cio@acme.test"]
    assert "No recovery plan" in Notification.objects.get(event="decision.rejected").body
    assert _told("decision.decided") == []


@pytest.mark.parametrize("decision", DECISIONS, ids=_ids)
def test_voided_tells_the_signer(decision, org, people):
    subject = SUBJECTS[(decision.model, decision.purpose)](org, people)
    _sign(decision, people[Role.CISO], subject)
    if decision.uses_signoffs:
        subject.refresh_from_db()
        services.signoffs_void(subject=subject, purpose=decision.purpose, reason="The record was changed.")
    else:  # a proposed agreed assessment: the other lens proposes another view instead of confirming
        from risks.services import agreement_propose

        subject.refresh_from_db()
        agreement_propose(
            actor=people[Role.CIO],
            risk=subject,
            rationale="A different view.",
            inherent_likelihood=2,
            inherent_impact=2,
            residual_likelihood=1,
            residual_impact=1,
        )
    assert _told("decision.voided") == ["ciso@acme.test"]
    assert "was voided" in Notification.objects.get(event="decision.voided").title
