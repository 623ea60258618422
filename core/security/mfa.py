"""Two-factor authentication with django-otp: one TOTP device (an authenticator
app) per person, plus one-time recovery codes (a static device).

Who must use it: anyone holding, in any of their organizations, a role listed in
that organization's ``mfa_required_roles``. People who set it up voluntarily are
asked for a code at every sign-in too.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import record_event
from core.errors import DomainError
from core.models import SecurityEventKind, User
from core.permissions import memberships_of

TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
REMEMBER_COOKIE = "concord_mfa_remember"
_REMEMBER_SALT = "concord.mfa.remember"


def enforced() -> bool:
    return getattr(settings, "MFA_ENFORCED", True)


def required_for(user) -> bool:
    """True if one of the person's roles must use two-factor authentication."""
    if not enforced() or user is None or not user.is_authenticated:
        return False
    return any(m.role in (m.organization.mfa_required_roles or []) for m in memberships_of(user).values())


def totp_device(user, *, confirmed: bool | None = True) -> TOTPDevice | None:
    devices = TOTPDevice.objects.filter(user=user)
    if confirmed is not None:
        devices = devices.filter(confirmed=confirmed)
    return devices.order_by("-id").first()


def is_enrolled(user) -> bool:
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device being set up (created once, reused until confirmed)."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def enrolment_confirm(*, user: User, code: str, request=None) -> list[str]:
    """Confirm the app with a first code; returns fresh recovery codes (shown once)."""
    device = totp_device(user, confirmed=False)
    if device is None:
        raise DomainError("Start the set-up again: the code was for a set-up that has expired.", field="code")
    allowed, _ = device.verify_is_allowed()
    if not allowed or not device.verify_token(_clean(code)):
        raise DomainError(
            "That code is not right. Check the app shows Concord and enter the current code.", field="code"
        )
    return _enrolment_complete(user=user, device=device, request=request)


@transaction.atomic
def _enrolment_complete(*, user: User, device: TOTPDevice, request) -> list[str]:
    # One authenticator per person: a new one replaces the old.
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    if request is not None:
        otp_login(request, device)
        _mark_step_up(request)
    record_event(SecurityEventKind.MFA_ENROLLED, actor=user, subject=user, request=request)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User, request=None) -> list[str]:
    if not is_enrolled(user):
        raise DomainError("Set up two-factor authentication first.")
    codes = _new_recovery_codes(user)
    record_event(SecurityEventKind.RECOVERY_CODES, actor=user, subject=user, request=request)
    return codes


def _clean(code: str) -> str:
    return "".join((code or "").split()).lower()


def verify(*, user: User, code: str, request=None):
    """Check a code from the app or a recovery code; marks the session verified.

    django-otp throttles each device after failures (growing delays), so
    guessing codes is slow. Not atomic on purpose: the failure count and the
    failed-code event must persist although a DomainError is raised."""
    code = _clean(code)
    device = totp_device(user)
    if device is None:
        raise DomainError("Two-factor authentication is not set up for this account.", field="code")
    matched = (
        device if code.isdigit() and device.verify_is_allowed()[0] and device.verify_token(code) else None
    )
    used_recovery = False
    if matched is None and not code.isdigit():
        recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
        if recovery is not None and recovery.verify_is_allowed()[0] and recovery.verify_token(code):
            matched, used_recovery = recovery, True
    if matched is None:
        record_event(SecurityEventKind.MFA_FAILED, actor=user, subject=user, request=request)
        raise DomainError(
            "That code is not right, or it has expired. Enter the current code from your app, "
            "or one of your recovery codes.",
            field="code",
        )
    if request is not None:
        otp_login(request, matched)
        _mark_step_up(request)
    if used_recovery:
        record_event(
            SecurityEventKind.RECOVERY_CODE_USED,
            actor=user,
            subject=user,
            request=request,
            detail=f"{recovery_codes_left(user)} recovery codes left.",
        )
    return matched


@transaction.atomic
def remove(*, actor: User, user: User, request=None) -> None:
    """Remove the person's app and recovery codes. If their role requires it,
    they are asked to set it up again at the next page."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record_event(SecurityEventKind.MFA_REMOVED, actor=actor, subject=user, request=request)


def _mark_step_up(request) -> None:
    from .stepup import mark

    mark(request)


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// link as an SVG QR code (no inline style)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    # Size comes from CSS; the role and label make it accessible.
    return svg.replace(
        "<svg ", '<svg class="qr-code" role="img" aria-label="QR code for your authenticator app" ', 1
    )


def secret_for_display(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# ----------------------------------------------------- remember device ----


def remember_cookie_value(device) -> str:
    return signing.dumps({"u": device.user_id, "d": device.persistent_id}, salt=_REMEMBER_SALT)


def remembered_device(request):
    """The device a valid "remember this device" cookie names for this person, if any."""
    value = request.COOKIES.get(REMEMBER_COOKIE)
    days = getattr(settings, "MFA_REMEMBER_DAYS", 0)
    if not value or days <= 0:
        return None
    try:
        data = signing.loads(value, salt=_REMEMBER_SALT, max_age=days * 86400)
    except signing.BadSignature:
        return None
    device = totp_device(request.user)
    if device is None or data.get("u") != request.user.pk or data.get("d") != device.persistent_id:
        return None
    return device


def set_remember_cookie(response, device) -> None:
    response.set_cookie(
        REMEMBER_COOKIE,
        remember_cookie_value(device),
        max_age=settings.MFA_REMEMBER_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
