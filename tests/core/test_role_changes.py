"""Role changes are not a back door: one CIO and one CISO, hand over, nobody
changes their own role, sign-offs in flight voided, tokens revoked, every
change a security event and an e-mail to the CIO and the CISO."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from core import selectors, services
from core.errors import DomainError, NotAllowed
from core.models import ApiToken, Membership, Notification, SecurityEvent, SecurityEventKind, SignOff
from core.roles import Role
from tests.testapp.models import Document


@pytest.fixture
def document(org, cio):
    doc = Document(organization=org, title="Plan")
    services.record_creation(doc, actor=cio)
    return doc


def _m(org, user):
    return Membership.objects.get(organization=org, user=user)


def _hand_over_cio(org, people, successor_role="board", outgoing=Role.CONTRIBUTOR):
    return services.membership_hand_over(
        actor=people["admin"],
        organization=org,
        role=Role.CIO,
        successor=_m(org, people[successor_role]),
        outgoing_role=outgoing,
    )


# ------------------------------------------------------ one CIO, one CISO ----


def test_a_second_cio_is_refused_naming_the_role(org, people):
    with pytest.raises(DomainError, match="Hand over") as error:
        services.membership_change_role(
            actor=people["admin"], membership=_m(org, people["board"]), role=Role.CIO
        )
    assert error.value.field == "role"
    with pytest.raises(DomainError) as error:
        services.membership_invite(
            actor=people["admin"], organization=org, email="second@acme.test", role=Role.CISO
        )
    assert error.value.field == "role"
    assert Membership.objects.filter(organization=org, role=Role.CISO).count() == 1


def test_the_database_allows_one_cio_and_one_ciso(org, people):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(organization=org, user=people["outsider"], role=Role.CIO)


def test_a_vacant_role_can_be_given(org, people):
    _hand_over_cio(org, people)  # the CIO's seat moves to the board member
    services.membership_change_role(
        actor=people["admin"], membership=_m(org, people["contributor"]), role=Role.BOARD
    )
    assert _m(org, people["contributor"]).role == Role.BOARD


# ------------------------------------------------------------- hand over ----


def test_hand_over_moves_the_role_and_voids_what_was_in_flight(org, people, document):
    in_flight = services.signoff_sign(actor=people["cio"], subject=document, purpose="approval")
    successor = _hand_over_cio(org, people)
    assert successor.role == Role.CIO and _m(org, people["cio"]).role == Role.CONTRIBUTOR
    in_flight.refresh_from_db()
    assert in_flight.voided_at is not None and "no longer signs as CIO" in in_flight.void_reason
    log = list(selectors.signoff_log(document, "approval"))
    assert log[0].void_reason == in_flight.void_reason  # the history shows it
    services.signoff_sign(actor=people["board"], subject=document, purpose="approval")
    assert selectors.signoff_status(document, "approval").cio.signer == people["board"]


def test_a_decision_taken_stays_on_record_after_a_hand_over(org, people, document):
    services.signoff_sign(actor=people["cio"], subject=document, purpose="approval")
    services.signoff_sign(actor=people["ciso"], subject=document, purpose="approval")
    _hand_over_cio(org, people)
    assert selectors.is_jointly_approved(document, "approval")


def test_hand_over_can_take_the_outgoing_person_out(org, people):
    _hand_over_cio(org, people, outgoing=None)
    assert not Membership.objects.filter(organization=org, user=people["cio"]).exists()
    assert SecurityEvent.objects.filter(
        kind=SecurityEventKind.MEMBER_REMOVED, subject=people["cio"], detail__contains="handed over"
    ).exists()


@pytest.mark.parametrize(
    "successor,outgoing,field",
    [
        ("cio", Role.BOARD, "successor"),  # already the holder
        ("admin", Role.BOARD, "successor"),  # the acting admin: nobody gives themselves a role
        ("board", Role.CIO, "outgoing_role"),  # keeping the role
        ("board", Role.CISO, "role"),  # the CISO's seat is taken
        ("board", "king", "outgoing_role"),
    ],
)
def test_hand_over_refusals(org, people, successor, outgoing, field):
    with pytest.raises(DomainError) as error:
        _hand_over_cio(org, people, successor_role=successor, outgoing=outgoing)
    assert error.value.field == field
    assert _m(org, people["cio"]).role == Role.CIO


def test_hand_over_of_another_organizations_member_is_refused(org, people):
    with pytest.raises(DomainError) as error:
        services.membership_hand_over(
            actor=people["admin"],
            organization=org,
            role=Role.CIO,
            successor=Membership.objects.get(user=people["outsider"]),
        )
    assert error.value.field == "successor"


def test_only_an_admin_hands_over(org, people):
    with pytest.raises(NotAllowed):
        services.membership_hand_over(
            actor=people["ciso"],
            organization=org,
            role=Role.CIO,
            successor=_m(org, people["board"]),
            outgoing_role=Role.BOARD,
        )


# ------------------------------------------------- nobody gives themselves ----


@pytest.mark.parametrize("role", [Role.CIO, Role.BOARD, Role.CONTRIBUTOR])
def test_an_admin_cannot_change_their_own_role(org, people, role):
    if role == Role.CIO:
        _hand_over_cio(org, people)  # a vacant CIO seat is the tempting case
    with pytest.raises(NotAllowed, match="your own role"):
        services.membership_change_role(actor=people["admin"], membership=_m(org, people["admin"]), role=role)
    assert _m(org, people["admin"]).role == Role.ADMIN


@pytest.mark.parametrize("who", ["cio", "ciso"])
def test_the_cio_and_ciso_are_neither_removed_nor_demoted_without_a_successor(org, people, who):
    with pytest.raises(DomainError, match="Hand over"):
        services.membership_remove(actor=people["admin"], membership=_m(org, people[who]))
    with pytest.raises(DomainError, match="Hand over"):
        services.membership_change_role(
            actor=people["admin"], membership=_m(org, people[who]), role=Role.BOARD
        )
    assert _m(org, people[who]).role == who


# ------------------------------------------- events, e-mails and tokens ----


def test_every_role_change_is_a_security_event_and_an_email_to_the_cio_and_ciso(
    org, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_change_role(
            actor=people["admin"], membership=_m(org, people["board"]), role=Role.CONTRIBUTOR
        )
    event = SecurityEvent.objects.get(kind=SecurityEventKind.ROLE_CHANGED)
    assert event.subject == people["board"] and event.actor == people["admin"] and event.organization == org
    # The executives' record of the change (the person is told separately: core.notifications).
    # A security notice through the catalogue: one e-mail each, in the inbox too.
    executives = [m for m in mail.outbox if "People and roles changed" in m.subject]
    assert sorted(m.to[0] for m in executives) == ["cio@acme.test", "ciso@acme.test"]
    assert all("Board member → Contributor" in m.body for m in executives)
    assert "List-Unsubscribe" not in executives[0].extra_headers  # security: cannot be turned off
    notes = Notification.objects.filter(event="security.members_changed")
    assert sorted(n.recipient.email for n in notes) == ["cio@acme.test", "ciso@acme.test"]
    assert [m.to for m in mail.outbox if m not in executives] == [["board@acme.test"]]


def test_hand_over_tells_the_outgoing_and_the_new_holder(org, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _hand_over_cio(org, people)
    executives = [m for m in mail.outbox if "People and roles changed" in m.subject]
    assert sorted(m.to[0] for m in executives) == ["board@acme.test", "cio@acme.test", "ciso@acme.test"]
    # Each person whose role changed is also told in person (core.notifications, security).
    assert sorted(m.to[0] for m in mail.outbox if m not in executives) == ["board@acme.test", "cio@acme.test"]
    kinds = list(
        SecurityEvent.objects.filter(kind=SecurityEventKind.ROLE_CHANGED).values_list(
            "subject__email", flat=True
        )
    )
    assert sorted(kinds) == ["board@acme.test", "cio@acme.test"]


def test_removal_is_a_security_event_and_an_email(org, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_remove(actor=people["admin"], membership=_m(org, people["contributor"]))
    assert SecurityEvent.objects.filter(
        kind=SecurityEventKind.MEMBER_REMOVED, subject=people["contributor"]
    ).exists()
    assert "was removed" in mail.outbox[0].body


@pytest.mark.parametrize("change", ["role", "remove", "hand_over"])
def test_role_change_and_removal_revoke_every_api_token(org, people, change):
    person = people["board"]
    _, key = services.api_token_create(actor=person, name="Reports")
    services.api_token_create(actor=person, name="Other")
    if change == "role":
        services.membership_change_role(
            actor=people["admin"], membership=_m(org, person), role=Role.CONTRIBUTOR
        )
    elif change == "remove":
        services.membership_remove(actor=people["admin"], membership=_m(org, person))
    else:
        _hand_over_cio(org, people)  # the board member becomes CIO
    assert not ApiToken.objects.filter(user=person, revoked_at__isnull=True).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.TOKEN_REVOKED, subject=person).count() == 2
    response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401


def test_api_tokens_revoke_all_says_why(people):
    person = people["ciso"]
    services.api_token_create(actor=person, name="SIEM")
    assert services.api_tokens_revoke_all(user=person, reason="the password was changed.") == 1
    assert services.api_tokens_revoke_all(user=person, reason="the password was changed.") == 0
    event = SecurityEvent.objects.filter(kind=SecurityEventKind.TOKEN_REVOKED).latest("id")
    assert event.detail.endswith(": the password was changed.") and event.subject == person


def test_an_unchanged_role_changes_nothing(org, people):
    services.api_token_create(actor=people["board"], name="Reports")
    services.membership_change_role(
        actor=people["admin"], membership=_m(org, people["board"]), role=Role.BOARD
    )
    assert ApiToken.objects.filter(user=people["board"], revoked_at__isnull=True).exists()
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.ROLE_CHANGED).exists()


def test_sign_offs_of_other_roles_are_untouched_by_a_role_change(org, people, document):
    services.signoff_sign(actor=people["ciso"], subject=document, purpose="approval")
    services.membership_change_role(
        actor=people["admin"], membership=_m(org, people["board"]), role=Role.CONTRIBUTOR
    )
    assert SignOff.objects.filter(voided_at__isnull=True).count() == 1


# ------------------------------------------------------------ page and API ----


def test_people_page_offers_hand_over_and_never_your_own_role(client_as, org, people):
    page = client_as("admin").get("/o/acme/people/").content.decode()
    assert "/o/acme/people/hand-over/cio/" in page and "/o/acme/people/hand-over/ciso/" in page
    admin_pk = _m(org, people["admin"]).pk
    assert f"/o/acme/people/{admin_pk}/role/" not in page


def test_hand_over_page(client_as, org, people):
    client = client_as("admin")
    page = client.get("/o/acme/people/hand-over/ciso/")
    assert page.status_code == 200 and "data-confirm" in page.content.decode()
    assert client.get("/o/acme/people/hand-over/board/").status_code == 404
    response = client.post(
        "/o/acme/people/hand-over/ciso/",
        {"successor": _m(org, people["contributor"]).pk, "outgoing_role": "board"},
    )
    assert response.status_code == 302
    assert _m(org, people["contributor"]).role == Role.CISO and _m(org, people["ciso"]).role == Role.BOARD
    response = client.post("/o/acme/people/hand-over/cio/", {"successor": _m(org, people["board"]).pk})
    assert response.status_code == 200 and _m(org, people["cio"]).role == Role.CIO  # say what happens to them
    client.post(
        "/o/acme/people/hand-over/cio/", {"successor": _m(org, people["board"]).pk, "outgoing_role": "leave"}
    )
    assert not Membership.objects.filter(organization=org, user=people["cio"]).exists()
    # the acting admin is not offered as successor, and is refused if sent anyway
    response = client.post(
        "/o/acme/people/hand-over/ciso/", {"successor": _m(org, people["admin"]).pk, "outgoing_role": "board"}
    )
    assert response.status_code == 200 and _m(org, people["admin"]).role == Role.ADMIN


def test_hand_over_api(client_as, org, people):
    client = client_as("admin", api=True)
    url = "/api/v1/orgs/acme/memberships/hand-over/"
    response = client.post(
        url,
        {"role": "cio", "successor": _m(org, people["board"]).pk, "outgoing_role": "contributor"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["role"] == "cio"
    bad = client.post(
        url, {"role": "cio", "successor": Membership.objects.get(user=people["outsider"]).pk}, format="json"
    )
    assert bad.status_code == 400 and "successor" in bad.json()["errors"]
    assert client_as("ciso", api=True).post(
        url, {"role": "cio", "successor": 1}, format="json"
    ).status_code in (403, 404)


def test_api_role_change_of_cio_is_a_clear_400(client_as, org, people):
    response = client_as("admin", api=True).patch(
        f"/api/v1/orgs/acme/memberships/{_m(org, people['cio']).pk}/", {"role": "board"}, format="json"
    )
    assert response.status_code == 400 and "role" in response.json()["errors"]


class BrokenMailBackend:
    """A mail server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_a_failing_mail_server_never_fails_a_committed_role_change(
    client_as, org, people, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.core.test_role_changes.BrokenMailBackend"
    membership = _m(org, people["board"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("admin").post(f"/o/acme/people/{membership.pk}/role/", {"role": "contributor"})
    assert response.status_code == 302
    assert _m(org, people["board"]).role == Role.CONTRIBUTOR
