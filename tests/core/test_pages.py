import pytest

from core.models import ApiToken, Organization
from tests.contract import expect_page


def test_sign_in_by_email(client, people):
    response = client.post("/accounts/login/", {"username": "cio@acme.test", "password": "concord-demo-2026"})
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).status_code == 200


def test_failed_sign_in_does_not_say_which_part_is_wrong(client, people):
    for email in ("cio@acme.test", "nobody@acme.test"):
        response = client.post("/accounts/login/", {"username": email, "password": "wrong-password"})
        assert "do not match an account" in response.content.decode()


def test_home_sends_member_to_their_organization(client_as):
    response = client_as("cio").get("/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][0] == "/o/acme/"


def test_person_without_membership_sees_explanation(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get("/", follow=True)
    assert "not a member of any organization" in response.content.decode()


@pytest.mark.parametrize(
    "url,allowed",
    [
        ("/o/acme/people/", {"admin"}),
        ("/o/acme/settings/", {"admin", "cio", "ciso"}),
        ("/o/acme/welcome/", {"admin", "cio", "ciso", "board", "contributor"}),
    ],
)
def test_core_page_contract(client_as, url, allowed):
    expect_page(client_as, url, allowed=allowed)


def test_navigation_depends_on_role(client_as):
    admin_page = client_as("admin").get("/o/acme/welcome/").content.decode()
    assert "/o/acme/people/" in admin_page
    board_page = client_as("board").get("/o/acme/welcome/").content.decode()
    assert "/o/acme/people/" not in board_page and "/o/acme/settings/" not in board_page


def test_switcher_lists_every_membership(client_as, people, other_org):
    from tests.factories import MembershipFactory

    MembershipFactory(user=people["cio"], organization=other_org, role="ciso")
    page = client_as("cio").get("/o/acme/settings/").content.decode()
    assert "/o/globex/" in page and "Globex" in page


def test_settings_validation_and_stale_save(client_as, org):
    client = client_as("ciso")
    data = {
        "name": "Acme",
        "currency": "usd",
        "fiscal_year_start_month": 13,
        "risk_appetite": 9,
        "medium_from": 5,
        "high_from": 4,
        "critical_from": 17,
        "report_schedule": "monthly",
        "version": org.version,
    }
    page = client.post("/o/acme/settings/", data).content.decode()
    assert "three-letter ISO 4217" in page and "Medium &lt; High &lt; Critical" in page
    data.update(currency="EUR", fiscal_year_start_month=7, high_from=10)
    assert client.post("/o/acme/settings/", data).status_code == 302
    assert Organization.objects.get(pk=org.pk).currency == "EUR"
    # Saving again with the version that was read before is refused.
    page = client.post("/o/acme/settings/", data).content.decode()
    assert "Someone else changed this record" in page


def test_tokens_created_shown_once_and_revoked(client_as, cio):
    client = client_as("cio")
    client.post("/accounts/profile/", {"name": "SIEM"})
    page = client.get("/accounts/profile/").content.decode()
    assert "cnc_" in page
    assert "cnc_" not in client.get("/accounts/profile/").content.decode().split("Starts with")[0]
    token = ApiToken.objects.get(user=cio)
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_cannot_revoke_someone_elses_token(client_as, people):
    from core import services

    token, _ = services.api_token_create(actor=people["ciso"], name="mine")
    assert client_as("cio").post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404


def test_password_reset_does_not_reveal_accounts(
    client, people, mailoutbox, django_capture_on_commit_callbacks
):
    for email in ("cio@acme.test", "nobody@acme.test"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/password_reset/", {"email": email})
        assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


def test_password_reset_survives_a_mail_server_that_is_down(
    client, people, settings, mailoutbox, django_capture_on_commit_callbacks
):
    """The request is answered as usual and the e-mail waits in the outbox, then
    goes out once the mail server is back; no reset secret is stored with it."""
    from core.models import OutboxJob
    from core.tasks import send_password_reset

    settings.EMAIL_BACKEND = "tests.core.test_role_changes.BrokenMailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password_reset/", {"email": "cio@acme.test"})
    assert response.status_code == 302
    job = OutboxJob.objects.get(task="core.send_password_reset")
    assert job.kwargs == {"user_id": people["cio"].pk} and job.done_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_password_reset.apply(kwargs=job.kwargs)  # Celery's retry, once the mail server is back
    assert [m.to for m in mailoutbox] == [["cio@acme.test"]] and "/accounts/reset/" in mailoutbox[0].body


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "ok"


def test_pages_send_strict_csp(client_as):
    response = client_as("admin").get("/o/acme/people/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"
