"""Step-up ("sudo mode"): signing a joint decision or changing security settings
needs a second-factor check within STEP_UP_MAX_AGE, in the browser and through
the API with a session; "Confirm it's you" asks for the code and returns."""

import time

import pytest
from django.test import Client
from rest_framework.test import APIClient

from core.models import ApiToken, Membership, SignOff
from core.security import stepup
from tests.governance.factories_raci import matrix_id

from .endpoints import all_endpoints
from .helpers import enrol_totp, next_totp_code, totp_code

CONFIRM = "/accounts/confirm/"

# Every sign and withdraw page of a joint decision (pk 999999: step-up comes
# before the object is looked up, right after the role check).
SIGN_PAGES = [
    "/o/acme/risks/999999/sign/",
    "/o/acme/risks/999999/withdraw/",
    "/o/acme/risks/999999/acceptance/end/",  # undoing a joint decision
    "/o/acme/risks/999999/agreement/propose/",  # an agreed assessment is a joint decision too
    "/o/acme/risks/999999/agreement/confirm/",
    "/o/acme/budget/999999/sign/",
    "/o/acme/budget/999999/withdraw/",
    "/o/acme/intake/999999/sign/",
    "/o/acme/intake/999999/withdraw/",
    "/o/acme/raci/sign/",
    "/o/acme/raci/withdraw/",
    "/o/acme/reports/999999/asks/999999/sign/",  # a decision asked of the board
    "/o/acme/reports/999999/asks/999999/withdraw/",
    "/o/acme/profile/sign/",  # the target CSF profile
    "/o/acme/profile/withdraw/",
]


def _confirm(client, device, next_url="/o/acme/raci/", code=None):
    return client.post(f"{CONFIRM}?next={next_url}", {"code": code or totp_code(device), "next": next_url})


def _to_confirm(response):
    return response.status_code == 302 and response["Location"].startswith(CONFIRM)


@pytest.mark.parametrize("path", SIGN_PAGES)
def test_every_sign_page_asks_for_a_fresh_code(step_up_on, client_as, cio, path):
    enrol_totp(cio)
    response = client_as("cio").post(
        path, {"decision": "approve"}, HTTP_REFERER="http://testserver/o/acme/raci/"
    )
    assert _to_confirm(response)
    assert "next=%2Fo%2Facme%2Fraci%2F" in response["Location"]


def test_every_sign_and_withdraw_page_is_behind_step_up():
    pages = [
        e
        for e in all_endpoints()
        if not e.is_api
        and e.name.split(":")[-1].endswith(
            ("_sign", "_withdraw", "agreement_propose", "agreement_confirm", "acceptance_cancel")
        )
    ]
    assert len(pages) == len(SIGN_PAGES)
    assert all(e.view_class.step_up_required for e in pages), [e.name for e in pages]


def test_a_fresh_code_lets_the_cio_sign(step_up_on, client_as, cio, raci_matrix):
    device = enrol_totp(cio)
    client = client_as("cio")
    assert _to_confirm(client.post("/o/acme/raci/sign/", {"decision": "approve"}))
    assert not SignOff.objects.exists()
    response = _confirm(client, device)
    assert response.status_code == 302 and response["Location"] == "/o/acme/raci/"
    response = client.post("/o/acme/raci/sign/", {"decision": "approve"})
    assert response.status_code == 302 and not _to_confirm(response)
    assert SignOff.objects.filter(signer=cio, voided_at__isnull=True).exists()


def test_the_check_goes_stale_after_the_window(step_up_on, client_as, cio, raci_matrix):
    step_up_on.STEP_UP_MAX_AGE = 600
    device = enrol_totp(cio)
    client = client_as("cio")
    _confirm(client, device)
    session = client.session
    session[stepup.SESSION_KEY] = int(time.time()) - 601
    session.save()
    assert _to_confirm(client.post("/o/acme/raci/sign/", {"decision": "approve"}))
    assert not SignOff.objects.exists()


def test_a_wrong_code_is_refused_and_nothing_is_signed(step_up_on, client_as, cio, raci_matrix):
    device = enrol_totp(cio)
    client = client_as("cio")
    response = _confirm(client, device, code="000000" if totp_code(device) != "000000" else "111111")
    assert response.status_code == 200 and "not right" in response.content.decode()
    assert _to_confirm(client.post("/o/acme/raci/sign/", {"decision": "approve"}))


def test_a_recovery_code_also_confirms(step_up_on, client_as, cio, raci_matrix):
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    enrol_totp(cio)
    recovery = StaticDevice.objects.create(user=cio, name="Recovery codes", confirmed=True)
    StaticToken.objects.create(device=recovery, token="abcd1234")
    client = client_as("cio")
    response = client.post(CONFIRM, {"code": "abcd1234", "next": "/o/acme/raci/"})
    assert response.status_code == 302
    assert client.post("/o/acme/raci/sign/", {"decision": "approve"}).status_code == 302
    assert SignOff.objects.filter(signer=cio).exists()


def test_signing_in_with_a_code_counts_as_a_fresh_check(step_up_on, people, raci_matrix):
    from .helpers import sign_in_with_mfa

    client = Client()
    sign_in_with_mfa(client, people["cio"])
    response = client.post("/o/acme/raci/sign/", {"decision": "approve"})
    assert not _to_confirm(response)
    assert SignOff.objects.filter(signer=people["cio"]).exists()


def test_a_person_without_a_second_factor_is_sent_to_set_one_up(step_up_on, client_as):
    response = client_as("cio").post("/o/acme/raci/sign/", {"decision": "approve"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/set-up/")
    response = client_as("cio").get(f"{CONFIRM}?next=/o/acme/raci/")
    assert response["Location"].startswith("/accounts/two-factor/set-up/")


def test_only_a_safe_next_is_followed(step_up_on, client_as, cio):
    device = enrol_totp(cio)
    client = client_as("cio")
    response = _confirm(client, device, next_url="https://evil.example/steal")
    assert response.status_code == 302 and response["Location"] == "/"
    response = client_as("cio").post("/o/acme/raci/sign/", {}, HTTP_REFERER="https://evil.example/x")
    assert "evil" not in response["Location"]


def test_a_role_without_signing_rights_gets_403_not_a_code_prompt(step_up_on, client_as):
    assert client_as("contributor").post("/o/acme/raci/sign/", {"decision": "approve"}).status_code == 403


def test_reading_pages_never_asks_for_a_code(step_up_on, client_as, cio):
    enrol_totp(cio)
    assert client_as("cio").get("/o/acme/raci/").status_code == 200
    assert client_as("admin").get("/o/acme/people/").status_code == 200


# ------------------------------------------------ security settings ----


def test_people_and_roles_changes_need_a_fresh_code(step_up_on, client_as, people):
    admin = people["admin"]
    device = enrol_totp(admin)
    board = people["board"].memberships.get()
    client = client_as("admin")
    assert _to_confirm(client.post(f"/o/acme/people/{board.pk}/role/", {"role": "contributor"}))
    assert _to_confirm(client.post(f"/o/acme/people/{board.pk}/remove/"))
    assert _to_confirm(client.post("/o/acme/people/", {"email": "new@acme.test", "role": "board"}))
    assert _to_confirm(client.post(f"/o/acme/people/{board.pk}/unlock/"))
    board.refresh_from_db()
    assert board.role == "board" and not Membership.objects.filter(user__email="new@acme.test").exists()
    _confirm(client, device, next_url="/o/acme/people/")
    client.post(f"/o/acme/people/{board.pk}/role/", {"role": "contributor"})
    board.refresh_from_db()
    assert board.role == "contributor"


def test_organization_settings_need_a_fresh_code(step_up_on, client_as, cio, org):
    enrol_totp(cio)
    response = client_as("cio").post("/o/acme/settings/", {"name": "Renamed", "mfa_required_roles": []})
    assert _to_confirm(response)
    org.refresh_from_db()
    assert org.name == "Acme Corp" and org.mfa_required_roles == ["cio", "ciso", "admin"]


def _signed_in_three_hours_ago(person) -> Client:
    """A session whose last second-factor check is older than the step-up window."""
    from .helpers import sign_in_with_mfa

    client = Client()
    sign_in_with_mfa(client, person)
    session = client.session
    session[stepup.SESSION_KEY] = int(time.time()) - 3 * 3600
    session.save()
    return client


def test_new_recovery_codes_need_a_fresh_code(step_up_on, people):
    from django_otp.plugins.otp_static.models import StaticToken

    cio = people["cio"]
    client = _signed_in_three_hours_ago(cio)
    before = set(StaticToken.objects.filter(device__user=cio).values_list("token", flat=True))
    assert _to_confirm(client.post("/accounts/two-factor/recovery-codes/"))
    assert set(StaticToken.objects.filter(device__user=cio).values_list("token", flat=True)) == before


def test_replacing_the_authenticator_needs_a_fresh_code(step_up_on, people):
    """An old session cannot move two-factor to another phone (and get new recovery codes)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    cio = people["cio"]
    client = _signed_in_three_hours_ago(cio)
    before = list(TOTPDevice.objects.filter(user=cio, confirmed=True).values_list("key", flat=True))
    assert _to_confirm(client.get("/accounts/two-factor/set-up/"))
    assert _to_confirm(client.post("/accounts/two-factor/set-up/", {"code": "123456"}))
    assert list(TOTPDevice.objects.filter(user=cio, confirmed=True).values_list("key", flat=True)) == before


def test_a_token_beyond_read_needs_a_fresh_code(step_up_on, client_as, cio):
    device = enrol_totp(cio)
    client = client_as("cio")
    client.post("/accounts/profile/", {"name": "Reader"})
    assert ApiToken.objects.get(user=cio).scopes == ["read"]
    response = client.post("/accounts/profile/", {"name": "Signer", "scopes": ["sign"]})
    assert _to_confirm(response) and "next=%2Faccounts%2Fprofile%2F" in response["Location"]
    assert not ApiToken.objects.filter(name="Signer").exists()
    _confirm(client, device, next_url="/accounts/profile/")
    client.post("/accounts/profile/", {"name": "Signer", "scopes": ["sign"]})
    assert ApiToken.objects.get(name="Signer").scopes == ["read", "sign"]


# --------------------------------------------------- API with a session ----


def test_signing_through_the_api_with_a_session_needs_a_fresh_code(step_up_on, client_as, cio, raci_matrix):
    device = enrol_totp(cio)
    page = client_as("cio")
    api = APIClient()
    api.cookies = page.cookies
    response = api.post(
        f"/api/v1/orgs/acme/raci/matrix/{matrix_id()}/sign/",
        {"decision": "approve"},
    )
    assert response.status_code == 403 and response.json()["code"] == "step_up_required"
    assert not SignOff.objects.exists()
    _confirm(page, device, code=next_totp_code(device))
    response = api.post(
        f"/api/v1/orgs/acme/raci/matrix/{matrix_id()}/sign/",
        {"decision": "approve"},
    )
    assert response.status_code == 200, response.json()


def test_security_changes_through_the_api_with_a_session_need_a_fresh_code(step_up_on, client_as, people):
    board = people["board"].memberships.get()
    response = client_as("admin", api=True).patch(
        f"/api/v1/orgs/acme/memberships/{board.pk}/", {"role": "contributor"}
    )
    assert response.status_code == 403 and response.json()["code"] == "step_up_required"


def test_a_sign_token_needs_no_step_up(step_up_on, cio, raci_matrix):
    from core import services

    _, key = services.api_token_create(actor=cio, name="signer", scopes=["sign"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert (
        api.post(
            f"/api/v1/orgs/acme/raci/matrix/{matrix_id()}/sign/",
            {"decision": "approve"},
        ).status_code
        == 200
    )


def test_after_setting_up_a_second_factor_the_person_returns_and_can_sign(
    step_up_on, client_as, cio, raci_matrix
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = client_as("cio")
    setup_url = client.post(
        "/o/acme/raci/sign/", {"decision": "approve"}, HTTP_REFERER="http://testserver/o/acme/raci/"
    )["Location"]
    assert setup_url.startswith("/accounts/two-factor/set-up/")
    client.get(setup_url)
    device = TOTPDevice.objects.get(user=cio, confirmed=False)
    response = client.post(setup_url, {"code": totp_code(device)})
    assert response["Location"] == "/accounts/two-factor/recovery-codes/"
    page = client.get(response["Location"]).content.decode()
    assert 'href="/o/acme/raci/">I have saved them' in page
    # Setting it up was a fresh check.
    assert client.post("/o/acme/raci/sign/", {"decision": "approve"}).status_code == 302
    assert SignOff.objects.filter(signer=cio).exists()


def test_creating_an_organization_on_the_page_needs_a_fresh_code(step_up_on, client_as, cio):
    """The page asks for the same check as ``POST /api/v1/orgs/`` (403 step_up_required)."""
    from core.models import Organization

    device = enrol_totp(cio)
    client = client_as("cio")
    data = {
        "name": "Harbor Freight",
        "slug": "harbor-freight",
        "currency": "USD",
        "fiscal_year_start_month": 1,
        "time_zone": "UTC",
        "risk_appetite": 9,
        "founder_role": "admin",
        "template": "empty",
    }
    assert client.get("/organizations/new/").status_code == 200  # reading never asks
    assert _to_confirm(client.post("/organizations/new/", data))
    assert not Organization.objects.filter(slug="harbor-freight").exists()
    _confirm(client, device, next_url="/organizations/new/")
    assert client.post("/organizations/new/", data).status_code == 302
    assert Organization.objects.filter(slug="harbor-freight").exists()
