from core import services
from core.api.authentication import BearerTokenAuthentication  # noqa: F401
from core.models import Membership
from tests.contract import expect_api


def test_me_lists_memberships(client_as):
    data = client_as("cio", api=True).get("/api/v1/me/").json()
    assert data["email"] == "cio@acme.test"
    assert data["memberships"] == [
        {"organization": "acme", "organization_name": "Acme Corp", "role": "cio", "is_admin": False}
    ]


def test_me_needs_authentication(client_as):
    assert client_as("anonymous", api=True).get("/api/v1/me/").status_code in (401, 403)


def test_bearer_token_authentication(client, cio):
    _, key = services.api_token_create(actor=cio, name="script")
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200 and response.json()["email"] == "cio@acme.test"
    bad = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer nope")
    assert bad.status_code == 401 and bad.json()["code"] == "authentication_failed"


def test_revoked_token_is_refused(client, cio):
    token, key = services.api_token_create(actor=cio, name="script")
    services.api_token_revoke(actor=cio, token=token)
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_organizations_list_is_only_mine(client_as):
    data = client_as("outsider", api=True).get("/api/v1/orgs/").json()
    assert [o["slug"] for o in data["results"]] == ["globex"]


def test_organization_detail_contract(client_as):
    expect_api(client_as, "/api/v1/orgs/acme/", allowed={"cio", "ciso", "board", "contributor", "admin"})


def test_organization_settings_update(client_as, org):
    response = client_as("board", api=True).patch(
        "/api/v1/orgs/acme/", {"risk_appetite": 12, "version": 1}, format="json"
    )
    assert response.status_code == 403
    response = client_as("cio", api=True).patch(
        "/api/v1/orgs/acme/", {"high_from": 3, "version": 1}, format="json"
    )
    assert response.status_code == 400 and "high_from" in response.json()["errors"]
    response = client_as("cio", api=True).patch(
        "/api/v1/orgs/acme/", {"risk_appetite": 12, "version": 1}, format="json"
    )
    assert response.status_code == 200 and response.json()["risk_appetite"] == 12
    stale = client_as("ciso", api=True).patch(
        "/api/v1/orgs/acme/", {"risk_appetite": 8, "version": 1}, format="json"
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"


def test_memberships_contract(client_as):
    expect_api(client_as, "/api/v1/orgs/acme/memberships/", allowed={"admin"})


def test_memberships_invite_validation_and_last_admin(client_as, org, people):
    client = client_as("admin", api=True)
    bad = client.post("/api/v1/orgs/acme/memberships/", {"email": "nope", "role": "king"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"email", "role"}
    created = client.post(
        "/api/v1/orgs/acme/memberships/", {"email": "new@acme.test", "role": "board"}, format="json"
    )
    assert created.status_code == 201
    admin_membership = Membership.objects.get(organization=org, role="admin")
    response = client.delete(f"/api/v1/orgs/acme/memberships/{admin_membership.pk}/")
    assert response.status_code == 400 and "last admin" in response.json()["detail"]


def test_schema_and_docs_are_served(client, db):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"cdn" not in docs.content.lower()
