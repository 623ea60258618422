"""The audit trail: security events recorded for each kind of action, the
Audit page (who may see it, filters, pagination, export) and immutability."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core import services
from core.audit import record_export
from core.models import Membership, SecurityEvent, SecurityEventKind, User
from tests.contract import expect_page
from tests.factories import member

from .helpers import enrol_totp, totp_code


def _kinds(**filters):
    return set(SecurityEvent.objects.filter(**filters).values_list("kind", flat=True))


def test_sign_in_failed_sign_in_and_sign_out_are_recorded(client, people):
    client.post(
        "/accounts/login/", {"username": "cio@acme.test", "password": "wrong"}, REMOTE_ADDR="10.1.1.1"
    )
    client.post("/accounts/login/", {"username": "cio@acme.test", "password": "concord-demo-2026"})
    client.post("/accounts/logout/")
    kinds = _kinds(actor_email="cio@acme.test")
    assert {SecurityEventKind.SIGN_IN_FAILED, SecurityEventKind.SIGN_IN, SecurityEventKind.SIGN_OUT} <= kinds
    failed = SecurityEvent.objects.get(kind=SecurityEventKind.SIGN_IN_FAILED)
    assert failed.ip_address == "10.1.1.1" and failed.actor is None


def test_people_and_token_changes_are_recorded(org, people):
    admin, cio = people["admin"], people["cio"]
    services.membership_invite(actor=admin, organization=org, email="new@acme.test", role="board")
    membership = services.membership_add(
        actor=admin, organization=org, role="board", user=User.objects.create_user(email="new@acme.test")
    )
    services.membership_change_role(actor=admin, membership=membership, role="contributor")
    services.membership_remove(actor=admin, membership=membership)
    token, _ = services.api_token_create(actor=cio, name="SIEM")
    services.api_token_revoke(actor=cio, token=token)
    assert _kinds(organization=org) >= {
        SecurityEventKind.MEMBER_INVITED,
        SecurityEventKind.MEMBER_ADDED,
        SecurityEventKind.ROLE_CHANGED,
        SecurityEventKind.MEMBER_REMOVED,
    }
    role_change = SecurityEvent.objects.get(kind=SecurityEventKind.ROLE_CHANGED)
    assert role_change.subject_email == "new@acme.test" and "Board member → Contributor" in role_change.detail
    assert _kinds(actor=cio) >= {SecurityEventKind.TOKEN_CREATED, SecurityEventKind.TOKEN_REVOKED}


def test_mfa_policy_change_is_recorded(org, people):
    services.organization_update(
        actor=people["admin"], organization=org, expected_version=org.version, mfa_required_roles=["cio"]
    )
    event = SecurityEvent.objects.get(kind=SecurityEventKind.SETTINGS_CHANGED)
    assert event.organization == org and "CIO" in event.detail


def test_mfa_enrolment_and_removal_are_recorded(people):
    from core.security import mfa

    cio = people["cio"]
    device = mfa.enrolment_start(user=cio)
    mfa.enrolment_confirm(user=cio, code=totp_code(device))
    mfa.remove(actor=cio, user=cio)
    assert _kinds(subject=cio) >= {SecurityEventKind.MFA_ENROLLED, SecurityEventKind.MFA_REMOVED}


def test_record_export_is_available_to_other_apps(org, people):
    event = record_export(people["cio"], org, "Risk register (XLSX)")
    assert event.kind == SecurityEventKind.EXPORT and event.organization == org


def test_security_events_cannot_be_altered(org, people):
    event = record_export(people["cio"], org, "x")
    event.detail = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        SecurityEvent.objects.filter(pk=event.pk).update(detail="changed")
    with pytest.raises(PermissionError):
        SecurityEvent.objects.all().delete()


def test_security_events_are_read_only_in_django_admin(client, org, people, django_user_model):
    event = record_export(people["cio"], org, "x")
    client.force_login(django_user_model.objects.create_superuser(email="root@acme.test", password="x" * 12))
    assert client.get(f"/admin/core/securityevent/{event.pk}/change/").status_code == 200
    client.post(f"/admin/core/securityevent/{event.pk}/change/", {"detail": "changed"})
    assert client.post(f"/admin/core/securityevent/{event.pk}/delete/").status_code == 403
    event.refresh_from_db()
    assert event.detail == "x"


def test_audit_page_contract(client_as):
    expect_page(client_as, "/o/acme/audit/", allowed={"cio", "ciso", "admin"})
    expect_page(client_as, "/o/acme/audit/export.csv", allowed={"cio", "ciso", "admin"})


def test_audit_lists_changes_and_security_events_of_this_organization_only(client_as, org, other_org, people):
    services.organization_update(
        actor=people["cio"], organization=org, expected_version=org.version, risk_appetite=12
    )
    services.membership_invite(actor=people["admin"], organization=org, email="new@acme.test", role="board")
    services.membership_invite(
        actor=member(other_org, "admin", email="admin@globex.test"),
        organization=other_org,
        email="spy@globex.test",
        role="board",
    )
    record_export(people["outsider"], other_org, "Globex secrets")
    page = client_as("ciso").get("/o/acme/audit/").content.decode()
    assert "Risk appetite: 9 → 12" in page
    assert "Person invited" in page and "new@acme.test" in page
    assert "spy@globex.test" not in page and "Globex secrets" not in page


def test_person_level_events_show_in_each_organization_of_the_person(client_as, org, other_org, people):
    Membership.objects.create(user=people["cio"], organization=other_org, role="ciso")
    services.api_token_create(actor=people["cio"], name="SIEM push")
    assert "SIEM push" in client_as("ciso").get("/o/acme/audit/").content.decode()
    assert "SIEM push" in client_as("outsider").get("/o/globex/audit/").content.decode()


def test_audit_filters(client_as, org, people):
    services.api_token_create(actor=people["cio"], name="by cio")
    services.api_token_create(actor=people["ciso"], name="by ciso")
    client = client_as("admin")
    page = client.get("/o/acme/audit/", {"person": people["cio"].pk}).content.decode()
    assert "by cio" in page and "by ciso" not in page
    page = client.get("/o/acme/audit/", {"kind": "changes"}).content.decode()
    assert "by cio" not in page
    page = client.get("/o/acme/audit/", {"kind": "token_created"}).content.decode()
    assert "by cio" in page and "by ciso" in page
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = client.get("/o/acme/audit/", {"date_from": tomorrow}).content.decode()
    assert "Nothing matches these filters" in page
    page = client.get("/o/acme/audit/", {"date_from": tomorrow, "date_to": "2020-01-01"}).content.decode()
    assert "The end date is before the start date" in page


def test_audit_export_csv_and_xlsx_are_recorded(client_as, org, people):
    services.api_token_create(actor=people["cio"], name="exported token")
    client = client_as("cio")
    response = client.get("/o/acme/audit/export.csv")
    assert response.status_code == 200 and "exported token" in response.content.decode()
    response = client.get("/o/acme/audit/export.xlsx", {"kind": "security"})
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT, organization=org).count() == 2
    assert client.get("/o/acme/audit/export.pdf").status_code == 404


@pytest.mark.parametrize("rows", [5, 60])
def test_audit_page_query_count_is_flat(client_as, org, people, django_assert_max_num_queries, rows):
    for n in range(rows):
        services.api_token_create(actor=people["cio"], name=f"t{n}") if n < 20 else None
        member(org, "board", email=f"m{n}@acme.test")
        services.organization_update(
            actor=people["cio"], organization=org, expected_version=None, risk_appetite=5 + n % 10
        )
    client = client_as("cio")
    with django_assert_max_num_queries(25):
        response = client.get("/o/acme/audit/")
    assert response.status_code == 200
    assert "page-link" in response.content.decode() or rows < 50


def test_audit_paginates(client_as, org, people):
    for n in range(55):
        record_export(people["cio"], org, f"export {n}")
    client = client_as("cio")
    first = client.get("/o/acme/audit/").content.decode()
    second = client.get("/o/acme/audit/", {"page": 2}).content.decode()
    assert "export 54" in first and "export 0<" not in first
    assert "export 0" in second


def test_verified_sign_in_with_mfa_is_in_the_audit(secure, client, people):
    device = enrol_totp(people["ciso"])
    client.post("/accounts/login/", {"username": "ciso@acme.test", "password": "concord-demo-2026"})
    client.post(
        "/accounts/two-factor/verify/", {"code": "000000" if totp_code(device) != "000000" else "111111"}
    )
    kinds = _kinds(actor=people["ciso"])
    assert SecurityEventKind.SIGN_IN in kinds and SecurityEventKind.MFA_FAILED in kinds
