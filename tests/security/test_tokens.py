"""Personal API tokens: read-only unless more is chosen, scopes enforced in the
API's one chokepoint (403 naming the missing scope), expiry, and revocation of
every token when the password changes (every path)."""

from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from core import services
from core.errors import DomainError
from core.models import ApiToken, SecurityEvent, SecurityEventKind
from tests.governance.factories_raci import matrix_id

from .endpoints import all_endpoints

PASSWORD = "concord-demo-2026"
NEW_PASSWORD = "a-new-long-passphrase-2027"

# Every sign and withdraw action of a joint decision in the API (pk 999999: the
# scope check comes before the object is looked up).
SIGN_ACTIONS = [
    "/api/v1/orgs/acme/risks/999999/sign/",
    "/api/v1/orgs/acme/risks/999999/withdraw/",
    "/api/v1/orgs/acme/risks/999999/acceptance/end/",  # ending a joint acceptance undoes a joint decision
    "/api/v1/orgs/acme/risks/999999/agreement/",  # proposing and confirming an agreed assessment
    "/api/v1/orgs/acme/risks/999999/agreement/confirm/",
    "/api/v1/orgs/acme/budget/proposals/999999/sign/",
    "/api/v1/orgs/acme/budget/proposals/999999/withdraw/",
    "/api/v1/orgs/acme/intake/requests/999999/sign/",
    "/api/v1/orgs/acme/intake/requests/999999/withdraw/",
    "/api/v1/orgs/acme/raci/matrix/999999/sign/",
    "/api/v1/orgs/acme/raci/matrix/999999/withdraw/",
    "/api/v1/orgs/acme/board-asks/999999/sign/",
    "/api/v1/orgs/acme/board-asks/999999/withdraw/",
    "/api/v1/orgs/acme/profile/999999/sign/",
    "/api/v1/orgs/acme/profile/999999/withdraw/",
]


def _client(user, scopes=None):
    _, key = services.api_token_create(actor=user, name="script", scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _refused_for(response, scope):
    body = response.json()
    return (
        response.status_code == 403
        and body["code"] == "missing_scope"
        and f"'{scope}' scope" in body["detail"]
    )


# ------------------------------------------------------ creation ----


def test_a_new_token_reads_only_and_expires_after_the_default(people):
    token, _ = services.api_token_create(actor=people["cio"], name="script")
    assert token.scopes == ["read"]
    assert abs(token.expires_at - token.created_at - timedelta(days=90)) < timedelta(minutes=1)


def test_lifetime_is_configurable_and_bounded(settings, people):
    settings.API_TOKEN_DEFAULT_DAYS = 30
    settings.API_TOKEN_MAX_DAYS = 180
    token, _ = services.api_token_create(actor=people["cio"], name="default")
    assert abs(token.expires_at - token.created_at - timedelta(days=30)) < timedelta(minutes=1)
    token, _ = services.api_token_create(actor=people["cio"], name="longer", days=180)
    assert abs(token.expires_at - token.created_at - timedelta(days=180)) < timedelta(minutes=1)
    for days in (0, 181, -5, "forever"):
        with pytest.raises(DomainError) as error:
            services.api_token_create(actor=people["cio"], name="too long", days=days)
        assert error.value.field == "days"
    with pytest.raises(DomainError) as error:
        services.api_token_create(actor=people["cio"], name="admin", scopes=["everything"])
    assert error.value.field == "scopes"


def test_the_profile_form_creates_read_only_tokens_by_default(client_as, cio):
    client = client_as("cio")
    client.post("/accounts/profile/", {"name": "Dashboard reader", "days": ""})
    token = ApiToken.objects.get(user=cio)
    assert token.scopes == ["read"]
    client.post("/accounts/profile/", {"name": "Pusher", "scopes": ["write"], "days": "30"})
    token = ApiToken.objects.get(user=cio, name="Pusher")
    assert token.scopes == ["read", "write"]
    assert abs(token.expires_at - token.created_at - timedelta(days=30)) < timedelta(minutes=1)
    page = client.post("/accounts/profile/", {"name": "Forever", "days": "100000"}).content.decode()
    assert "365" in page and not ApiToken.objects.filter(name="Forever").exists()


def test_the_tokens_page_shows_expired_tokens_as_expired(client_as, cio):
    token, _ = services.api_token_create(actor=cio, name="Old script")
    page = client_as("cio").get("/accounts/profile/").content.decode()
    assert "Expired" not in page
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(days=1))
    page = client_as("cio").get("/accounts/profile/").content.decode()
    assert "Expired" in page and "Revoke" not in page.split("Old script")[1].split("</tr>")[0]


def test_an_expired_token_is_refused(people):
    token, key = services.api_token_create(actor=people["cio"], name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/me/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/me/")
    assert response.status_code == 401 and "expired" in response.json()["detail"]


# --------------------------------------------------------- scopes ----


def test_read_scope_reads_but_does_not_write(people):
    client = _client(people["cio"])
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/api/v1/orgs/acme/risks/").status_code == 200
    response = client.patch("/api/v1/orgs/acme/", {"name": "Renamed"})
    assert _refused_for(response, "write")
    response = client.post("/api/v1/orgs/acme/risks/", {"title": "New risk"})
    assert _refused_for(response, "write")


def test_write_scope_changes_data(people, org):
    client = _client(people["cio"], ["write"])
    response = client.patch("/api/v1/orgs/acme/", {"name": "Acme Group", "version": org.version})
    assert response.status_code == 200
    org.refresh_from_db()
    assert org.name == "Acme Group"


@pytest.mark.parametrize("path", SIGN_ACTIONS)
def test_signing_needs_the_sign_scope(people, path):
    response = _client(people["cio"], ["write"]).post(path, {"decision": "approve"})
    assert _refused_for(response, "sign")
    response = _client(people["cio"], ["sign"]).post(path, {"decision": "approve"})
    assert response.status_code != 403


def test_every_sign_and_withdraw_action_of_the_api_is_listed():
    listed = {p.replace("999999", "X").replace("/api/v1/orgs/acme/", "") for p in SIGN_ACTIONS}
    found = set()
    for endpoint in all_endpoints():
        route = endpoint.route
        if (
            endpoint.is_api
            and (
                "sign/" in route or "withdraw" in route or "agreement/" in route or "acceptance/end" in route
            )
            and "decline" not in route
        ):
            tail = route.split("<org:org_slug>/")[1].replace("<str:pk>", "X").replace("<int:pk>", "X")
            found.add(tail)
    assert found == listed


def test_a_sign_token_signs_a_joint_decision(people, raci_matrix):
    from core.models import SignOff

    response = _client(people["cio"], ["sign"]).post(
        f"/api/v1/orgs/acme/raci/matrix/{matrix_id()}/sign/",
        {"decision": "approve"},
    )
    assert response.status_code == 200, response.json()
    assert SignOff.objects.filter(signer=people["cio"], voided_at__isnull=True).exists()


def test_security_changes_need_the_security_scope(people):
    admin = people["admin"]
    board = people["board"].memberships.get()
    writer = _client(admin, ["write"])
    assert writer.get("/api/v1/orgs/acme/memberships/").status_code == 200
    response = writer.patch(f"/api/v1/orgs/acme/memberships/{board.pk}/", {"role": "contributor"})
    assert _refused_for(response, "security")
    response = writer.post("/api/v1/orgs/acme/memberships/", {"email": "new@acme.test", "role": "board"})
    assert _refused_for(response, "security")
    assert _refused_for(writer.delete(f"/api/v1/orgs/acme/memberships/{board.pk}/"), "security")
    board.refresh_from_db()
    assert board.role == "board"
    security = _client(admin, ["security"])
    response = security.patch(f"/api/v1/orgs/acme/memberships/{board.pk}/", {"role": "contributor"})
    assert response.status_code == 200


def test_the_organizations_two_factor_requirement_needs_the_security_scope(people, org):
    cio = people["cio"]
    response = _client(cio, ["write"]).patch(
        "/api/v1/orgs/acme/", {"mfa_required_roles": [], "version": org.version}
    )
    assert _refused_for(response, "security")
    org.refresh_from_db()
    assert org.mfa_required_roles == ["cio", "ciso", "admin"]
    response = _client(cio, ["write", "security"]).patch(
        "/api/v1/orgs/acme/", {"mfa_required_roles": ["cio"], "version": org.version}
    )
    assert response.status_code == 200


def test_session_calls_are_not_limited_by_scopes(client_as, org):
    response = client_as("cio", api=True).patch(
        "/api/v1/orgs/acme/", {"name": "Acme Group", "version": org.version}
    )
    assert response.status_code == 200


def test_scopes_are_named_in_the_openapi_schema(client_as):
    schema = client_as("cio").get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "`sign`" in schema and "`security`" in schema and "Retry-After" in schema


# ----------------------------------------------------- revocation ----


def _active(user):
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()


def test_changing_the_password_revokes_every_token(client, people):
    cio = people["cio"]
    _, key = services.api_token_create(actor=cio, name="one")
    services.api_token_create(actor=cio, name="two", scopes=["write"])
    services.api_token_create(actor=people["ciso"], name="someone else's")
    client.force_login(cio)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert _active(cio) == 0 and _active(people["ciso"]) == 1
    events = SecurityEvent.objects.filter(kind=SecurityEventKind.TOKEN_REVOKED, subject=cio)
    assert len(events) == 2  # one per token, each saying why
    assert all("password" in event.detail for event in events)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/me/").status_code == 401


def test_a_refused_password_change_revokes_nothing(client, people):
    cio = people["cio"]
    services.api_token_create(actor=cio, name="one")
    client.force_login(cio)
    client.post(
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert _active(cio) == 1


def test_resetting_the_password_revokes_every_token(client, people):
    cio = people["cio"]
    services.api_token_create(actor=cio, name="one")
    uid = urlsafe_base64_encode(force_bytes(cio.pk))
    response = client.get(f"/accounts/reset/{uid}/{default_token_generator.make_token(cio)}/")
    assert response.status_code == 302
    response = client.post(
        response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert _active(cio) == 0
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.TOKEN_REVOKED, subject=cio).exists()


def test_a_password_set_in_the_admin_site_revokes_every_token(client, people, django_user_model):
    cio = people["cio"]
    services.api_token_create(actor=cio, name="one")
    client.force_login(django_user_model.objects.create_superuser(email="root@acme.test", password=PASSWORD))
    response = client.post(
        f"/admin/core/user/{cio.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert _active(cio) == 0


def test_revoke_all_only_records_an_event_when_something_was_revoked(people):
    cio = people["cio"]
    assert services.api_tokens_revoke_all(user=cio, reason="test.") == 0
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.TOKEN_REVOKED).exists()
