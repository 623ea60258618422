import pytest

from core import selectors, services
from core.errors import DomainError, NotAllowed
from core.models import SignOff
from core.roles import Role
from tests.testapp.models import Document

PURPOSE = "approval"


@pytest.fixture
def document(org, cio):
    doc = Document(organization=org, title="Plan")
    services.record_creation(doc, actor=cio)
    return doc


def test_each_executive_signs_in_own_capacity(document, cio, ciso):
    first = services.signoff_sign(actor=cio, subject=document, purpose=PURPOSE)
    second = services.signoff_sign(actor=ciso, subject=document, purpose=PURPOSE, comment="Fine")
    assert (first.role, second.role) == (Role.CIO, Role.CISO)
    assert first.subject_version == document.version
    assert selectors.is_jointly_approved(document, PURPOSE)


def test_one_signature_is_not_joint_approval(document, cio):
    services.signoff_sign(actor=cio, subject=document, purpose=PURPOSE)
    status = selectors.signoff_status(document, PURPOSE)
    assert status.signed_count == 1 and not status.approved


def test_double_signing_is_refused(document, cio):
    services.signoff_sign(actor=cio, subject=document, purpose=PURPOSE)
    with pytest.raises(DomainError, match="already signed"):
        services.signoff_sign(actor=cio, subject=document, purpose=PURPOSE)
    assert SignOff.objects.count() == 1


def test_cio_cannot_sign_as_ciso(document, cio):
    with pytest.raises(NotAllowed, match="cannot sign on behalf"):
        services.signoff_sign(actor=cio, subject=document, purpose=PURPOSE, as_role=Role.CISO)
    assert not SignOff.objects.exists()


@pytest.mark.parametrize("role", ["board", "contributor", "admin", "outsider"])
def test_other_roles_cannot_sign(document, people, role):
    with pytest.raises(NotAllowed):
        services.signoff_sign(actor=people[role], subject=document, purpose=PURPOSE)


def test_rejection_needs_a_reason(document, ciso):
    with pytest.raises(DomainError) as error:
        services.signoff_sign(actor=ciso, subject=document, purpose=PURPOSE, decision="reject")
    assert error.value.field == "comment"


def test_rejection_blocks_joint_approval(document, cio, ciso):
    services.signoff_sign(actor=cio, subject=document, purpose=PURPOSE)
    services.signoff_sign(
        actor=ciso, subject=document, purpose=PURPOSE, decision="reject", comment="Too costly"
    )
    status = selectors.signoff_status(document, PURPOSE)
    assert status.rejected and not status.approved


def test_changing_the_subject_voids_signoffs(document, cio, ciso):
    services.signoff_sign(actor=cio, subject=document, purpose=PURPOSE)
    services.signoff_sign(actor=ciso, subject=document, purpose=PURPOSE)
    document.title = "Plan v2"
    services.record_change(document, actor=cio)
    assert not selectors.is_jointly_approved(document, PURPOSE)
    assert SignOff.objects.filter(voided_at__isnull=False).count() == 2
    # Both may sign the new version again.
    services.signoff_sign(actor=cio, subject=document, purpose=PURPOSE)
    services.signoff_sign(actor=ciso, subject=document, purpose=PURPOSE)
    assert selectors.is_jointly_approved(document, PURPOSE)


def test_signoff_for_an_older_version_does_not_count(document, cio, ciso):
    services.signoff_sign(actor=cio, subject=document, purpose=PURPOSE)
    document.version += 1  # changed without going through a service
    document.save()
    assert selectors.signoff_status(document, PURPOSE).cio is None


def test_withdraw_then_sign_again(document, cio):
    services.signoff_sign(actor=cio, subject=document, purpose=PURPOSE)
    services.signoff_withdraw(actor=cio, subject=document, purpose=PURPOSE)
    assert selectors.signoff_status(document, PURPOSE).cio is None
    services.signoff_sign(
        actor=cio, subject=document, purpose=PURPOSE, decision="reject", comment="Changed my mind"
    )
    assert selectors.signoff_status(document, PURPOSE).rejected


def test_purposes_are_independent(document, cio):
    services.signoff_sign(actor=cio, subject=document, purpose="acceptance")
    assert selectors.signoff_status(document, "acceptance").cio is not None
    assert selectors.signoff_status(document, "submission").cio is None


def test_waiting_for_signature(document, org, cio, ciso):
    other = Document(organization=org, title="Other")
    services.record_creation(other, actor=cio)
    services.signoff_sign(actor=cio, subject=document, purpose=PURPOSE)
    waiting = selectors.signoffs_waiting_for(
        organization=org, role=Role.CIO, subjects_by_purpose={PURPOSE: [document, other]}
    )
    assert [s for _, s in waiting] == [other]
