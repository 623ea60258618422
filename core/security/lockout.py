"""Sign-in protection with django-axes: after repeated failures an account and
an address are each refused for a while (settings ``LOCKOUT_FAILURES`` and
``LOCKOUT_MINUTES``). The same counter covers bad API tokens (by address).

Answers never tell whether an account exists: a locked-out unknown e-mail gets
the same message as a locked-out real one.
"""
from __future__ import annotations

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


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the X-Forwarded-For entry added by
    the outermost of ``TRUSTED_PROXY_COUNT`` reverse proxies."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


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


def token_credentials(key: str) -> dict:
    # Only the public prefix is kept: the secret never reaches the attempts table.
    return {"username": TOKEN_PREFIX + (key or "")[:10]}


def token_attempt_allowed(request, key: str) -> bool:
    if not settings.AXES_ENABLED:
        return True
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_allowed(request, token_credentials(key))


def token_failed(request, key: str) -> None:
    """Count a bad token against the caller's address and record it."""
    from core.audit import record_event
    from core.models import SecurityEventKind

    user_login_failed.send(sender=__name__, credentials=token_credentials(key), request=request)
    record_event(SecurityEventKind.TOKEN_FAILED, identifier=token_credentials(key)["username"], request=request)


# ---------------------------------------------------------------- unlock ----


def locked_usernames(emails) -> set[str]:
    """Which of these e-mails are locked out right now (one query)."""
    if not settings.AXES_ENABLED:
        return set()
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            username__in=[e.lower() for e in emails], failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).values_list("username", flat=True)
    )


def unlock(*, actor, user, organization=None, request=None) -> int:
    """Clear the failed attempts of ``user`` so they can sign in again at once."""
    from axes.handlers.proxy import AxesProxyHandler

    from core.audit import record_event
    from core.models import SecurityEventKind

    count = AxesProxyHandler.reset_attempts(username=user.email.lower())
    record_event(SecurityEventKind.UNLOCK, actor=actor, subject=user, organization=organization, request=request)
    return count
