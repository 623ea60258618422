"""Sign-in protection: lockout per account and per address, a clear message,
admin unlock, the same for API tokens, and no user enumeration."""
import re

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.test import APIClient

from core.models import SecurityEvent, SecurityEventKind

PASSWORD = "concord-demo-2026"


def _page(response, email) -> str:
    """The page with the e-mail typed and the per-request CSRF tokens blanked out."""
    return re.sub(r'[A-Za-z0-9]{64}', "TOKEN", response.content.decode().replace(email, "X"))


def _fail(client, email, times, ip="10.0.0.1"):
    for _ in range(times):
        response = client.post("/accounts/login/", {"username": email, "password": "wrong-password"},
                               REMOTE_ADDR=ip)
    return response


def test_account_is_locked_after_five_failures_with_a_clear_message(secure, people):
    client = Client()
    response = _fail(client, "cio@acme.test", 4)
    assert response.status_code == 200 and "do not match an account" in response.content.decode()
    response = _fail(client, "cio@acme.test", 1)
    assert response.status_code == 429
    assert "sign-in is paused for 15 minutes" in response.content.decode()
    assert response["Retry-After"] == "900"
    # Even the right password is refused now, from another address too (per account).
    response = Client().post("/accounts/login/", {"username": "CIO@acme.test", "password": PASSWORD},
                             REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKOUT).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.SIGN_IN_FAILED, actor_email="cio@acme.test").count() >= 5


def test_address_is_locked_after_failures_on_many_accounts(secure, people):
    client = Client()
    for n in range(5):
        client.post("/accounts/login/", {"username": f"guess{n}@acme.test", "password": "x"}, REMOTE_ADDR="10.0.0.7")
    response = client.post("/accounts/login/", {"username": "ciso@acme.test", "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 429
    # The CISO can still sign in from their own address.
    response = Client().post("/accounts/login/", {"username": "ciso@acme.test", "password": PASSWORD},
                             REMOTE_ADDR="10.0.0.8")
    assert response.status_code == 302


def test_lockout_message_is_the_same_for_unknown_accounts(secure, people):
    known = _fail(Client(), "cio@acme.test", 5, ip="10.0.1.1")
    unknown = _fail(Client(), "nobody@acme.test", 5, ip="10.0.1.2")
    assert known.status_code == unknown.status_code == 429
    assert _page(known, "cio@acme.test") == _page(unknown, "nobody@acme.test")


def test_failed_sign_in_answers_do_not_reveal_accounts(secure, people):
    a = Client().post("/accounts/login/", {"username": "cio@acme.test", "password": "nope"}, REMOTE_ADDR="10.0.2.1")
    b = Client().post("/accounts/login/", {"username": "nobody@acme.test", "password": "nope"},
                      REMOTE_ADDR="10.0.2.2")
    assert a.status_code == b.status_code == 200
    assert _page(a, "cio@acme.test") == _page(b, "nobody@acme.test")


def test_password_reset_answers_do_not_reveal_accounts(secure, client, people, mailoutbox):
    known = client.post("/accounts/password_reset/", {"email": "cio@acme.test"})
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@acme.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mailoutbox) == 1


def test_admin_unlocks_from_the_people_page(axes_on, client_as, people):
    _fail(Client(), "board@acme.test", 5, ip="10.0.3.1")
    admin = client_as("admin")
    page = admin.get("/o/acme/people/").content.decode()
    assert "Locked out" in page
    membership = people["board"].memberships.get()
    response = admin.post(f"/o/acme/people/{membership.pk}/unlock/")
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="board@acme.test").exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.UNLOCK, subject=people["board"]).exists()
    response = Client().post("/accounts/login/", {"username": "board@acme.test", "password": PASSWORD},
                             REMOTE_ADDR="10.0.3.2")
    assert response.status_code == 302


@pytest.mark.parametrize("role", ["cio", "board", "contributor"])
def test_only_member_managers_can_unlock(axes_on, client_as, people, role):
    membership = people["board"].memberships.get()
    assert client_as(role).post(f"/o/acme/people/{membership.pk}/unlock/").status_code == 404
    assert client_as("outsider").post(f"/o/acme/people/{membership.pk}/unlock/").status_code == 404


def test_locked_attempts_are_visible_in_django_admin(secure, client, people, django_user_model):
    _fail(Client(), "cio@acme.test", 5, ip="10.0.4.1")
    staff = django_user_model.objects.create_superuser(email="root@acme.test", password=PASSWORD)
    client.force_login(staff)
    assert client.get("/admin/axes/accessattempt/").status_code == 200


def test_bad_api_tokens_lock_out_the_address(secure, people):
    from core import services

    _, key = services.api_token_create(actor=people["cio"], name="SIEM")
    api = APIClient(REMOTE_ADDR="10.0.5.1")
    for n in range(5):
        api.credentials(HTTP_AUTHORIZATION=f"Bearer cnc_{n}wrong-secret-part-{'s' * 30}")
        # The fifth failure already answers with the lockout.
        assert api.get("/api/v1/me/").status_code == (429 if n == 4 else 401)
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.TOKEN_FAILED).count() == 5
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = api.get("/api/v1/me/")
    assert response.status_code == 429 and response.json()["code"] == "locked_out"
    # Other addresses keep working with the good token.
    other = APIClient(REMOTE_ADDR="10.0.5.2")
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert other.get("/api/v1/me/").status_code == 200
    # Only the public prefix of a bad token is kept, never the secret part.
    assert AccessAttempt.objects.filter(username="api-token:cnc_4wrong").exists()
    assert not AccessAttempt.objects.filter(username__contains="secret").exists()


def test_lockout_settings_come_from_the_environment():
    import os
    import subprocess
    import sys

    code = "from config.settings import base; print(base.AXES_FAILURE_LIMIT, base.AXES_COOLOFF_TIME.seconds)"
    env = {**os.environ, "LOCKOUT_FAILURES": "3", "LOCKOUT_MINUTES": "30"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["3", "1800"]
