"""Every write in core: changes to business objects, joint sign-offs, people,
organization settings and API tokens. Each takes the acting user, validates,
and records history in the same transaction."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import joint, outbox
from .audit import record_event
from .cache import bump_org_version
from .errors import ConflictError, DomainError, NotAllowed
from .models import (
    ApiToken,
    Membership,
    Organization,
    SecurityEventKind,
    SignOff,
    SignOffDecision,
    TokenScope,
    User,
)
from .permissions import check_writable, forget_memberships, has_perm, organization_is_archived
from .roles import SIGNING_ROLES, Perm, Role, role_has

# ---------------------------------------------------------------- changes ----

_BOOKKEEPING_FIELDS = ("version", "created_at", "updated_at")


def is_unchanged(subject: models.Model) -> bool:
    """True when ``subject``'s field values equal its stored row (version and
    timestamps aside): an edit that changes nothing must not bump the version,
    write history or void sign-offs. Many-to-many fields are the caller's to compare."""
    if subject.pk is None:
        return False
    fields = [f for f in subject._meta.concrete_fields if f.name not in _BOOKKEEPING_FIELDS]
    stored = type(subject)._default_manager.filter(pk=subject.pk).values(*[f.attname for f in fields]).first()
    if stored is None:
        return False
    for f in fields:
        value = getattr(subject, f.attname)
        try:
            value = f.to_python(value)
        except Exception:
            return False
        if value != stored[f.attname]:
            return False
    return True


def check_subject_writable(subject: models.Model) -> None:
    """Refuse a change to a record of an archived organization (the service side
    of ``core.permissions.check_writable``; free when the organization is loaded)."""
    organization = subject._state.fields_cache.get("organization")
    if organization is not None:
        check_writable(organization)
    elif organization_is_archived(getattr(subject, "organization_id", None)):
        check_writable(Organization.objects.get(pk=subject.organization_id))


def record_change(subject: models.Model, *, actor, reason: str = "", void_signoffs: bool = True) -> None:
    """Save a changed business object: next version, history entry by ``actor``,
    and every active sign-off on it voided (they were given for the old version)."""
    check_subject_writable(subject)
    subject.version = (subject.version or 0) + 1
    subject._history_user = actor
    if reason:
        subject._change_reason = reason
    subject.save()
    if void_signoffs:
        signoffs_void(subject=subject, reason=reason or "The signed record was changed.")


def record_creation(subject: models.Model, *, actor) -> None:
    check_subject_writable(subject)
    subject._history_user = actor
    subject.save()


def record_deletion(subject: models.Model, *, actor) -> None:
    check_subject_writable(subject)
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


def _lock_subject(subject):
    """Lock the subject's row: every sign path serializes on it. Refused if the
    subject changed since the caller read it (they would sign what they never saw)."""
    model = subject._meta.concrete_model
    locked = (
        model._default_manager.select_for_update(of=("self",)).filter(pk=subject.pk).order_by("pk").first()
    )
    if locked is None:
        raise DomainError("This record no longer exists.")
    if subject.version is not None and locked.version != subject.version:
        raise ConflictError()
    return locked


@transaction.atomic
def sign_as_read(*, sign, actor: User, subject, read_version: int | None, **fields):
    """Give a part through a joint decision's registered ``sign`` only if the
    subject is still at the version the signer read (the page's hidden field,
    the API's ``version``): a change made meanwhile by the other executive is a
    conflict, never signed unseen. The row stays locked until the part is given."""
    if read_version is not None:
        model = subject._meta.concrete_model
        current = (
            model._default_manager.select_for_update(of=("self",))
            .filter(pk=subject.pk)
            .values_list("version", flat=True)
            .first()
        )
        if current is None:
            raise DomainError("This record no longer exists.")
        if current != read_version:
            raise ConflictError()
    return sign(actor=actor, subject=subject, **fields)


def signing_role_locked(*, actor: User, organization: Organization) -> Role | None:
    """The capacity in which ``actor`` signs here, read from their membership
    under a row lock: a concurrent role change and a signature serialize, and a
    role changed a moment ago (in another request) is seen, never a cached one."""
    if getattr(actor, "pk", None) is None:
        return None
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .filter(user=actor, organization=organization)
        .order_by("pk")
        .first()
    )
    if membership is None or membership.role not in SIGNING_ROLES or not role_has(membership.role, Perm.SIGN):
        return None
    return Role(membership.role)


def _check_registered(subject, purpose: str) -> None:
    if joint.lookup(subject, purpose) is None:
        raise ImproperlyConfigured(
            f"Sign-off purpose {purpose!r} on {joint.model_label(subject)} is not a registered joint decision. "
            "Register it in the app's joint_decisions.py (see core.joint)."
        )


@transaction.atomic
def signoff_sign(
    *,
    actor: User,
    subject,
    purpose: str,
    decision: str = SignOffDecision.APPROVE,
    comment: str = "",
    as_role: str | None = None,
) -> SignOff:
    """Record ``actor``'s decision on the current version of ``subject``.

    The actor signs in their own capacity only: a CIO cannot sign as CISO.
    Signing twice for the same purpose is refused; withdraw first. A joint
    decision needs two different people: whoever gave one signature cannot
    give the other, whatever role they hold now. The subject's row and the
    signer's membership are locked, so concurrent signatures and role changes
    serialize; a race the locks cannot see is refused by the database.
    """
    _check_registered(subject, purpose)
    locked = _lock_subject(subject)
    organization = locked.organization
    check_writable(organization)
    role = signing_role_locked(actor=actor, organization=organization)
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
    active = list(
        SignOff.objects.select_for_update().filter(**_subject_filter(locked, purpose), voided_at__isnull=True)
    )
    if any(s.role == role for s in active):
        raise DomainError(
            f"The {Role(role).label} has already signed this. Withdraw that sign-off to sign again.",
            field="decision",
        )
    mine = next((s for s in active if s.signer_id == actor.pk), None)
    if mine is not None:
        raise DomainError(
            f"You already signed this as {Role(mine.role).label}. A joint decision needs two different people, "
            "each in their own role.",
            field="decision",
            code="same_signer",
        )
    try:
        with transaction.atomic():
            signoff = SignOff.objects.create(
                organization=organization,
                content_type=ContentType.objects.get_for_model(locked, for_concrete_model=True),
                object_id=locked.pk,
                purpose=purpose,
                subject_version=locked.version,
                role=role,
                signer=actor,
                decision=decision,
                comment=comment.strip(),
            )
    except IntegrityError:
        raise ConflictError(
            "Someone signed this at the same moment. Reload to see where it stands.", field="decision"
        ) from None
    from .notifications import core_events

    core_events.signoff_given(signoff=signoff, subject=locked)
    return signoff


@transaction.atomic
def signoff_withdraw(*, actor: User, subject, purpose: str) -> None:
    locked = _lock_subject(subject)
    check_writable(locked.organization)
    role = signing_role_locked(actor=actor, organization=locked.organization)
    updated = SignOff.objects.filter(
        **_subject_filter(locked, purpose), role=role, signer=actor, voided_at__isnull=True
    ).update(voided_at=timezone.now(), void_reason=f"{SignOff.WITHDRAWN_PREFIX} {actor}.")
    bump_org_version(locked.organization_id)  # .update() sends no signal: dashboards must re-read
    if not updated:
        raise DomainError("You have no sign-off to withdraw here.")


def signoffs_void(
    *, subject, purpose: str | None = None, reason: str = "The signed record was changed."
) -> int:
    """Void the active sign-offs on ``subject`` (all purposes unless one is named);
    each signer is told (core.notifications)."""
    active = SignOff.objects.filter(**_subject_filter(subject, purpose), voided_at__isnull=True)
    signoffs = list(active.only("pk", "signer_id", "purpose"))
    voided = active.update(voided_at=timezone.now(), void_reason=reason[:200])
    if signoffs:
        from .notifications import core_events

        core_events.signoffs_voided(subject=subject, signoffs=signoffs, reason=reason)
    bump_org_version(subject.organization_id)  # .update() sends no signal: dashboards must re-read
    return voided


# ---------------------------------------------------------------- people -----


def _admin_count(organization: Organization) -> int:
    return (
        Membership.objects.filter(organization=organization)
        .filter(models.Q(role=Role.ADMIN) | models.Q(is_admin=True))
        .count()
    )


@transaction.atomic
def membership_invite(*, actor: User, organization: Organization, email: str, role: str, full_name: str = ""):
    """Invite a person by e-mail with a role. The answer is the same whether or
    not the address already has an account: a pending ``Invitation``; the
    membership exists once the person accepts (``core.invitations``)."""
    from .invitations import invitation_create

    return invitation_create(
        actor=actor, organization=organization, email=email, role=role, full_name=full_name
    )


@transaction.atomic
def membership_add(
    *, actor: User, organization: Organization, user: User, role: str, detail: str = ""
) -> Membership:
    """The one path that creates a membership (an accepted invitation), with its security event."""
    if role not in Role.values:
        raise DomainError("Choose a role.", field="role")
    _check_single_holder(organization, role)
    membership = Membership(user=user, organization=organization, role=role)
    record_creation(membership, actor=actor)
    record_event(
        SecurityEventKind.MEMBER_ADDED,
        actor=actor,
        organization=organization,
        subject=user,
        detail=detail or f"Role: {Role(role).label}.",
    )
    forget_memberships(user)
    _notify_role_change(
        organization=organization,
        actor=actor,
        recipients=_executive_emails(organization),
        summary=f"{user} ({user.email}) joined {organization.name} as {Role(role).label}.",
    )
    return membership


def _members_manager(actor: User, organization: Organization) -> None:
    check_writable(organization)
    if not has_perm(actor, organization, Perm.MEMBERS_MANAGE):
        raise NotAllowed("Only an organization admin manages people and their roles.")


def _lock_org(organization: Organization) -> None:
    """Role changes in one organization queue on its row (FOR NO KEY UPDATE: a
    sign-off being written, which only references the row, is not blocked)."""
    Organization.objects.select_for_update(no_key=True).filter(pk=organization.pk).order_by("pk").first()


def _check_single_holder(organization: Organization, role: str) -> None:
    """At most one CIO and one CISO: a second one is refused, naming the field."""
    if role not in SIGNING_ROLES:
        return
    holder = Membership.objects.filter(organization=organization, role=role).select_related("user").first()
    if holder is not None:
        label = Role(role).label
        raise DomainError(
            f"{holder.user} is already the {label} of {organization.name}, and an organization has one {label} "
            f"at a time. Use “Hand over” on the People page to pass the role to someone else.",
            field="role",
            code="one_holder",
        )


def _require_not_signing(membership: Membership, what: str) -> None:
    if membership.role in SIGNING_ROLES:
        label = Role(membership.role).label
        raise DomainError(
            f"{membership.user} is the organization's {label}. Before they can be {what}, use “Hand over” to "
            f"give the {label} role to a successor: it is never left empty by accident.",
            field="role",
            code="hand_over_required",
        )


def _executive_emails(organization: Organization) -> set[str]:
    return set(
        Membership.objects.filter(organization=organization, role__in=SIGNING_ROLES).values_list(
            "user__email", flat=True
        )
    )


def _notify_role_change(
    *, organization: Organization, actor: User, recipients: set[str], summary: str
) -> None:
    """Tell the CIO and the CISO (before and after the change) through the
    notification catalogue: a security notice (``security.members_changed``),
    in the inbox and e-mailed at once, never turned off; sent by the worker
    after commit, so a failing mail server never undoes the change.

    An executive who left the organization with this change is no longer a
    member (no inbox, no preferences): they get the same notice as a direct,
    transactional e-mail."""
    from .notifications import core_events

    recipients = {r for r in recipients if r}
    if not recipients:
        return
    people = list(User.objects.filter(email__in=recipients))
    core_events.members_changed(organization=organization, actor=actor, recipients=people, summary=summary)
    gone = sorted(
        {u.email for u in people}
        - set(Membership.objects.filter(organization=organization).values_list("user__email", flat=True))
    )
    if gone:
        body = render_to_string(
            "core/email/role_changed.txt",
            {
                "organization": organization,
                "actor": actor,
                "summary": summary,
                "link": settings.SITE_URL + reverse("core:audit", args=[organization.slug]),
            },
        )
        outbox.enqueue(
            "core.send_email",
            organization=organization,
            subject=f"[{organization.name}] People and roles changed in Concord",
            body=body,
            recipients=gone,
        )


def _void_in_flight(*, organization: Organization, user: User, role: str, reason: str) -> int:
    """Void ``user``'s active sign-offs given as ``role`` in decisions still in
    flight, and withdraw their other parts (see core.joint). A decision taken
    while they held the role stays on record: it was made by two people then."""
    to_void = []
    signoffs = SignOff.objects.filter(
        organization=organization, signer=user, role=role, voided_at__isnull=True
    ).select_related("content_type")
    for signoff in signoffs:
        ct = signoff.content_type
        decision = joint.lookup_label(f"{ct.app_label}.{ct.model}", signoff.purpose)
        model = ct.model_class()
        subject = model._default_manager.filter(pk=signoff.object_id).first() if model else None
        if (
            decision is not None
            and subject is not None
            and signoff.subject_version == subject.version
            and decision.is_complete(subject)
        ):
            continue
        to_void.append((signoff, subject))
    voided = 0
    if to_void:
        voided = SignOff.objects.filter(pk__in=[signoff.pk for signoff, _ in to_void]).update(
            voided_at=timezone.now(), void_reason=reason[:200]
        )
        bump_org_version(organization.pk)  # .update() sends no signal: dashboards must re-read
        from .notifications import core_events

        for signoff, subject in to_void:
            if subject is not None:  # the signer is told, if they may still see the item
                core_events.signoffs_voided(subject=subject, signoffs=[signoff], reason=reason)
    for decision in joint.registered():
        if decision.withdraw_person is not None:
            voided += decision.withdraw_person(organization=organization, user=user, role=role, reason=reason)
    return voided


def _after_role_change(
    *, actor: User, organization: Organization, user: User, old_role: str, new_role: str | None
) -> int:
    """What every role change does: void the old capacity's sign-offs in
    flight, revoke the person's API tokens, forget cached memberships."""
    voided = 0
    if old_role in SIGNING_ROLES and new_role != old_role:
        now = f"now {Role(new_role).label}" if new_role else "no longer a member"
        voided = _void_in_flight(
            organization=organization,
            user=user,
            role=old_role,
            reason=f"Void: {user} is {now}, so no longer signs as {Role(old_role).label}.",
        )
    api_tokens_revoke_all(
        user=user,
        actor=actor,
        reason=f"Role changed in {organization.name}" if new_role else f"Removed from {organization.name}",
    )
    forget_memberships(user)
    if new_role:
        from .notifications import core_events

        core_events.role_changed(organization=organization, user=user, new_role=new_role)
    return voided


def _voided_note(voided: int) -> str:
    if not voided:
        return ""
    return f" {voided} sign-off{'s' if voided != 1 else ''} in flight voided."


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    """Change a member's role. Nobody changes their own role; the CIO and the
    CISO change only through a hand over; the old capacity's sign-offs in
    flight are voided, the person's API tokens revoked, the CIO and CISO told."""
    if role not in Role.values:
        raise DomainError("Choose a role.", field="role")
    _members_manager(actor, membership.organization)
    _lock_org(membership.organization)
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "organization")
        .get(pk=membership.pk)
    )
    organization = membership.organization
    if membership.user_id == actor.pk:
        raise NotAllowed(
            "You cannot change your own role. Another admin can: nobody gives themselves a role.",
            field="role",
        )
    old_role = membership.role
    if old_role == role:
        return membership
    if membership.role == Role.ADMIN and _admin_count(organization) <= 1:
        raise DomainError(
            "This is the organization's last admin. Make someone else admin first.", field="role"
        )
    _require_not_signing(membership, "given another role")
    _check_single_holder(organization, role)
    recipients = _executive_emails(organization)
    membership.role = role
    membership._change_reason = f"Role changed from {Role(old_role).label} to {Role(role).label}."
    record_creation(membership, actor=actor)
    voided = _after_role_change(
        actor=actor, organization=organization, user=membership.user, old_role=old_role, new_role=role
    )
    summary = f"{membership.user} ({membership.user.email}): {Role(old_role).label} → {Role(role).label}."
    record_event(
        SecurityEventKind.ROLE_CHANGED,
        actor=actor,
        organization=organization,
        subject=membership.user,
        detail=f"{Role(old_role).label} → {Role(role).label}.{_voided_note(voided)}",
    )
    _notify_role_change(
        organization=organization,
        actor=actor,
        recipients=recipients | _executive_emails(organization),
        summary=summary + _voided_note(voided),
    )
    return membership


@transaction.atomic
def membership_hand_over(
    *,
    actor: User,
    organization: Organization,
    role: str,
    successor: Membership,
    outgoing_role: str | None = None,
) -> Membership:
    """Hand the CIO or CISO role from its holder to ``successor`` in one step.

    The holder takes ``outgoing_role`` (or leaves the organization when it is
    empty). What either of them had signed in their old capacity and is still
    in flight is voided; both lose their API tokens; the CIO and CISO are told.
    """
    if role not in SIGNING_ROLES:
        raise DomainError("Only the CIO and the CISO roles are handed over.", field="role")
    outgoing_role = outgoing_role or None
    if outgoing_role is not None and outgoing_role not in Role.values:
        raise DomainError("Choose the outgoing person's new role, or remove them.", field="outgoing_role")
    label = Role(role).label
    if outgoing_role == role:
        raise DomainError(f"The outgoing {label} cannot keep the role they hand over.", field="outgoing_role")
    _members_manager(actor, organization)
    _lock_org(organization)
    holder = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(organization=organization, role=role)
        .order_by("pk")
        .first()
    )
    if holder is None:
        raise DomainError(
            f"{organization.name} has no {label} to hand over from. Give someone the role on the "
            "People page.",
            field="role",
        )
    if successor is None or successor.organization_id != organization.pk:
        raise DomainError("Choose a member of this organization as the successor.", field="successor")
    successor = Membership.objects.select_for_update(of=("self",)).select_related("user").get(pk=successor.pk)
    if successor.pk == holder.pk:
        raise DomainError(f"{holder.user} is already the {label}. Choose someone else.", field="successor")
    if actor.pk in (successor.user_id, holder.user_id):
        raise NotAllowed(
            "You cannot hand a role to or from yourself. Another admin can: nobody gives themselves a role.",
            field="successor",
        )
    if successor.role == Role.ADMIN and _admin_count(organization) <= 1:
        raise DomainError(
            f"{successor.user} is the organization's last admin. Make someone else admin first.",
            field="successor",
        )
    if outgoing_role in SIGNING_ROLES:
        _check_single_holder(organization, outgoing_role)
    recipients = _executive_emails(organization)
    successor_old = successor.role
    if outgoing_role is None:
        holder._change_reason = f"Handed the {label} role over to {successor.user} and left the organization."
        record_deletion(holder, actor=actor)
    else:
        holder.role = outgoing_role
        holder._change_reason = f"Handed the {label} role over to {successor.user}."
        record_creation(holder, actor=actor)
    successor.role = role
    successor._change_reason = f"Took the {label} role over from {holder.user}."
    record_creation(successor, actor=actor)
    voided = _after_role_change(
        actor=actor, organization=organization, user=holder.user, old_role=role, new_role=outgoing_role
    )
    voided += _after_role_change(
        actor=actor, organization=organization, user=successor.user, old_role=successor_old, new_role=role
    )
    handed = f"{label} role handed over from {holder.user.email} to {successor.user.email}."
    if outgoing_role is None:
        record_event(
            SecurityEventKind.MEMBER_REMOVED,
            actor=actor,
            organization=organization,
            subject=holder.user,
            detail=f"Was {label}. {handed}",
        )
    else:
        record_event(
            SecurityEventKind.ROLE_CHANGED,
            actor=actor,
            organization=organization,
            subject=holder.user,
            detail=f"{label} → {Role(outgoing_role).label}. {handed}",
        )
    record_event(
        SecurityEventKind.ROLE_CHANGED,
        actor=actor,
        organization=organization,
        subject=successor.user,
        detail=f"{Role(successor_old).label} → {label}. {handed}{_voided_note(voided)}",
    )
    after = f"{holder.user} is now {Role(outgoing_role).label}." if outgoing_role else f"{holder.user} left."
    _notify_role_change(
        organization=organization,
        actor=actor,
        recipients=recipients | _executive_emails(organization),
        summary=f"{handed} {after}{_voided_note(voided)}",
    )
    return successor


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    """Take a person out of the organization. The last admin stays; the CIO and
    the CISO leave through a hand over (they are never left without a successor)."""
    _members_manager(actor, membership.organization)
    _lock_org(membership.organization)
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "organization")
        .get(pk=membership.pk)
    )
    organization = membership.organization
    if membership.role == Role.ADMIN and _admin_count(organization) <= 1:
        raise DomainError("You cannot remove the organization's last admin. Make someone else admin first.")
    _require_not_signing(membership, "removed")
    recipients = _executive_emails(organization)
    record_deletion(membership, actor=actor)
    _after_role_change(
        actor=actor, organization=organization, user=membership.user, old_role=membership.role, new_role=None
    )
    record_event(
        SecurityEventKind.MEMBER_REMOVED,
        actor=actor,
        organization=organization,
        subject=membership.user,
        detail=f"Was {Role(membership.role).label}.",
    )
    _notify_role_change(
        organization=organization,
        actor=actor,
        recipients=recipients,
        summary=f"{membership.user} ({membership.user.email}), {Role(membership.role).label}, "
        f"was removed from {organization.name}.",
    )


SETTINGS_FIELDS = (
    "name",
    "currency",
    "fiscal_year_start_month",
    "risk_appetite",
    "medium_from",
    "high_from",
    "critical_from",
    "report_schedule",
    "mfa_required_roles",
)


@transaction.atomic
def organization_update(
    *, actor: User, organization: Organization, expected_version: int | None, **changes
) -> Organization:
    from .concurrency import lock_for_update

    org = lock_for_update(Organization, pk=organization.pk, expected_version=expected_version)
    check_writable(org)
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise DomainError(f"Unknown setting: {', '.join(sorted(unknown))}.")
    old_mfa = sorted(org.mfa_required_roles or [])
    for name, value in changes.items():
        setattr(org, name, value)
    if not (org.medium_from < org.high_from < org.critical_from):
        raise DomainError("Level thresholds must increase: Medium < High < Critical.", field="high_from")
    org.full_clean()
    if is_unchanged(org):
        return org
    org.version += 1
    org._history_user = actor
    org.save()
    if "mfa_required_roles" in changes and sorted(org.mfa_required_roles or []) != old_mfa:
        labels = ", ".join(Role(r).label for r in org.mfa_required_roles) or "no role"
        record_event(
            SecurityEventKind.SETTINGS_CHANGED,
            actor=actor,
            organization=org,
            detail=f"Two-factor authentication now required for: {labels}.",
        )
    return org


# ---------------------------------------------------------------- tokens -----


def _token_scopes(scopes) -> list[str]:
    chosen = set(scopes or ()) | {TokenScope.READ.value}
    unknown = chosen - set(TokenScope.values)
    if unknown:
        raise DomainError(f"Unknown scope: {', '.join(sorted(unknown))}.", field="scopes")
    return [s for s in TokenScope.values if s in chosen]


def _token_days(days) -> int:
    if days is None:
        return settings.API_TOKEN_DEFAULT_DAYS
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise DomainError(
            f"Choose a lifetime between 1 and {settings.API_TOKEN_MAX_DAYS} days.", field="days"
        )
    return days


@transaction.atomic
def api_token_create(
    *, actor: User, name: str, scopes: list[str] | None = None, days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token; the secret is returned once and never stored.

    The token is read-only unless ``scopes`` names more, and expires after
    ``days`` (``API_TOKEN_DEFAULT_DAYS`` by default, at most ``API_TOKEN_MAX_DAYS``).
    Callers check the step-up before asking for more than ``read``."""
    name = (name or "").strip()
    if not name:
        raise DomainError("Give the token a name, e.g. what will use it.", field="name")
    scopes = _token_scopes(scopes)
    days = _token_days(days)
    if (
        ApiToken.objects.filter(user=actor, revoked_at__isnull=True, expires_at__gt=timezone.now()).count()
        >= 20
    ):
        raise DomainError("You already have 20 active tokens. Revoke one first.", field="name")
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=actor,
        name=name[:80],
        prefix=key[:10],
        key_hash=ApiToken.hash_key(key),
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=days),
    )
    record_event(
        SecurityEventKind.TOKEN_CREATED,
        actor=actor,
        subject=actor,
        detail=f"“{token.name}” ({token.prefix}…), scopes: {', '.join(scopes)}, {days} days.",
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise NotAllowed("You can revoke only your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(
            SecurityEventKind.TOKEN_REVOKED,
            actor=actor,
            subject=actor,
            detail=f"“{token.name}” ({token.prefix}…)",
        )


@transaction.atomic
def api_tokens_revoke_all(*, user: User, reason: str, actor: User | None = None) -> int:
    """Revoke every active API token of ``user`` (role change, removal, password
    change), each recorded as a security event saying why. Returns how many."""
    tokens = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))
    if not tokens:
        return 0
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=timezone.now())
    for token in tokens:
        record_event(
            SecurityEventKind.TOKEN_REVOKED,
            actor=actor or user,
            subject=user,
            detail=f"“{token.name}” ({token.prefix}…): {reason.rstrip('.')}."[:500],
        )
    return len(tokens)
