"""Each event reaches the right people, once, through the channels they chose,
and never anyone who may not see its item."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from core import services
from core.errors import DomainError
from core.models import Delivery, Notification, NotificationPreference, SecurityEvent
from core.notifications import delivery
from core.notifications.services import notify, preference_set
from core.roles import Role
from tests.testapp.models import Document

PURPOSE = "approval"


def _told(event):
    return sorted(Notification.objects.filter(event=event).values_list("recipient__email", flat=True))


def test_first_signature_tells_the_other_executive_the_other_signed(
    document, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.signoff_sign(actor=people[Role.CIO], subject=document, purpose=PURPOSE, comment="Good")
    assert _told("decision.signed_by_other") == ["ciso@acme.test"]
    assert (
        _told("decision.waiting") == []
    )  # put up for signature is a different event (see test_joint_registry)
    note = Notification.objects.get(event="decision.signed_by_other")
    assert "The CIO signed" in note.title and "your signature completes it" in note.title
    assert "Cloud policy" in note.title and "Good" in note.body
    assert [m.to for m in mail.outbox] == [["ciso@acme.test"]]
    assert mail.outbox[0].subject.startswith("[Acme")


def test_second_approval_tells_both_it_is_decided(document, people, django_capture_on_commit_callbacks):
    services.signoff_sign(actor=people[Role.CIO], subject=document, purpose=PURPOSE)
    with django_capture_on_commit_callbacks(execute=True):
        services.signoff_sign(actor=people[Role.CISO], subject=document, purpose=PURPOSE)
    assert _told("decision.decided") == ["cio@acme.test", "ciso@acme.test"]


def test_a_rejection_tells_the_other_with_the_reason(document, people):
    services.signoff_sign(
        actor=people[Role.CISO], subject=document, purpose=PURPOSE, decision="reject", comment="No MFA plan"
    )
    assert _told("decision.rejected") == ["cio@acme.test"]
    assert "No MFA plan" in Notification.objects.get(event="decision.rejected").body
    assert _told("decision.signed_by_other") == []


def test_a_change_that_voids_a_signature_tells_the_signer(document, people):
    services.signoff_sign(actor=people[Role.CISO], subject=document, purpose=PURPOSE)
    document.title = "Cloud policy v2"
    services.record_change(document, actor=people[Role.CIO], reason="Scope widened")
    assert _told("decision.voided") == ["ciso@acme.test"]
    assert Notification.objects.get(event="decision.voided").body == "Scope widened"


def test_nobody_who_may_not_see_the_item_is_told(document, people, org):
    everyone = [people[r] for r in (Role.CIO, Role.CISO, Role.BOARD, Role.CONTRIBUTOR, Role.ADMIN)]
    everyone.append(people["outsider"])  # CIO of another organization
    notify(
        event="decision.decided",
        organization=org,
        recipients=everyone,
        subject=document,
        title="Decided",
        key="t:1",
    )
    assert _told("decision.decided") == ["cio@acme.test", "ciso@acme.test"]


def test_one_event_gives_one_message_per_person_even_when_emitted_or_sent_twice(
    document, people, org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            notify(
                event="decision.decided",
                organization=org,
                recipients=[people[Role.CIO]],
                title="X",
                key="k:1",
            )
    note = Notification.objects.get()
    assert len(mail.outbox) == 1
    assert delivery.send_notification_email(note.pk) == 0  # a retried task sends nothing more
    assert len(mail.outbox) == 1
    assert Delivery.objects.get().status == "sent"


def test_preferences_off_and_digest_and_org_default(
    document, people, org, django_capture_on_commit_callbacks
):
    cio, ciso = people[Role.CIO], people[Role.CISO]
    preference_set(actor=cio, organization=org, category="decisions", mode="off")
    preference_set(actor=ciso, organization=org, category="decisions", mode="weekly", for_organization=True)
    with django_capture_on_commit_callbacks(execute=True):
        notify(event="decision.decided", organization=org, recipients=[cio, ciso], title="X", key="k:2")
    assert _told("decision.decided") == ["ciso@acme.test"]  # the CIO turned it off
    assert Notification.objects.get().mode == "weekly"  # the organization's default
    assert mail.outbox == []  # waits for the digest


def test_security_notices_cannot_be_turned_off_or_delayed(org, people):
    for mode in ("off", "daily"):
        with pytest.raises(DomainError, match="always sent at once") as exc:
            preference_set(actor=people[Role.CIO], organization=org, category="security", mode=mode)
        assert exc.value.field == "security"
    assert not NotificationPreference.objects.exists()


def test_only_settings_managers_set_organization_defaults(org, people):
    from core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        preference_set(
            actor=people[Role.BOARD], organization=org, category="reports", mode="off", for_organization=True
        )


def test_an_unknown_event_is_refused(org, people):
    with pytest.raises(LookupError, match="not in the catalogue"):
        notify(event="nope", organization=org, recipients=[people[Role.CIO]], title="X", key="k")


def test_a_role_change_tells_the_person(org, people, django_capture_on_commit_callbacks):
    membership = people[Role.BOARD].memberships.get(organization=org)
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_change_role(
            actor=people[Role.ADMIN], membership=membership, role=Role.CONTRIBUTOR
        )
    note = Notification.objects.get(event="security.role_changed")
    assert (
        note.recipient == people[Role.BOARD] and "Contributor" in note.title and note.category == "security"
    )


def test_a_sign_in_from_a_new_device_is_a_security_notice(org, people, django_capture_on_commit_callbacks):
    user = people[Role.CIO]
    user.set_password("Correct-horse-9")
    user.save()

    def sign_in(agent):
        response = Client(HTTP_USER_AGENT=agent).post(
            reverse("login"), {"username": user.email, "password": "Correct-horse-9"}
        )
        assert response.status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        sign_in("Firefox/1")  # the first sign-in ever: nothing to compare with
        sign_in("Firefox/1")  # the same browser
    assert not Notification.objects.filter(event="security.new_device").exists()
    with django_capture_on_commit_callbacks(execute=True):
        sign_in("Safari/2")
    note = Notification.objects.get(event="security.new_device")
    assert note.recipient == user and "Safari/2" in note.body
    assert SecurityEvent.objects.filter(kind="sign_in").count() == 3
    sent = [m for m in mail.outbox if m.to == [user.email]]
    assert len(sent) == 1 and "List-Unsubscribe" not in sent[0].extra_headers  # security: no opt-out


def test_a_document_of_another_organization_is_never_told_across(org, other_org, people):
    foreign = Document(organization=other_org, title="Globex plan")
    services.record_creation(foreign, actor=people["outsider"])
    notify(
        event="decision.decided",
        organization=org,
        recipients=[people[Role.CIO]],
        subject=foreign,
        title="X",
        key="k:x",
    )
    assert not Notification.objects.exists()
