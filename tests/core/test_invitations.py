"""Invitations (issue 16, part 4): a person joins only by accepting, and the
inviter learns nothing about whether the address already has an account."""

import re

import pytest
from django.core import mail
from django.test import Client

from core import services
from core.errors import DomainError, NotAllowed
from core.invitations import invitation_accept, invitation_decline
from core.models import Invitation, Membership, SecurityEvent, SecurityEventKind, User
from core.roles import Role


def _path(message) -> str:
    return re.search(r"(/invitations/[^/\s]+/)", message.body).group(1)


def test_the_inviter_gets_the_same_answer_for_a_known_and_an_unknown_address(
    client_as, people, django_capture_on_commit_callbacks
):
    outsider = people["outsider"]
    outsider.full_name = "Olga Outsider"
    outsider.save()
    client = client_as("admin")
    pages, apis = [], []
    for email in (outsider.email, "brand.new@elsewhere.test"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/o/acme/people/", {"email": email, "role": "board"}, follow=True)
        html = response.content.decode()
        assert "Olga" not in html and "already" not in html
        pages.append([str(m).replace(email, "EMAIL") for m in response.context["messages"]])
    api = client_as("admin", api=True)
    User.objects.create_user(email="known@globex.test", full_name="Kim Known")
    for email in ("known@globex.test", "other.new@elsewhere.test"):
        response = api.post(
            "/api/v1/orgs/acme/memberships/", {"email": email, "role": "board"}, format="json"
        )
        body = response.json()
        apis.append((response.status_code, sorted(body), body["status"], body["role"]))
    assert pages[0] == pages[1] == ["An invitation is on its way to EMAIL. They join once they accept."]
    assert apis[0] == apis[1] == (201, apis[0][1], "pending", "board")
    # Nobody joined yet: both are pending invitations on the People page.
    assert not Membership.objects.filter(user=outsider, organization__slug="acme").exists()
    assert set(Invitation.objects.pending().values_list("email", flat=True)) >= {
        outsider.email,
        "brand.new@elsewhere.test",
    }


def test_an_existing_account_accepts_from_the_link(org, people, django_capture_on_commit_callbacks):
    outsider = people["outsider"]
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_invite(
            actor=people["admin"], organization=org, email=outsider.email, role=Role.BOARD
        )
    path = _path(mail.outbox[-1])
    anonymous = Client()
    assert "/accounts/login/" in anonymous.get(path)["Location"]  # sign in first
    client = Client()
    client.force_login(outsider)
    page = client.get(path)
    assert page.status_code == 200 and "Acme Corp" in page.content.decode()
    response = client.post(path, {"answer": "accept"})
    assert response.status_code == 302
    membership = Membership.objects.get(user=outsider, organization__slug="acme")
    assert membership.role == Role.BOARD
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.MEMBER_ADDED, subject=outsider).exists()
    assert client.get(path).status_code == 404  # used


def test_someone_else_cannot_use_the_link(people, django_capture_on_commit_callbacks, org):
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_invite(
            actor=people["admin"], organization=org, email="invitee@elsewhere.test", role=Role.CONTRIBUTOR
        )
    client = Client()
    client.force_login(people["outsider"])
    path = _path(mail.outbox[-1])
    assert client.post(path, {"answer": "accept"}).status_code == 403
    assert not Membership.objects.filter(user=people["outsider"], organization=org).exists()


def test_a_new_address_chooses_a_password_and_joins(org, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_invite(
            actor=people["admin"],
            organization=org,
            email="New.Person@Acme.test",
            role=Role.CONTRIBUTOR,
            full_name="New Person",
        )
    path = _path(mail.outbox[-1])
    client = Client()
    assert "choose a password" in client.get(path).content.decode()
    assert client.post(path, {"password1": "short", "password2": "short"}).status_code == 400
    response = client.post(
        path,
        {"full_name": "New Person", "password1": "a-long-Passphrase-42", "password2": "a-long-Passphrase-42"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="new.person@acme.test", organization=org)
    assert membership.role == Role.CONTRIBUTOR and membership.user.check_password("a-long-Passphrase-42")


def test_decline_and_cancel(org, people, client_as):
    outsider = people["outsider"]
    invitation = services.membership_invite(
        actor=people["admin"], organization=org, email=outsider.email, role=Role.BOARD
    )
    invitation_decline(user=outsider, invitation=invitation)
    assert not Membership.objects.filter(user=outsider, organization=org).exists()
    with pytest.raises(DomainError):
        invitation_accept(user=outsider, invitation=invitation)
    again = services.membership_invite(
        actor=people["admin"], organization=org, email=outsider.email, role=Role.BOARD
    )
    with pytest.raises(DomainError):
        services.membership_invite(
            actor=people["admin"], organization=org, email=outsider.email, role=Role.BOARD
        )
    people_page = client_as("admin").get("/o/acme/people/").content.decode()
    assert outsider.email in people_page and f"/o/acme/people/invitations/{again.pk}/cancel/" in people_page
    client_as("admin").post(f"/o/acme/people/invitations/{again.pk}/cancel/")
    again.refresh_from_db()
    assert again.cancelled_at is not None
    assert SecurityEvent.objects.filter(
        kind=SecurityEventKind.INVITATION_CANCELLED, organization=org
    ).exists()
    with pytest.raises(NotAllowed):
        services.membership_invite(actor=people["cio"], organization=org, email="x@y.test", role=Role.BOARD)


def test_pending_invitations_are_listed_after_sign_in(org, people):
    outsider = people["outsider"]
    invitation = services.membership_invite(
        actor=people["admin"], organization=org, email=outsider.email, role=Role.BOARD
    )
    client = Client()
    client.force_login(outsider)
    assert client.get("/")["Location"] == "/accounts/invitations/"
    page = client.get("/accounts/invitations/").content.decode()
    assert "Acme Corp" in page and "Board member" in page
    api = client_as_api(outsider)
    assert [row["id"] for row in api.get("/api/v1/me/invitations/").json()["results"]] == [invitation.pk]
    assert api.post(f"/api/v1/me/invitations/{invitation.pk}/accept/").status_code == 200
    assert Membership.objects.get(user=outsider, organization=org).role == Role.BOARD


def client_as_api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(user)
    return client
