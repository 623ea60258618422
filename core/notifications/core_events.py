"""Core's own notifiable moments: joint decisions (from core.services'
sign-off functions), role changes and sign-ins from a new device."""

from __future__ import annotations

import logging

from django.contrib.contenttypes.models import ContentType
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


def _subject_key(subject, purpose: str) -> str:
    ct = ContentType.objects.get_for_model(subject, for_concrete_model=True)
    return f"{ct.pk}:{subject.pk}:{purpose}"


def decision_opened(*, subject, purpose: str, actor=None) -> None:
    """A joint decision was put up for signature (a risk acceptance requested,
    a budget sent to joint review, an intake decision proposed): each
    executive whose signature it needs is told, except the person who opened
    it. Event ``decision.waiting`` (category "signatures")."""
    organization = subject.organization
    label = _label(subject, purpose)
    recipients = [user for user in _executives(organization).values() if actor is None or user.pk != actor.pk]
    opener = f"{actor} put it up" if actor is not None else "It was put up"
    notify(
        event="decision.waiting",
        organization=organization,
        recipients=recipients,
        subject=subject,
        title=f"{label} waits for your signature",
        chat_title=f"{label} was put up for the joint decision of the CIO and the CISO",
        body=f"{opener} for the joint decision of the CIO and the CISO. Nobody has signed yet.",
        link=subject_link(subject, purpose),
        key=f"decision-waiting:{_subject_key(subject, purpose)}:v{getattr(subject, 'version', 0)}",
    )


def part_given(
    *, subject, purpose: str, signer, role: str, approved: bool, approvals: set, comment: str, key: str
) -> None:
    """One executive gave their part of a joint decision (a sign-off, or a
    part given outside the sign-off table such as a proposed agreed assessment).

    - rejected: the other executive is told, with the reason (``decision.rejected``);
    - approved by both: both are told it is decided (``decision.decided``);
    - approved by one: the executive whose part is missing is told the other
      signed (``decision.signed_by_other``)."""
    organization = subject.organization
    label = _label(subject, purpose)
    link = subject_link(subject, purpose)
    executives = _executives(organization)
    signer_role = Role(role).label
    others = [user for user in executives.values() if user.pk != signer.pk]
    if not approved:
        notify(
            event="decision.rejected",
            organization=organization,
            recipients=others,
            subject=subject,
            title=f"{label} was rejected by the {signer_role}",
            body=f"{signer} rejected it: {comment}",
            link=link,
            key=f"decision-rejected:{key}",
        )
        return
    if approvals >= set(SIGNING_ROLES):
        notify(
            event="decision.decided",
            organization=organization,
            recipients=list(executives.values()),
            subject=subject,
            title=f"{label} is decided: the CIO and the CISO both approved",
            link=link,
            key=f"decision-decided:{key}",
        )
        return
    missing = [user for r, user in executives.items() if r not in approvals and user.pk != signer.pk]
    notify(
        event="decision.signed_by_other",
        organization=organization,
        recipients=missing,
        subject=subject,
        title=f"The {signer_role} signed {label}: your signature completes it",
        chat_title=f"The {signer_role} signed {label}; the "
        + " and the ".join(Role(r).label for r in SIGNING_ROLES if r not in approvals)
        + "'s signature completes it",
        body=f"{signer} approved it{': ' + comment if comment else ''}.",
        link=link,
        key=f"decision-signed:{key}",
    )


def signoff_given(*, signoff: SignOff, subject) -> None:
    """After a sign-off: see ``part_given``."""
    active = SignOff.objects.filter(
        organization=subject.organization,
        content_type_id=signoff.content_type_id,
        object_id=signoff.object_id,
        purpose=signoff.purpose,
        voided_at__isnull=True,
    )
    approvals = {s.role for s in active if s.decision == SignOffDecision.APPROVE}
    base_key = f"{signoff.content_type_id}:{signoff.object_id}:{signoff.purpose}:v{signoff.subject_version}"
    approved = signoff.decision != SignOffDecision.REJECT
    part_given(
        subject=subject,
        purpose=signoff.purpose,
        signer=signoff.signer,
        role=signoff.role,
        approved=approved,
        approvals=approvals,
        comment=signoff.comment,
        key=base_key if approved and approvals >= set(SIGNING_ROLES) else f"{base_key}:{signoff.pk}",
    )


def part_voided(*, subject, purpose: str, user, reason: str, key: str) -> None:
    """Tell ``user`` that their part of a joint decision no longer counts."""
    notify(
        event="decision.voided",
        organization=subject.organization,
        recipients=[user],
        subject=subject,
        title=f"Your signature on {_label(subject, purpose)} was voided",
        body=reason,
        link=subject_link(subject, purpose),
        key=f"decision-voided:{key}",
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
        if signer_id in users:
            part_voided(
                subject=subject,
                purpose=signoff.purpose,
                user=users[signer_id],
                reason=reason,
                key=f"{signoff.pk}:{stamp}",
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


def members_changed(*, organization, actor, recipients, summary: str) -> list:
    """The CIO and the CISO are told who joined, left or changed role (security)."""
    return notify(
        event="security.members_changed",
        organization=organization,
        recipients=recipients,
        title=f"People and roles changed in {organization.name}",
        body=f"{actor or 'Concord'} changed who does what: {summary}\n"
        "Roles decide who signs joint decisions. If you did not expect this, ask your organization admin now.",
        link=reverse("core:audit", args=[organization.slug]),
        key=f"members-changed:{organization.pk}:{timezone.now():%Y%m%d%H%M%S%f}",
    )


ORG_DELETION_STEPS = {
    "requested": (
        "Deletion of {name} was asked",
        "{actor} asked to delete {name}. It is archived (read-only) from now on; the CIO or the CISO "
        "confirms, then everything is removed after the grace period. If you did not expect this, "
        "cancel it on the archive-or-delete page.",
    ),
    "confirmed": (
        "Deletion of {name} confirmed: removed on {due}",
        "{actor} confirmed the deletion. Every record, its history and its files are removed on {due}, "
        "unless someone cancels before then. Download everything first from the archive-or-delete page.",
    ),
    "cancelled": (
        "Deletion of {name} cancelled",
        "{actor} cancelled the deletion. {name} stays archived until an admin restores it.",
    ),
}


def organization_deletion(*, organization, actor, step: str) -> list:
    """A deletion was asked, confirmed or cancelled: the CIO, the CISO and the
    admins are told (security: never turned off), with the archive-or-delete page."""
    from django.db.models import Q
    from django.utils.formats import date_format

    title, body = ORG_DELETION_STEPS[step]
    due = (
        date_format(timezone.localtime(organization.deletion_due_at), "j M Y")
        if organization.deletion_due_at
        else ""
    )
    words = {"name": organization.name, "actor": actor or "Concord", "due": due}
    recipients = [
        m.user
        for m in Membership.objects.filter(organization=organization)
        .filter(Q(role__in=SIGNING_ROLES) | Q(role=Role.ADMIN) | Q(is_admin=True))
        .select_related("user")
    ]
    return notify(
        event=f"security.org_deletion_{step}",
        organization=organization,
        recipients=recipients,
        title=title.format(**words),
        body=body.format(**words),
        link=reverse("core:org_lifecycle", args=[organization.slug]),
        key=f"org-deletion-{step}:{organization.pk}:{timezone.now():%Y%m%d%H%M%S%f}",
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
            f"Time: {event.created_at.day} {event.created_at:%b %Y, %H:%M} UTC\n"
            "If this was not you, change your password and tell your organization admin."
        ),
        link=reverse("core:profile"),
        key=f"new-device:{event.pk}",
    )
