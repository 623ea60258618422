"""Sign-in protection: lockout per account and client address (behind a trusted
proxy, the forwarded address), a clear message, admin unlock, bad API tokens
counted per address without ever refusing a valid token, and no user enumeration."""

import re

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.test import APIClient

from core.models import SecurityEvent, SecurityEventKind

PASSWORD = "concord-demo-2026"


def _page(response, email) -> str:
    """The page with the e-mail typed and the per-request CSRF tokens blanked out."""
    return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", response.content.decode().replace(email, "X"))


def _fail(client, email, times, ip="10.0.0.1"):
    for _ in range(times):
        response = client.post(
            "/accounts/login/", {"username": email, "password": "wrong-password"}, REMOTE_ADDR=ip
        )
    return response


def test_account_is_locked_after_five_failures_with_a_clear_message(secure, people):
    client = Client()
    response = _fail(client, "cio@acme.test", 4)
    assert response.status_code == 200 and "do not match an account" in response.content.decode()
    response = _fail(client, "cio@acme.test", 1)
    assert response.status_code == 429
    assert "sign-in is paused for 15 minutes" in response.content.decode()
    assert response["Retry-After"] == "900"
    # Even the right password is refused now from that address (account + address).
    response = Client().post(
        "/accounts/login/", {"username": "CIO@acme.test", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 429
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKOUT).exists()
    assert (
        SecurityEvent.objects.filter(
            kind=SecurityEventKind.SIGN_IN_FAILED, actor_email="cio@acme.test"
        ).count()
        >= 5
    )
    # Someone failing from elsewhere cannot lock the CIO out of their own address.
    response = Client().post(
        "/accounts/login/", {"username": "cio@acme.test", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 302


def test_failures_on_other_accounts_from_a_shared_address_lock_nobody_else(secure, people):
    client = Client()
    for n in range(6):
        client.post(
            "/accounts/login/", {"username": f"guess{n}@acme.test", "password": "x"}, REMOTE_ADDR="10.0.0.7"
        )
    # A colleague behind the same address (an office, a proxy) still signs in.
    response = Client().post(
        "/accounts/login/", {"username": "ciso@acme.test", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7"
    )
    assert response.status_code == 302


def test_lockout_behind_a_proxy_keys_on_the_forwarded_client_address(secure, people):
    secure.TRUSTED_PROXY_COUNT = 1
    proxy = "172.18.0.2"  # every request reaches Concord from the reverse proxy

    def attempt(client_ip, password):
        return Client().post(
            "/accounts/login/",
            {"username": "cio@acme.test", "password": password},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=client_ip,
        )

    for _ in range(5):
        response = attempt("203.0.113.9", "wrong-password")
    assert response.status_code == 429
    assert attempt("203.0.113.9", PASSWORD).status_code == 429
    # The real CIO, at another address behind the same proxy, is not locked out.
    assert attempt("198.51.100.4", PASSWORD).status_code == 302
    attempt_row = AccessAttempt.objects.get(username="cio@acme.test")
    assert attempt_row.ip_address == "203.0.113.9"
    # A client cannot choose its address: with one trusted proxy only the entry it added counts.
    spoofed = Client().post(
        "/accounts/login/",
        {"username": "cio@acme.test", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.4, 203.0.113.9",
    )
    assert spoofed.status_code == 429


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(secure, people):
    secure.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        Client().post(
            "/accounts/login/",
            {"username": "cio@acme.test", "password": "wrong"},
            REMOTE_ADDR="10.0.8.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    response = Client().post(
        "/accounts/login/",
        {"username": "cio@acme.test", "password": PASSWORD},
        REMOTE_ADDR="10.0.8.1",
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert response.status_code == 429


def test_lockout_message_is_the_same_for_unknown_accounts(secure, people):
    known = _fail(Client(), "cio@acme.test", 5, ip="10.0.1.1")
    unknown = _fail(Client(), "nobody@acme.test", 5, ip="10.0.1.2")
    assert known.status_code == unknown.status_code == 429
    assert _page(known, "cio@acme.test") == _page(unknown, "nobody@acme.test")


def test_failed_sign_in_answers_do_not_reveal_accounts(secure, people):
    a = Client().post(
        "/accounts/login/", {"username": "cio@acme.test", "password": "nope"}, REMOTE_ADDR="10.0.2.1"
    )
    b = Client().post(
        "/accounts/login/", {"username": "nobody@acme.test", "password": "nope"}, REMOTE_ADDR="10.0.2.2"
    )
    assert a.status_code == b.status_code == 200
    assert _page(a, "cio@acme.test") == _page(b, "nobody@acme.test")


def test_password_reset_answers_do_not_reveal_accounts(secure, client, people, mailoutbox):
    known = client.post("/accounts/password_reset/", {"email": "cio@acme.test"})
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@acme.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    from core.models import OutboxJob

    assert list(
        OutboxJob.objects.filter(task="core.send_password_reset").values_list("kwargs", flat=True)
    ) == [{"user_id": people["cio"].pk}]  # one e-mail queued, for the known account only


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
    response = Client().post(
        "/accounts/login/", {"username": "board@acme.test", "password": PASSWORD}, REMOTE_ADDR="10.0.3.2"
    )
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


def test_bad_api_tokens_lock_out_bad_tokens_from_the_address_but_never_a_valid_token(secure, people):
    from core import services

    _, key = services.api_token_create(actor=people["cio"], name="SIEM")
    api = APIClient(REMOTE_ADDR="10.0.5.1")
    for n in range(5):
        api.credentials(HTTP_AUTHORIZATION=f"Bearer cnc_{n}wrong-secret-part-{'s' * 30}")
        # The fifth failure already answers with the lockout.
        assert api.get("/api/v1/me/").status_code == (429 if n == 4 else 401)
    api.credentials(HTTP_AUTHORIZATION="Bearer cnc_9another-guess")
    response = api.get("/api/v1/me/")
    assert response.status_code == 429 and response.json()["code"] == "locked_out"
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.TOKEN_FAILED).count() == 5
    # Someone else's failures from the same address never refuse a valid token.
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/me/").status_code == 200
    same_address = APIClient(REMOTE_ADDR="10.0.5.1")
    same_address.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert same_address.get("/api/v1/me/").status_code == 200
    # Only the public prefix of a bad token is recorded, never the secret part.
    assert AccessAttempt.objects.filter(username="api-token", ip_address="10.0.5.1").exists()
    assert SecurityEvent.objects.filter(
        kind=SecurityEventKind.TOKEN_FAILED, actor_email="api-token:cnc_4wrong"
    ).exists()
    assert not AccessAttempt.objects.filter(username__contains="secret").exists()
    assert not SecurityEvent.objects.filter(actor_email__contains="secret").exists()


def test_revoked_tokens_count_as_failures_but_expired_ones_say_they_expired(secure, people):
    from datetime import timedelta

    from django.utils import timezone

    from core import services
    from core.models import ApiToken

    token, key = services.api_token_create(actor=people["cio"], name="Old script")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    api = APIClient(REMOTE_ADDR="10.0.6.1")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = api.get("/api/v1/me/")
    assert response.status_code == 401 and "expired" in response.json()["detail"]
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.TOKEN_FAILED).exists()
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() + timedelta(days=1), revoked_at=timezone.now()
    )
    assert api.get("/api/v1/me/").status_code == 401
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.TOKEN_FAILED).count() == 1


def test_lockout_settings_come_from_the_environment():
    import os
    import subprocess
    import sys

    code = "from config.settings import base; print(base.AXES_FAILURE_LIMIT, base.AXES_COOLOFF_TIME.seconds)"
    env = {**os.environ, "LOCKOUT_FAILURES": "3", "LOCKOUT_MINUTES": "30"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["3", "1800"]
