"""Signed-in sessions for the load tool, written straight to the session store.

Going through the sign-in form would need the password and, for the CIO, a
one-time code; the benchmark measures pages, not sign-in, so it builds the
same session the sign-in (and the two-factor step, when django-otp is
installed) would have built.
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils.module_loading import import_string

BENCH_DEVICE_NAME = "Benchmark"


def _verified_device(user):
    """A confirmed TOTP device of the user's, created for the benchmark if needed."""
    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return None
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=BENCH_DEVICE_NAME, confirmed=True)
    return device


def _session_backend() -> str:
    """The first backend that can load a user from a session (Axes's cannot)."""
    for path in settings.AUTHENTICATION_BACKENDS:
        if hasattr(import_string(path), "get_user"):
            return path
    raise RuntimeError("No authentication backend can load users from a session.")


def session_cookie(user) -> str:
    """A new session signed in as ``user``: ``"<cookie name>=<session key>"``."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = _session_backend()
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    device = _verified_device(user)
    if device is not None:
        from django_otp import DEVICE_ID_SESSION_KEY

        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
