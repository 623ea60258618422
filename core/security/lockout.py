"""Sign-in protection with django-axes: after repeated failures for one account
from one client address, that account is refused from that address for a while
(settings ``LOCKOUT_FAILURES`` and ``LOCKOUT_MINUTES``). Keying on the pair, not
on the address alone, means that behind a reverse proxy or a shared office
address one person's mistakes never lock out their colleagues, and nobody can
lock the CIO out from elsewhere. The real client address is read from
X-Forwarded-For when ``TRUSTED_PROXY_COUNT`` proxies are trusted.

Bad API tokens count per address under one name; valid tokens are never
checked against that counter.

Answers never tell whether an account exists: a locked-out unknown e-mail gets
the same message as a locked-out real one.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

LOCKED_MESSAGE = (
    "Too many failed sign-in attempts. For your safety, sign-in is paused for {minutes} minutes for this "
    "account and from this address. Try again later, or ask your organization admin to unlock it now."
)
TOKEN_PREFIX = "api-token:"
TOKEN_USERNAME = "api-token"


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the X-Forwarded-For entry added by
    the outermost of ``TRUSTED_PROXY_COUNT`` reverse proxies."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies and _valid_ip(forwarded[-proxies]):
            return forwarded[-proxies]
    remote = request.META.get("REMOTE_ADDR") or None
    return remote if remote and _valid_ip(remote) else None


def _valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def normalized_username(request, credentials) -> str | None:
    """E-mails are case-insensitive: count ``CIO@x`` and ``cio@x`` as one account."""
    value = (credentials or {}).get("username")
    if value is None:
        value = getattr(request, "POST", {}).get(settings.AXES_USERNAME_FORM_FIELD)
    return str(value).strip().lower() if value else value


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    return LOCKED_MESSAGE.format(minutes=lockout_minutes())


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out person sees: a page (429) or, on the API, the API's error shape."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message(), "code": "locked_out", "errors": {}}, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"message": lockout_message()}, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


# ------------------------------------------------------------ API tokens ----


def token_credentials() -> dict:
    # Every bad token from an address counts under one name, so the counter is
    # per address; valid tokens are never checked against it.
    return {"username": TOKEN_USERNAME}


def token_attempt_allowed(request) -> bool:
    """False once bad tokens from this address reached the limit."""
    if not settings.AXES_ENABLED:
        return True
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_allowed(request, token_credentials())


def token_failed(request, key: str) -> None:
    """Count a bad token against the caller's address and record it (only the
    public prefix: the secret never reaches the attempts table or the log)."""
    from core.audit import record_event
    from core.models import SecurityEventKind

    user_login_failed.send(sender=__name__, credentials=token_credentials(), request=request)
    record_event(SecurityEventKind.TOKEN_FAILED, identifier=TOKEN_PREFIX + (key or "")[:10], request=request)


# ---------------------------------------------------------------- unlock ----


def locked_usernames(emails) -> set[str]:
    """Which of these e-mails are locked out right now (one query)."""
    if not settings.AXES_ENABLED:
        return set()
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            username__in=[e.lower() for e in emails],
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).values_list("username", flat=True)
    )


def unlock(*, actor, user, organization=None, request=None) -> int:
    """Clear the failed attempts of ``user`` so they can sign in again at once."""
    from axes.handlers.proxy import AxesProxyHandler

    from core.audit import record_event
    from core.models import SecurityEventKind

    count = AxesProxyHandler.reset_attempts(username=user.email.lower())
    record_event(
        SecurityEventKind.UNLOCK, actor=actor, subject=user, organization=organization, request=request
    )
    return count
