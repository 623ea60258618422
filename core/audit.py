"""Recording security events (sign-ins, MFA changes, role changes, tokens,
exports, lockouts). Events are append-only; the Audit page reads them together
with the change history of business objects (see ``core.audit_trail``).

Every download (CSV, XLSX, PDF, JSON) is recorded by ``record_export``, called
by the one download helper, ``core.downloads.download``.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import Organization, SecurityEvent, SecurityEventKind

_MAX_DETAIL = 500


def _client(request) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    from .security.lockout import client_ip

    return client_ip(request), (request.META.get("HTTP_USER_AGENT", "") or "")[:255]


def record_event(
    kind: str,
    *,
    actor=None,
    organization: Organization | None = None,
    subject=None,
    detail: str = "",
    request=None,
    identifier: str = "",
) -> SecurityEvent:
    """Append one security event. ``identifier`` is the e-mail tried when there
    is no known actor (failed sign-in)."""
    ip, agent = _client(request)
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return SecurityEvent.objects.create(
        kind=kind,
        organization=organization,
        actor=actor,
        actor_email=(actor.email if actor else identifier or "")[:254],
        subject=subject,
        subject_email=(subject.email if subject else "")[:254],
        detail=(detail or "")[:_MAX_DETAIL],
        ip_address=ip,
        user_agent=agent,
    )


def record_export(user, organization: Organization | None, what: str, *, request=None) -> SecurityEvent:
    """Record that ``user`` downloaded ``what`` (e.g. "Risk register (XLSX)") from ``organization``."""
    return record_event(
        SecurityEventKind.EXPORT, actor=user, organization=organization, detail=what, request=request
    )


# ------------------------------------------------------- auth signals ----


@receiver(user_logged_in, dispatch_uid="concord_audit_sign_in")
def _on_sign_in(sender, request, user, **kwargs):
    event = record_event(SecurityEventKind.SIGN_IN, actor=user, subject=user, request=request)
    from .notifications import core_events

    core_events.signed_in(user=user, event=event)


@receiver(user_logged_out, dispatch_uid="concord_audit_sign_out")
def _on_sign_out(sender, request, user, **kwargs):
    if user is not None:
        record_event(SecurityEventKind.SIGN_OUT, actor=user, subject=user, request=request)


@receiver(user_login_failed, dispatch_uid="concord_audit_sign_in_failed")
def _on_sign_in_failed(sender, credentials, request=None, **kwargs):
    identifier = str(credentials.get("username") or "")
    if identifier.startswith("api-token:"):
        return  # recorded as TOKEN_FAILED by the API authentication
    record_event(SecurityEventKind.SIGN_IN_FAILED, identifier=identifier.lower(), request=request)


def _on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    record_event(
        SecurityEventKind.LOCKOUT,
        identifier=str(username or ""),
        request=request,
        detail=f"Too many failed attempts from {ip_address or 'an unknown address'}.",
    )


def connect_signals() -> None:
    """Called from CoreConfig.ready(): Axes' signal lives in an app loaded after core's models."""
    from axes.signals import user_locked_out

    user_locked_out.connect(_on_locked_out, dispatch_uid="concord_audit_lockout")
