"""Session expiry and the two-factor gate, applied to every request."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import mfa

_LAST_SEEN = "concord_last_seen"
_SIGNED_IN_AT = "concord_signed_in_at"


_STAMP_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    """Signs a person out after ``SESSION_IDLE_SECONDS`` without a request, and
    after ``SESSION_MAX_SECONDS`` since sign-in whatever the activity.

    The session cookie's own age (restarted on every request) already enforces
    the idle limit in the browser; this check enforces it on the server too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            session = request.session
            last_seen = session.get(_LAST_SEEN, now)
            signed_in_at = session.setdefault(_SIGNED_IN_AT, now)
            idle = now - last_seen > settings.SESSION_IDLE_SECONDS
            too_long = now - signed_in_at > getattr(settings, "SESSION_MAX_SECONDS", 86400)
            if idle or too_long:
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(
                        request, "You were signed out after a period without activity. Sign in again."
                    )
                    return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
            elif _LAST_SEEN not in session or now - last_seen >= _STAMP_EVERY_SECONDS:
                # Refreshing the stamp at most once a minute keeps the idle limit
                # accurate without a session write (a query) on every request.
                session[_LAST_SEEN] = now
        return self.get_response(request)


def _allowed_paths() -> tuple[str, ...]:
    return (
        reverse("core:mfa_setup"),
        reverse("core:mfa_verify"),
        reverse("logout"),
        reverse("login"),
        settings.STATIC_URL,
        "/healthz",
    )


class MfaEnforcementMiddleware:
    """Until the second factor is given, a signed-in person can only verify,
    enrol (if their role requires it) or sign out.

    - Enrolled people must enter a code (or use a remembered device).
    - People whose role requires MFA and who have not enrolled are sent to set it up.
    Session calls to the API get 403 with a message; token-authenticated API calls
    are a separate, factor-less path for machines (the middleware sees no user).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        if not mfa.enforced():
            return self.get_response(request)
        if mfa.is_enrolled(user):
            device = mfa.remembered_device(request)
            if device is not None:
                from django_otp import login as otp_login

                otp_login(request, device)
                return self.get_response(request)
            target = "core:mfa_verify"
        elif mfa.required_for(user):
            target = "core:mfa_setup"
        else:
            return self.get_response(request)
        if request.path.startswith(_allowed_paths()):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": "Complete two-factor sign-in in the browser first.",
                    "code": "mfa_required",
                    "errors": {},
                },
                status=403,
            )
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return redirect(reverse(target) + (f"?{query}" if query else ""))
