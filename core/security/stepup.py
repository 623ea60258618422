"""Step-up ("sudo mode"): signing a joint decision or changing security settings
needs a second-factor check within the last ``STEP_UP_MAX_AGE`` seconds.

The moment of the last check is kept in the session (set when a code is
verified at sign-in, on the "Confirm it's you" page, or when an authenticator
is set up). A remembered device skips the sign-in code but is not a fresh check.

Pages: ``OrgViewMixin`` views set ``step_up_required = True``; other pages add
``StepUpRequiredMixin``. API views call ``require_for_api(request)`` (the API's
permission chokepoint does this for session calls that sign or change security).
"""

from __future__ import annotations

import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework import exceptions

from . import mfa

SESSION_KEY = "concord_step_up_at"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def enforced() -> bool:
    return getattr(settings, "STEP_UP_ENFORCED", True)


def mark(request) -> None:
    """Record that the person has just given their second factor."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = int(time.time())


def is_fresh(request) -> bool:
    """True if step-up is off, or the last second-factor check is recent enough."""
    if not enforced():
        return True
    session = getattr(request, "session", None)
    stamp = session.get(SESSION_KEY) if session is not None else None
    if not isinstance(stamp, int):
        return False
    age = int(time.time()) - stamp
    return 0 <= age <= settings.STEP_UP_MAX_AGE


def safe_target(request, candidate: str | None, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def return_to(request) -> str:
    """Where to come back after confirming: the page itself for a GET, the page
    the form was on for a POST (a POST is never replayed)."""
    if request.method in SAFE_METHODS:
        return request.get_full_path()
    referer = safe_target(request, request.META.get("HTTP_REFERER"), reverse("core:home"))
    parts = urlsplit(referer)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def confirm_url(request, next_url: str | None = None) -> str:
    """The "Confirm it's you" page, or the set-up page for a person without a second factor."""
    target = "core:step_up" if mfa.is_enrolled(request.user) else "core:mfa_setup"
    return f"{reverse(target)}?{urlencode({'next': next_url or return_to(request)})}"


def required_response(request, next_url: str | None = None):
    """A redirect to the confirmation page when step-up is needed, else None."""
    if is_fresh(request):
        return None
    from django.contrib import messages

    if mfa.is_enrolled(request.user):
        messages.info(request, "For your safety, confirm it's you with a code from your app, then try again.")
    else:
        messages.info(
            request,
            "Set up two-factor authentication first: signing decisions and changing security "
            "settings need it.",
        )
    return redirect(confirm_url(request, next_url))


class StepUpRequired(exceptions.PermissionDenied):
    default_code = "step_up_required"


def require_for_api(request) -> None:
    """API side: a session call that signs or changes security needs a fresh check (403 otherwise)."""
    if is_fresh(request):
        return
    raise StepUpRequired(
        "Confirm it's you first: enter a code from your authenticator app on the 'Confirm it's you' page "
        f"({reverse('core:step_up')}), then try again.",
    )


class StepUpRequiredMixin:
    """For pages outside an organization: a change (POST) needs a fresh check."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.method not in SAFE_METHODS:
            response = required_response(request)
            if response is not None:
                return response
        return super().dispatch(request, *args, **kwargs)
