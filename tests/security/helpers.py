"""Helpers for tests that sign in people whose role requires two-factor
authentication (CIO, CISO and admin by default).

    from tests.security.helpers import enrol_totp, totp_code, sign_in_with_mfa

    device = enrol_totp(user)          # a confirmed authenticator app
    code = totp_code(device)           # the code it shows right now
    sign_in_with_mfa(client, user)     # password + code through the real pages

For browser tests: call ``enrol_totp(user)`` before the journey, then type
``totp_code(device)`` on the "Enter your code" page after the password.
"""

from __future__ import annotations

import time

from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def enrol_totp(user) -> TOTPDevice:
    """Give ``user`` a confirmed TOTP device (replacing any), as if they had set one up."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def totp_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The 6-digit code the device shows now (or at ``at``, a Unix time)."""
    if device.pk:
        # A code accepted one step late moves the stored drift; read it, as the server does.
        device.refresh_from_db(fields=["drift", "last_t"])
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():0{device.digits}d}"


def next_totp_code(device: TOTPDevice) -> str:
    """A code from the next time step: a device refuses a code it already accepted."""
    return totp_code(device, at=time.time() + device.step)


def sign_in_with_mfa(client, user, *, password: str | None = None) -> None:
    """Sign ``client`` in through the sign-in page and the code page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or enrol_totp(user)
    response = client.post(
        "/accounts/login/", {"username": user.email, "password": password or settings.DEMO_PASSWORD}
    )
    assert response.status_code == 302, "sign-in failed"
    response = client.post("/accounts/two-factor/verify/", {"code": totp_code(device)})
    assert response.status_code == 302, "code refused"
