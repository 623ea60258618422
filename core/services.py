"""Every write in core: changes to business objects, joint sign-offs, people,
organization settings and API tokens. Each takes the acting user, validates,
and records history in the same transaction."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from . import outbox
from .audit import record_event
from .cache import bump_org_version
from .errors import DomainError, NotAllowed
from .models import ApiToken, Membership, Organization, SecurityEventKind, SignOff, SignOffDecision, User
from .permissions import forget_memberships, signing_role
from .roles import Role

# ---------------------------------------------------------------- changes ----


def record_change(subject: models.Model, *, actor, reason: str = "", void_signoffs: bool = True) -> None:
    """Save a changed business object: next version, history entry by ``actor``,
    and every active sign-off on it voided (they were given for the old version)."""
    subject.version = (subject.version or 0) + 1
    subject._history_user = actor
    if reason:
        subject._change_reason = reason
    subject.save()
    if void_signoffs:
        signoffs_void(subject=subject, reason=reason or "The signed record was changed.")


def record_creation(subject: models.Model, *, actor) -> None:
    subject._history_user = actor
    subject.save()


def record_deletion(subject: models.Model, *, actor) -> None:
    subject._history_user = actor
    subject.delete()


# -------------------------------------------------------------- sign-offs ----


def _subject_filter(subject, purpose: str | None):
    filters = {
        "content_type": ContentType.objects.get_for_model(subject, for_concrete_model=True),
        "object_id": subject.pk,
    }
    if purpose:
        filters["purpose"] = purpose
    return filters


@transaction.atomic
def signoff_sign(
    *, actor: User, subject, purpose: str, decision: str = SignOffDecision.APPROVE, comment: str = "",
    as_role: str | None = None,
) -> SignOff:
    """Record ``actor``'s decision on the current version of ``subject``.

    The actor signs in their own capacity only: a CIO cannot sign as CISO.
    Signing twice for the same purpose is refused; withdraw first.
    """
    organization = subject.organization
    role = signing_role(actor, organization)
    if role is None:
        raise NotAllowed("Only the CIO or the CISO of this organization can sign.")
    if as_role is not None and as_role != role:
        raise NotAllowed(
            f"You sign as {Role(role).label}; you cannot sign on behalf of the {Role(as_role).label}.",
            field="role",
        )
    if decision not in SignOffDecision.values:
        raise DomainError("Choose approve or reject.", field="decision")
    if decision == SignOffDecision.REJECT and not comment.strip():
        raise DomainError("Say why you reject, so the other signer knows what to change.", field="comment")
    existing = SignOff.objects.select_for_update().filter(
        **_subject_filter(subject, purpose), role=role, voided_at__isnull=True
    )
    if existing.exists():
        raise DomainError(
            f"The {Role(role).label} has already signed this. Withdraw that sign-off to sign again.",
            field="decision",
        )
    return SignOff.objects.create(
        organization=organization,
        content_type=ContentType.objects.get_for_model(subject, for_concrete_model=True),
        object_id=subject.pk,
        purpose=purpose,
        subject_version=subject.version,
        role=role,
        signer=actor,
        decision=decision,
        comment=comment.strip(),
    )


@transaction.atomic
def signoff_withdraw(*, actor: User, subject, purpose: str) -> None:
    role = signing_role(actor, subject.organization)
    updated = SignOff.objects.filter(
        **_subject_filter(subject, purpose), role=role, signer=actor, voided_at__isnull=True
    ).update(voided_at=timezone.now(), void_reason=f"Withdrawn by {actor}.")
    bump_org_version(subject.organization_id)  # .update() sends no signal: dashboards must re-read
    if not updated:
        raise DomainError("You have no sign-off to withdraw here.")


def signoffs_void(*, subject, purpose: str | None = None, reason: str = "The signed record was changed.") -> int:
    """Void the active sign-offs on ``subject`` (all purposes unless one is named)."""
    voided = SignOff.objects.filter(**_subject_filter(subject, purpose), voided_at__isnull=True).update(
        voided_at=timezone.now(), void_reason=reason[:200]
    )
    bump_org_version(subject.organization_id)  # .update() sends no signal: dashboards must re-read
    return voided


# ---------------------------------------------------------------- people -----


def _admin_count(organization: Organization) -> int:
    return Membership.objects.filter(organization=organization, role=Role.ADMIN).count()


def invitation_send(*, membership_id: int, inviter_id: int | None, new_user: bool) -> int:
    """E-mail a new member their invitation (run by a task after the membership commits)."""
    membership = Membership.objects.select_related("user", "organization").filter(pk=membership_id).first()
    if membership is None or not membership.user.is_active:
        return 0  # removed before the e-mail went out
    user, organization = membership.user, membership.organization
    inviter = User.objects.filter(pk=inviter_id).first() if inviter_id else None
    context = {"user": user, "organization": organization, "role": Role(membership.role).label,
               "inviter": inviter, "site_url": settings.SITE_URL}
    if new_user:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        context["link"] = settings.SITE_URL + reverse("password_reset_confirm", args=[uid, token])
    else:
        context["link"] = settings.SITE_URL + reverse("core:org_home", args=[organization.slug])
    body = render_to_string("core/email/invitation.txt", context)
    return send_mail(f"You are invited to {organization.name} on Concord", body, None, [user.email])


@transaction.atomic
def membership_invite(*, actor: User, organization: Organization, email: str, role: str, full_name: str = "") -> Membership:
    """Add a person by e-mail with a role; new people get a link to set a password."""
    email = (email or "").strip().lower()
    if not email:
        raise DomainError("Enter the person's e-mail address.", field="email")
    if role not in Role.values:
        raise DomainError("Choose a role.", field="role")
    user = User.objects.filter(email__iexact=email).first()
    new_user = user is None
    if new_user:
        user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
    elif Membership.objects.filter(user=user, organization=organization).exists():
        raise DomainError(f"{email} is already a member of {organization.name}.", field="email")
    membership = Membership(user=user, organization=organization, role=role)
    record_creation(membership, actor=actor)
    record_event(SecurityEventKind.MEMBER_ADDED, actor=actor, organization=organization, subject=user,
                 detail=f"Role: {Role(role).label}.")
    outbox.enqueue("core.send_invitation", organization=organization, membership_id=membership.pk,
                   inviter_id=actor.pk if actor else None, new_user=new_user)
    return membership


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise DomainError("Choose a role.", field="role")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.ADMIN and role != Role.ADMIN and _admin_count(membership.organization) <= 1:
        raise DomainError(
            "This is the organization's last admin. Make someone else admin first.", field="role"
        )
    old_role = membership.role
    membership.role = role
    record_creation(membership, actor=actor)
    forget_memberships(membership.user)
    if old_role != role:
        record_event(SecurityEventKind.ROLE_CHANGED, actor=actor, organization=membership.organization,
                     subject=membership.user, detail=f"{Role(old_role).label} → {Role(role).label}.")
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.ADMIN and _admin_count(membership.organization) <= 1:
        raise DomainError("You cannot remove the organization's last admin. Make someone else admin first.")
    record_deletion(membership, actor=actor)
    record_event(SecurityEventKind.MEMBER_REMOVED, actor=actor, organization=membership.organization,
                 subject=membership.user, detail=f"Was {Role(membership.role).label}.")


SETTINGS_FIELDS = (
    "name", "currency", "fiscal_year_start_month", "risk_appetite", "medium_from", "high_from",
    "critical_from", "report_schedule", "mfa_required_roles",
)


@transaction.atomic
def organization_update(*, actor: User, organization: Organization, expected_version: int | None, **changes) -> Organization:
    from .concurrency import lock_for_update

    org = lock_for_update(Organization, pk=organization.pk, expected_version=expected_version)
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise DomainError(f"Unknown setting: {', '.join(sorted(unknown))}.")
    old_mfa = sorted(org.mfa_required_roles or [])
    for name, value in changes.items():
        setattr(org, name, value)
    if not (org.medium_from < org.high_from < org.critical_from):
        raise DomainError("Level thresholds must increase: Medium < High < Critical.", field="high_from")
    org.full_clean()
    org.version += 1
    org._history_user = actor
    org.save()
    if "mfa_required_roles" in changes and sorted(org.mfa_required_roles or []) != old_mfa:
        labels = ", ".join(Role(r).label for r in org.mfa_required_roles) or "no role"
        record_event(SecurityEventKind.SETTINGS_CHANGED, actor=actor, organization=org,
                     detail=f"Two-factor authentication now required for: {labels}.")
    return org


# ---------------------------------------------------------------- tokens -----


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; the secret is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise DomainError("Give the token a name, e.g. what will use it.", field="name")
    if ApiToken.objects.filter(user=actor, revoked_at__isnull=True).count() >= 20:
        raise DomainError("You already have 20 active tokens. Revoke one first.", field="name")
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(user=actor, name=name[:80], prefix=key[:10], key_hash=ApiToken.hash_key(key))
    record_event(SecurityEventKind.TOKEN_CREATED, actor=actor, subject=actor, detail=f"“{token.name}” ({token.prefix}…)")
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise NotAllowed("You can revoke only your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(SecurityEventKind.TOKEN_REVOKED, actor=actor, subject=actor,
                     detail=f"“{token.name}” ({token.prefix}…)")
