"""Rate limits: each API token and each signed-in person has a budget of calls
(429 with Retry-After past it), and password-reset requests are throttled per
address and per e-mail with the same answer whether or not the account exists."""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from core import services


@pytest.fixture
def limits(settings):
    settings.API_THROTTLE_ENABLED = True
    settings.API_RATE_LIMITS = {"token": "3/min", "user": "4/min"}
    cache.clear()
    return settings


def _token_client(user, **extra):
    _, key = services.api_token_create(actor=user, name="script")
    client = APIClient(**extra)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_each_token_has_its_own_budget(limits, people):
    first = _token_client(people["cio"], REMOTE_ADDR="10.1.0.1")
    for _ in range(3):
        assert first.get("/api/v1/me/").status_code == 200
    response = first.get("/api/v1/me/")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60
    # A new address does not reset a token's budget.
    first_elsewhere = APIClient(REMOTE_ADDR="10.1.0.2")
    first_elsewhere.credentials(HTTP_AUTHORIZATION=first._credentials["HTTP_AUTHORIZATION"])
    assert first_elsewhere.get("/api/v1/me/").status_code == 429
    # Another token (even the same person's, from the same address) is not affected.
    assert _token_client(people["cio"], REMOTE_ADDR="10.1.0.1").get("/api/v1/me/").status_code == 200
    assert _token_client(people["ciso"], REMOTE_ADDR="10.1.0.1").get("/api/v1/me/").status_code == 200


def test_each_signed_in_person_has_a_budget(limits, client_as):
    cio = client_as("cio", api=True)
    for _ in range(4):
        assert cio.get("/api/v1/me/").status_code == 200
    response = cio.get("/api/v1/me/")
    assert response.status_code == 429 and "Retry-After" in response
    assert client_as("ciso", api=True).get("/api/v1/me/").status_code == 200


def test_rates_come_from_the_environment():
    import os
    import subprocess
    import sys

    code = (
        "from config.settings import base; print(base.API_RATE_LIMITS['token'], base.API_RATE_LIMITS['user'])"
    )
    env = {**os.environ, "API_RATE_TOKEN": "50/hour", "API_RATE_USER": "7/min"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["50/hour", "7/min"]


# ---------------------------------------------------- password reset ----


@pytest.fixture
def reset_limits(settings):
    settings.PASSWORD_RESET_RATE_ADDRESS = "6/hour"
    settings.PASSWORD_RESET_RATE_EMAIL = "2/hour"
    cache.clear()
    return settings


def _queued_resets():
    """Reset e-mails waiting in the outbox (sent by the worker after the commit)."""
    from core.models import OutboxJob

    return OutboxJob.objects.filter(task="core.send_password_reset").count()


def _reset(email, ip):
    return Client().post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR=ip)


def test_reset_e_mails_are_limited_per_address_typed_with_the_same_answer(reset_limits, people, mailoutbox):
    known = [_reset("cio@acme.test", f"10.2.0.{n}") for n in range(3)]
    unknown = [_reset("nobody@acme.test", f"10.2.1.{n}") for n in range(3)]
    assert _queued_resets() == 2  # the third request for the CIO sends nothing
    answers = {(r.status_code, r["Location"]) for r in known + unknown}
    assert answers == {(302, "/accounts/password_reset/done/")}
    # Upper case or spaces do not make a new budget.
    _reset("  CIO@acme.test ", "10.2.2.1")
    assert _queued_resets() == 2


def test_reset_requests_are_limited_per_client_address(reset_limits, people, mailoutbox):
    for n in range(6):
        assert _reset(f"person{n}@acme.test", "10.3.0.1").status_code == 302
    response = _reset("cio@acme.test", "10.3.0.1")
    assert response.status_code == 429 and "Retry-After" in response
    assert "Too many reset requests" in response.content.decode()
    unknown = _reset("nobody@acme.test", "10.3.0.1")
    assert unknown.status_code == 429
    assert not _queued_resets()
    # Another address is not affected.
    assert _reset("cio@acme.test", "10.3.0.2").status_code == 302
    assert _queued_resets() == 1


def test_behind_a_proxy_the_reset_limit_uses_the_forwarded_address(reset_limits, people, mailoutbox):
    reset_limits.TRUSTED_PROXY_COUNT = 1
    for n in range(6):
        Client().post(
            "/accounts/password_reset/",
            {"email": f"p{n}@acme.test"},
            REMOTE_ADDR="172.18.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.5",
        )
    blocked = Client().post(
        "/accounts/password_reset/",
        {"email": "cio@acme.test"},
        REMOTE_ADDR="172.18.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.5",
    )
    assert blocked.status_code == 429
    colleague = Client().post(
        "/accounts/password_reset/",
        {"email": "cio@acme.test"},
        REMOTE_ADDR="172.18.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert colleague.status_code == 302 and _queued_resets() == 1
