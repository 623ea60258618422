"""Invitations: a person joins an organization only by accepting.

The inviter gets the same answer whether or not the address already has an
account: a pending invitation, e-mailed to the address. The invited person
opens the link (or sees it listed after signing in), and accepts or declines;
a new address chooses a password on the same page. Only acceptance creates
the membership (``core.services.membership_add``, with its security event).
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import outbox
from .audit import record_event
from .errors import DomainError, NotAllowed
from .models import Invitation, Membership, Organization, SecurityEventKind, User
from .permissions import check_writable, forget_memberships, has_perm
from .roles import Perm, Role

logger = logging.getLogger(__name__)

ALREADY_MEMBER = "This address already belongs to a member of {org}."
ALREADY_INVITED = (
    "An invitation to this address is already waiting for an answer. Cancel it to send a new one."
)
NOT_FOR_YOU = "This invitation is not addressed to the account you are signed in with."
NO_LONGER_OPEN = "This invitation is no longer open. Ask the person who invited you to send a new one."


def valid_days() -> int:
    return int(getattr(settings, "CONCORD_INVITATION_DAYS", 14))


def invitation_send(*, invitation_id: int) -> int:
    """E-mail a pending invitation (run by the worker, retried until the mail
    server answers). The link's secret is minted here, at sending time, so it is
    never stored with the queued job; a resend makes the older link void."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organization", "inviter")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or not invitation.is_pending:
            return 0  # answered, cancelled or expired before the e-mail went out
        invitation.token_hash = Invitation.hash_token(token)
        invitation.save(update_fields=["token_hash"])
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "inviter": invitation.inviter,
        "role": invitation.get_role_display(),
        "link": settings.SITE_URL + reverse("core:invitation", args=[token]),
    }
    body = render_to_string("core/email/invitation.txt", context)
    return send_mail(
        f"You are invited to {invitation.organization.name} on Concord",
        body,
        None,
        [invitation.email],
        fail_silently=False,
    )


@transaction.atomic
def invitation_create(
    *, actor: User, organization: Organization, email: str, role: str, full_name: str = ""
) -> Invitation:
    """Invite ``email`` with ``role``. Refused only for an address that already
    belongs to a member here, or one with an invitation waiting: facts of the
    inviter's own organization. Nothing about other organizations shows."""
    email = (email or "").strip().lower()
    if not email:
        raise DomainError("Enter the person's e-mail address.", field="email")
    if role not in Role.values:
        raise DomainError("Choose a role.", field="role")
    check_writable(organization)
    if not has_perm(actor, organization, Perm.MEMBERS_MANAGE):
        raise NotAllowed("Your role does not allow inviting people.")
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise DomainError(ALREADY_MEMBER.format(org=organization.name), field="email")
    from .services import _check_single_holder

    _check_single_holder(organization, role)  # said now, not only when the person accepts
    now = timezone.now()
    open_ones = Invitation.objects.select_for_update().filter(
        organization=organization,
        email__iexact=email,
        accepted_at__isnull=True,
        declined_at__isnull=True,
        cancelled_at__isnull=True,
    )
    if any(inv.expires_at > now for inv in open_ones):
        raise DomainError(ALREADY_INVITED, field="email")
    # Only the expired ones make room for the new one: under READ COMMITTED this
    # UPDATE also sees an invitation committed by a simultaneous call after the
    # check above, which must stay open (and win) rather than be cancelled.
    open_ones.filter(expires_at__lte=now).update(cancelled_at=now)
    token = secrets.token_urlsafe(32)  # never sent: the worker mints the e-mailed link's secret
    try:
        with transaction.atomic():  # two admins inviting the same address at once: one wins
            invitation = Invitation.objects.create(
                organization=organization,
                email=email,
                role=role,
                full_name=(full_name or "").strip()[:150],
                inviter=actor,
                token_hash=Invitation.hash_token(token),
                expires_at=now + timedelta(days=valid_days()),
            )
    except IntegrityError:
        raise DomainError(ALREADY_INVITED, field="email") from None
    record_event(
        SecurityEventKind.MEMBER_INVITED,
        actor=actor,
        organization=organization,
        detail=f"{email} invited as {Role(role).label}.",
    )
    outbox.enqueue("core.send_invitation", organization=organization, invitation_id=invitation.pk)
    return invitation


def invitation_by_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organization", "inviter")
        .filter(token_hash=Invitation.hash_token(token or ""))
        .first()
    )


def pending_for(user) -> list[Invitation]:
    """Open invitations addressed to ``user``'s e-mail."""
    if user is None or not user.is_authenticated:
        return []
    return list(Invitation.objects.pending().for_email(user.email).select_related("organization", "inviter"))


def _lock_open(invitation: Invitation, user: User | None) -> Invitation:
    invitation = Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    if user is not None and invitation.email.lower() != user.email.lower():
        raise NotAllowed(NOT_FOR_YOU)
    if not invitation.is_pending:
        raise DomainError(NO_LONGER_OPEN)
    return invitation


@transaction.atomic
def invitation_accept(*, user: User, invitation: Invitation) -> Membership:
    """The invited person accepts: the membership is created now."""
    from .services import membership_add

    invitation = _lock_open(invitation, user)
    organization = invitation.organization
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise DomainError(f"You are already a member of {organization.name}.")
    membership = membership_add(
        actor=user,
        organization=organization,
        user=user,
        role=invitation.role,
        detail=f"Accepted the invitation. Role: {Role(invitation.role).label}.",
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    forget_memberships(user)
    return membership


@transaction.atomic
def invitation_accept_new_account(
    *, invitation: Invitation, password: str, full_name: str = ""
) -> Membership:
    """A new address accepts by choosing a password: the account and the membership are created together."""
    invitation = _lock_open(invitation, None)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise DomainError("Sign in to accept this invitation.")
    user = User.objects.create_user(
        email=invitation.email, password=password, full_name=(full_name or invitation.full_name).strip()[:150]
    )
    return invitation_accept(user=user, invitation=invitation)


@transaction.atomic
def invitation_decline(*, user: User, invitation: Invitation) -> None:
    invitation = _lock_open(invitation, user)
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])
    record_event(
        SecurityEventKind.INVITATION_DECLINED,
        actor=user,
        organization=invitation.organization,
        subject=user,
        detail=f"Invitation as {Role(invitation.role).label} declined.",
    )


@transaction.atomic
def invitation_cancel(*, actor: User, invitation: Invitation) -> None:
    invitation = Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    check_writable(invitation.organization)
    if not has_perm(actor, invitation.organization, Perm.MEMBERS_MANAGE):
        raise NotAllowed("Your role does not allow cancelling invitations.")
    if invitation.accepted_at or invitation.declined_at or invitation.cancelled_at:
        raise DomainError("This invitation has already been answered or cancelled.")
    invitation.cancelled_at = timezone.now()
    invitation.save(update_fields=["cancelled_at"])
    record_event(
        SecurityEventKind.INVITATION_CANCELLED,
        actor=actor,
        organization=invitation.organization,
        detail=f"Invitation of {invitation.email} as {Role(invitation.role).label} cancelled.",
    )
