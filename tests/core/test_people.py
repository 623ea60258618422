import pytest

from core import services
from core.errors import DomainError
from core.models import Membership, User
from core.roles import Role


def test_invite_twice_is_refused(org, people):
    with pytest.raises(DomainError) as error:
        services.membership_invite(
            actor=people["admin"], organization=org, email="cio@acme.test", role=Role.CIO
        )
    assert error.value.field == "email" and "already belongs to a member of Acme Corp" in error.value.message


def test_last_admin_cannot_be_removed_or_demoted(org, people):
    admin_membership = Membership.objects.get(organization=org, role=Role.ADMIN)
    with pytest.raises(DomainError, match="last admin"):
        services.membership_remove(actor=people["admin"], membership=admin_membership)
    with pytest.raises(DomainError, match="your own role"):
        services.membership_change_role(actor=people["admin"], membership=admin_membership, role=Role.BOARD)
    assert Membership.objects.filter(organization=org, role=Role.ADMIN).count() == 1


def test_admin_can_be_removed_when_another_admin_exists(org, people):
    second = Membership.objects.get(organization=org, user=people["board"])
    services.membership_change_role(actor=people["admin"], membership=second, role=Role.ADMIN)
    first = Membership.objects.get(organization=org, user=people["admin"])
    services.membership_remove(actor=people["board"], membership=first)
    assert not Membership.objects.filter(pk=first.pk).exists()
    assert User.objects.filter(pk=people["admin"].pk).exists()


def test_role_change_is_in_history(org, people):
    membership = Membership.objects.get(organization=org, user=people["contributor"])
    services.membership_change_role(actor=people["admin"], membership=membership, role=Role.BOARD)
    record = membership.history.latest()
    assert record.role == Role.BOARD and record.history_user == people["admin"]


def test_members_page_invite_and_remove(client_as, org, people):
    client = client_as("admin")
    response = client.post("/o/acme/people/", {"email": "bad", "role": "cio"})
    assert response.status_code == 200 and "Enter a valid email address" in response.content.decode()
    response = client.post("/o/acme/people/", {"email": "x@acme.test", "role": "board"})
    assert response.status_code == 302
    assert not Membership.objects.filter(user__email="x@acme.test").exists()  # not before they accept
    m = Membership.objects.get(user=people["board"])
    assert client.get(f"/o/acme/people/{m.pk}/remove/").status_code == 200
    client.post(f"/o/acme/people/{m.pk}/remove/")
    assert not Membership.objects.filter(pk=m.pk).exists()


def test_members_page_cannot_touch_another_orgs_membership(client_as, other_org, people):
    theirs = Membership.objects.get(organization=other_org)
    response = client_as("admin").post(f"/o/acme/people/{theirs.pk}/remove/")
    assert response.status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()
