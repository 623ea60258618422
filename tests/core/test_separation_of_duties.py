"""Two signatures, two people: every joint decision (walked generically from
core.joint's registry) needs two different people, each holding their role
when they sign — also after one of them was moved from CIO to CISO, and also
when a role is changed behind the services' back."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction

from core import joint, selectors, services
from core.errors import DomainError
from core.models import Membership, SignOff
from core.roles import Role
from tests.factories import member
from tests.testapp.models import Document

from .joint_subjects import PROMISED, SUBJECTS

DECISIONS = joint.registered()


def _ids(decision):
    return f"{decision.model}:{decision.purpose}"


def _sign(decision, actor, subject, **kwargs):
    subject.refresh_from_db()
    return decision.sign(
        actor=actor,
        subject=subject,
        decision=kwargs.get("decision", "approve"),
        comment=kwargs.get("comment", "Agreed."),
    )


def _complete(decision, subject) -> bool:
    subject.refresh_from_db()
    return decision.is_complete(subject)


def _membership(org, user):
    return Membership.objects.get(organization=org, user=user)


def test_every_promised_joint_decision_is_registered_and_has_a_subject():
    registered = {(d.model, d.purpose) for d in DECISIONS}
    assert PROMISED <= registered
    assert registered <= set(SUBJECTS), (
        "add a subject for the new joint decision in tests/core/joint_subjects.py"
    )


@pytest.mark.parametrize("decision", DECISIONS, ids=_ids)
def test_one_person_cannot_sign_twice_even_after_moving_from_cio_to_ciso(decision, org, people):
    """Sign as CIO, be handed the CISO role, sign again: the decision is not taken.
    It is taken only once a second person, the new CIO, signs."""
    subject = SUBJECTS[(decision.model, decision.purpose)](org, people)
    mover, admin = people[Role.CIO], people[Role.ADMIN]
    _sign(decision, mover, subject)
    assert not _complete(decision, subject)

    services.membership_hand_over(
        actor=admin,
        organization=org,
        role=Role.CISO,
        successor=_membership(org, mover),
        outgoing_role=Role.BOARD,
    )
    assert not SignOff.objects.filter(signer=mover, voided_at__isnull=True).exists()
    try:
        _sign(decision, mover, subject)  # now as CISO: their CIO part was voided with the move
    except DomainError:
        pass
    assert not _complete(decision, subject)

    newcomer = member(org, Role.CONTRIBUTOR, email="new.cio@acme.test")
    services.membership_change_role(actor=admin, membership=_membership(org, newcomer), role=Role.CIO)
    if decision.uses_signoffs and not SignOff.objects.filter(signer=mover, voided_at__isnull=True).exists():
        _sign(decision, mover, subject)
    _sign(decision, newcomer, subject)
    assert _complete(decision, subject)
    if decision.uses_signoffs:
        signers = {
            s.signer_id for s in SignOff.objects.filter(purpose=decision.purpose, voided_at__isnull=True)
        }
        assert signers == {mover.pk, newcomer.pk}


@pytest.mark.parametrize("decision", DECISIONS, ids=_ids)
def test_a_role_changed_behind_the_services_back_still_cannot_give_the_second_signature(
    decision, org, people
):
    """Even if the role changed without voiding (a back door, e.g. a raw database
    edit), core refuses the second signature by the same person."""
    subject = SUBJECTS[(decision.model, decision.purpose)](org, people)
    mover = people[Role.CIO]
    _sign(decision, mover, subject)
    Membership.objects.filter(organization=org, user=people[Role.CISO]).update(role=Role.BOARD)
    Membership.objects.filter(organization=org, user=mover).update(role=Role.CISO)
    mover = type(mover).objects.get(pk=mover.pk)  # no cached memberships
    with pytest.raises(DomainError):
        _sign(decision, mover, subject)
    assert not _complete(decision, subject)


@pytest.mark.parametrize("decision", [d for d in DECISIONS if d.uses_signoffs], ids=_ids)
def test_two_people_in_their_own_roles_complete_the_decision(decision, org, people):
    subject = SUBJECTS[(decision.model, decision.purpose)](org, people)
    _sign(decision, people[Role.CIO], subject)
    _sign(decision, people[Role.CISO], subject)
    assert _complete(decision, subject)


def test_the_database_refuses_two_active_signatures_by_one_person(org, people):
    doc = SUBJECTS[("testapp.document", "approval")](org, people)
    first = services.signoff_sign(actor=people[Role.CIO], subject=doc, purpose="approval")
    with pytest.raises(IntegrityError), transaction.atomic():
        SignOff.objects.create(
            organization=org,
            content_type=first.content_type,
            object_id=doc.pk,
            purpose="approval",
            subject_version=doc.version,
            role=Role.CISO,
            signer=people[Role.CIO],
            decision="approve",
        )


def test_joint_status_needs_two_different_signers():
    one = SignOff(role=Role.CIO, signer_id=7, decision="approve")
    same = SignOff(role=Role.CISO, signer_id=7, decision="approve")
    other = SignOff(role=Role.CISO, signer_id=8, decision="approve")
    assert not selectors.JointStatus(cio=one, ciso=same).approved
    assert selectors.JointStatus(cio=one, ciso=other).approved


def test_an_unregistered_purpose_cannot_be_signed(org, people):
    doc = Document(organization=org, title="Plan")
    services.record_creation(doc, actor=people[Role.CIO])
    with pytest.raises(ImproperlyConfigured, match="not a registered joint decision"):
        services.signoff_sign(actor=people[Role.CIO], subject=doc, purpose="secret_side_door")


def test_signing_a_version_you_did_not_see_is_refused(org, people):
    doc = SUBJECTS[("testapp.document", "approval")](org, people)
    stale = Document.objects.get(pk=doc.pk)
    services.record_change(doc, actor=people[Role.CISO], reason="Edited")
    with pytest.raises(DomainError) as error:
        services.signoff_sign(actor=people[Role.CIO], subject=stale, purpose="approval")
    assert error.value.status_code == 409


def test_agreed_assessment_proposer_cannot_confirm_in_the_other_role(org, people):
    from risks import services as risk_services

    risk = SUBJECTS[("risks.risk", "agreed_assessment")](org, people)
    risk_services.agreement_propose(
        actor=people[Role.CIO],
        risk=risk,
        rationale="We agree.",
        inherent_likelihood=4,
        inherent_impact=4,
        residual_likelihood=2,
        residual_impact=2,
    )
    Membership.objects.filter(organization=org, user=people[Role.CISO]).update(role=Role.BOARD)
    Membership.objects.filter(organization=org, user=people[Role.CIO]).update(role=Role.CISO)
    mover = type(people[Role.CIO]).objects.get(pk=people[Role.CIO].pk)
    with pytest.raises(DomainError, match="another person"):
        risk_services.agreement_confirm(actor=mover, risk=risk)
