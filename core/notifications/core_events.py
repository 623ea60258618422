"""Core's own notifiable moments: joint decisions (from core.services'
sign-off functions), role changes and sign-ins from a new device."""

from __future__ import annotations

import logging

from django.urls import reverse
from django.utils import timezone

from .. import joint
from ..models import Membership, SecurityEvent, SecurityEventKind, SignOff, SignOffDecision
from ..roles import SIGNING_ROLES, Role
from .services import notify

logger = logging.getLogger(__name__)


def subject_link(subject, purpose: str) -> str:
    decision = joint.lookup(subject, purpose)
    if decision is not None and decision.url is not None:
        try:
            return decision.url(subject)
        except Exception:  # a link is a convenience; never fail the decision for it
            logger.warning("no link for %s %s", joint.model_label(subject), purpose, exc_info=True)
    return reverse("core:org_home", args=[subject.organization.slug])


def _executives(organization):
    return {
        m.role: m.user
        for m in Membership.objects.filter(organization=organization, role__in=SIGNING_ROLES).select_related(
            "user"
        )
    }


def _label(subject, purpose: str) -> str:
    decision = joint.lookup(subject, purpose)
    return f"{decision.label if decision else purpose.replace('_', ' ').capitalize()} of “{subject}”"


def signoff_given(*, signoff: SignOff, subject) -> None:
    """After a signature: the other executive is told it waits for them (or
    that it was rejected); when both approved, both are told it is decided."""
    organization = subject.organization
    label = _label(subject, signoff.purpose)
    link = subject_link(subject, signoff.purpose)
    active = list(
        SignOff.objects.filter(
            organization=organization,
            content_type_id=signoff.content_type_id,
            object_id=signoff.object_id,
            purpose=signoff.purpose,
            voided_at__isnull=True,
        )
    )
    executives = _executives(organization)
    signer_role = Role(signoff.role).label
    others = [user for role, user in executives.items() if user.pk != signoff.signer_id]
    base_key = f"{signoff.content_type_id}:{signoff.object_id}:{signoff.purpose}:v{signoff.subject_version}"
    if signoff.decision == SignOffDecision.REJECT:
        notify(
            event="decision.rejected",
            organization=organization,
            recipients=others,
            subject=subject,
            title=f"{label} was rejected by the {signer_role}",
            body=f"{signoff.signer} rejected it: {signoff.comment}",
            link=link,
            key=f"decision-rejected:{base_key}:{signoff.pk}",
        )
        return
    approvals = {s.role for s in active if s.decision == SignOffDecision.APPROVE}
    if approvals >= set(SIGNING_ROLES):
        notify(
            event="decision.decided",
            organization=organization,
            recipients=list(executives.values()),
            subject=subject,
            title=f"{label} is decided: the CIO and the CISO both approved",
            link=link,
            key=f"decision-decided:{base_key}",
        )
        return
    waiting = [
        user for role, user in executives.items() if role not in approvals and user.pk != signoff.signer_id
    ]
    notify(
        event="decision.waiting",
        organization=organization,
        recipients=waiting,
        subject=subject,
        title=f"{label} waits for your signature: the {signer_role} approved",
        body=f"{signoff.signer} approved it{': ' + signoff.comment if signoff.comment else ''}.",
        link=link,
        key=f"decision-waiting:{base_key}:{signoff.pk}",
    )


def signoffs_voided(*, subject, signoffs: list[SignOff], reason: str) -> None:
    """Tell each signer whose signature a change voided."""
    if not signoffs:
        return
    signers = {s.signer_id: s for s in signoffs}
    users = {
        m.user_id: m.user
        for m in Membership.objects.filter(
            organization=subject.organization, user_id__in=list(signers)
        ).select_related("user")
    }
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    for signer_id, signoff in signers.items():
        if signer_id not in users:
            continue
        notify(
            event="decision.voided",
            organization=subject.organization,
            recipients=[users[signer_id]],
            subject=subject,
            title=f"Your signature on {_label(subject, signoff.purpose)} was voided",
            body=reason,
            link=subject_link(subject, signoff.purpose),
            key=f"decision-voided:{signoff.pk}:{stamp}",
        )


def role_changed(*, organization, user, new_role: str) -> None:
    notify(
        event="security.role_changed",
        organization=organization,
        recipients=[user],
        title=f"Your role in {organization.name} is now {Role(new_role).label}",
        body="If you did not expect this, tell your organization admin now.",
        link=reverse("core:org_home", args=[organization.slug]),
        key=f"role-changed:{organization.pk}:{user.pk}:{timezone.now():%Y%m%d%H%M%S%f}",
    )


def signed_in(*, user, event: SecurityEvent) -> None:
    """A sign-in from a browser (user agent) never seen for this person before."""
    if not event.user_agent:
        return
    earlier = SecurityEvent.objects.filter(kind=SecurityEventKind.SIGN_IN, subject=user).exclude(pk=event.pk)
    if not earlier.exists() or earlier.filter(user_agent=event.user_agent).exists():
        return
    membership = (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name")
        .first()
    )
    if membership is None:
        return
    notify(
        event="security.new_device",
        organization=membership.organization,
        recipients=[user],
        title="New sign-in to your Concord account from a new device",
        body=(
            f"Browser: {event.user_agent}\nAddress: {event.ip_address or 'unknown'}\n"
            f"Time: {event.created_at:%Y-%m-%d %H:%M} UTC\n"
            "If this was not you, change your password and tell your organization admin."
        ),
        link=reverse("core:profile"),
        key=f"new-device:{event.pk}",
    )
