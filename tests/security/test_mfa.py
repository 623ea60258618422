"""Two-factor authentication: enrolment, the sign-in step, recovery codes,
"remember this device", and enforcement per role."""

import re

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import Organization, SecurityEvent, SecurityEventKind
from core.security import mfa
from tests.factories import OrganizationFactory

from .helpers import enrol_totp, next_totp_code, sign_in_with_mfa, totp_code

PASSWORD = "concord-demo-2026"


def _skip_throttle_delay(device):
    """A failure makes the device wait (1 s, then growing) before the next try."""
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.throttle_reset()


def _sign_in(client, email):
    return client.post("/accounts/login/", {"username": email, "password": PASSWORD})


def test_new_organizations_require_mfa_from_cio_ciso_and_admin(db):
    org = OrganizationFactory()
    assert org.mfa_required_roles == ["cio", "ciso", "admin"]
    assert Organization().mfa_required_roles == ["cio", "ciso", "admin"]


@pytest.mark.parametrize(
    "role,required",
    [("cio", True), ("ciso", True), ("admin", True), ("board", False), ("contributor", False)],
)
def test_enforcement_follows_the_organization_roles(secure, client, people, role, required):
    response = _sign_in(client, people[role].email)
    assert response.status_code == 302
    response = client.get("/o/acme/welcome/")
    if required:
        assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/set-up/")
        # Nothing else works before enrolment: pages, API, profile.
        assert client.get("/accounts/profile/").status_code == 302
        api = client.get("/api/v1/me/")
        assert api.status_code == 403 and api.json()["code"] == "mfa_required"
        assert client.get("/accounts/two-factor/set-up/").status_code == 200
    else:
        assert response.status_code == 200


def test_role_requirement_is_per_organization(secure, client, people, org):
    org.mfa_required_roles = ["board"]
    org.save()
    _sign_in(client, people["cio"].email)
    assert client.get("/o/acme/welcome/").status_code == 200
    client.logout()
    _sign_in(client, people["board"].email)
    assert client.get("/o/acme/welcome/").status_code == 302


def test_enrolment_with_qr_code_then_recovery_codes_shown_once(secure, client, people):
    cio = people["cio"]
    _sign_in(client, cio.email)
    page = client.get("/accounts/two-factor/set-up/").content.decode()
    assert "<svg" in page and 'class="qr-code"' in page and "style=" not in page
    device = TOTPDevice.objects.get(user=cio, confirmed=False)
    response = client.post(
        "/accounts/two-factor/set-up/", {"code": "000000" if totp_code(device) != "000000" else "111111"}
    )
    assert "That code is not right" in response.content.decode()
    _skip_throttle_delay(device)
    response = client.post("/accounts/two-factor/set-up/", {"code": totp_code(device)})
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/recovery-codes/"
    device.refresh_from_db()
    assert device.confirmed
    first = client.get("/accounts/two-factor/recovery-codes/").content.decode()
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", first)
    assert len(codes) == 10
    second = client.get("/accounts/two-factor/recovery-codes/").content.decode()
    assert codes[0] not in second
    # The session is verified: the person can work.
    assert client.get("/o/acme/welcome/").status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.MFA_ENROLLED, actor=cio).exists()


def test_sign_in_asks_for_the_code_and_refuses_a_wrong_one(secure, client, people):
    cio = people["cio"]
    device = enrol_totp(cio)
    _sign_in(client, cio.email)
    response = client.get("/o/acme/welcome/")
    assert response["Location"].startswith("/accounts/two-factor/verify/")
    wrong = "123456" if totp_code(device) != "123456" else "654321"
    response = client.post("/accounts/two-factor/verify/", {"code": wrong})
    assert response.status_code == 200 and "not right" in response.content.decode()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.MFA_FAILED, actor=cio).exists()
    _skip_throttle_delay(device)
    response = client.post(
        "/accounts/two-factor/verify/", {"code": totp_code(device), "next": "/o/acme/welcome/"}
    )
    assert response.status_code == 302 and response["Location"] == "/o/acme/welcome/"
    assert client.get("/o/acme/welcome/").status_code == 200


def test_verify_ignores_an_offsite_next(secure, client, people):
    device = enrol_totp(people["cio"])
    _sign_in(client, people["cio"].email)
    response = client.post(
        "/accounts/two-factor/verify/", {"code": totp_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_recovery_code_works_once(secure, client, people):
    cio = people["cio"]
    enrol_totp(cio)
    codes = mfa.recovery_codes_regenerate(user=cio)
    _sign_in(client, cio.email)
    assert client.post("/accounts/two-factor/verify/", {"code": codes[0]}).status_code == 302
    assert StaticToken.objects.filter(device__user=cio).count() == 9
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.RECOVERY_CODE_USED, actor=cio).exists()
    client.logout()
    _sign_in(client, cio.email)
    assert client.post("/accounts/two-factor/verify/", {"code": codes[0]}).status_code == 200


def test_remember_device_is_off_by_default_and_opt_in(secure, client, people):
    cio = people["cio"]
    device = enrol_totp(cio)
    _sign_in(client, cio.email)
    page = client.get("/accounts/two-factor/verify/").content.decode()
    assert 'name="remember"' in page and "checked" not in page.split('name="remember"')[1].split(">")[0]
    response = client.post("/accounts/two-factor/verify/", {"code": totp_code(device)})
    assert mfa.REMEMBER_COOKIE not in response.cookies
    client.logout()
    _sign_in(client, cio.email)
    response = client.post("/accounts/two-factor/verify/", {"code": next_totp_code(device), "remember": "on"})
    cookie = response.cookies[mfa.REMEMBER_COOKIE]
    assert cookie["httponly"] and int(cookie["max-age"]) == 30 * 86400
    client.logout()  # the test client forgets every cookie; a browser keeps this one
    client.cookies[mfa.REMEMBER_COOKIE] = cookie.value
    _sign_in(client, cio.email)
    assert client.get("/o/acme/welcome/").status_code == 200  # remembered: no code asked


def test_remembered_cookie_stops_working_when_the_app_is_replaced(secure, client, people):
    cio = people["cio"]
    device = enrol_totp(cio)
    client.cookies[mfa.REMEMBER_COOKIE] = mfa.remember_cookie_value(device)
    enrol_totp(cio)
    _sign_in(client, cio.email)
    assert client.get("/o/acme/welcome/").status_code == 302


def test_enrolled_but_unverified_cannot_replace_the_app(secure, client, people):
    enrol_totp(people["board"])
    _sign_in(client, people["board"].email)
    response = client.get("/accounts/two-factor/set-up/")
    assert response["Location"].startswith("/accounts/two-factor/verify/")


def test_removing_mfa_needs_a_code_and_is_recorded(secure, client, people):
    cio = people["cio"]
    sign_in_with_mfa(client, cio)
    device = TOTPDevice.objects.get(user=cio)
    response = client.post("/accounts/two-factor/remove/", {"code": "abc"})
    assert response.status_code == 200 and TOTPDevice.objects.filter(user=cio).exists()
    response = client.post("/accounts/two-factor/remove/", {"code": next_totp_code(device)})
    assert response.status_code == 302 and not TOTPDevice.objects.filter(user=cio).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.MFA_REMOVED, subject=cio).exists()
    # The CIO's role requires it: the next page is enrolment.
    assert client.get("/o/acme/welcome/")["Location"].startswith("/accounts/two-factor/set-up/")


def test_api_tokens_are_a_separate_path_without_second_factor(secure, people):
    from rest_framework.test import APIClient

    from core import services

    _, key = services.api_token_create(actor=people["cio"], name="SIEM")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/me/").status_code == 200


def test_profile_shows_mfa_status(secure, client, people):
    sign_in_with_mfa(client, people["cio"])
    page = client.get("/accounts/profile/").content.decode()
    assert "Two-factor authentication" in page and "unused recovery code" in page


def test_people_page_shows_who_has_mfa(client_as, people):
    enrol_totp(people["cio"])
    page = client_as("admin").get("/o/acme/people/").content.decode()
    assert "Set-up pending" in page and "bi-shield-check" in page
