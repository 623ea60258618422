"""Every read in core, scoped to the user."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Q, Value, When

from .models import ApiToken, Membership, Organization, SignOff, SignOffDecision
from .roles import Role


def organizations_of(user):
    return Organization.objects.filter(memberships__user=user).order_by("name")


def membership_list(*, organization: Organization):
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("role", "user__email")
    )


def users_with_mfa(user_ids) -> set[int]:
    """Which of these people have a confirmed authenticator app (one query)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return set(
        TOTPDevice.objects.filter(user_id__in=user_ids, confirmed=True).values_list("user_id", flat=True)
    )


def api_token_list(*, user):
    return ApiToken.objects.filter(user=user)


@dataclass
class JointStatus:
    """Where a joint decision stands for the subject's current version."""

    cio: SignOff | None
    ciso: SignOff | None

    @property
    def approved(self) -> bool:
        """Both approved, and they are two different people (separation of duties)."""
        return (
            all(s is not None and s.decision == SignOffDecision.APPROVE for s in (self.cio, self.ciso))
            and self.cio.signer_id != self.ciso.signer_id
        )

    @property
    def rejected(self) -> bool:
        return any(s is not None and s.decision == SignOffDecision.REJECT for s in (self.cio, self.ciso))

    @property
    def signed_count(self) -> int:
        return sum(s is not None for s in (self.cio, self.ciso))

    def for_role(self, role: str) -> SignOff | None:
        return self.cio if role == Role.CIO else self.ciso if role == Role.CISO else None


def signoff_status(subject, purpose: str) -> JointStatus:
    """Active sign-offs given for the subject's *current* version. One query."""
    rows = SignOff.objects.filter(
        content_type=ContentType.objects.get_for_model(subject, for_concrete_model=True),
        object_id=subject.pk,
        purpose=purpose,
        voided_at__isnull=True,
        subject_version=subject.version,
    ).select_related("signer")
    by_role = {row.role: row for row in rows}
    return JointStatus(cio=by_role.get(Role.CIO), ciso=by_role.get(Role.CISO))


SIGNOFF_LOG_LENGTH = 20


def signoffs_with_log(
    subject, purpose: str, *, log_length: int = SIGNOFF_LOG_LENGTH
) -> tuple[JointStatus, list]:
    """The CIO's and CISO's sign-offs in force for the subject's current version
    (as ``signoff_status``) and the newest ``log_length`` sign-offs ever given,
    void ones included (as ``signoff_log``), in one query: those in force come
    first (at most one per role), then the newest."""
    in_force = Q(voided_at__isnull=True, subject_version=subject.version)
    rows = list(
        signoff_log(subject, purpose)
        .annotate(in_force=Case(When(in_force, then=Value(True)), default=Value(False)))
        .order_by("-in_force", "-signed_at", "-pk")[: log_length + 2]
    )
    by_role = {row.role: row for row in rows if row.in_force}
    log = sorted(rows, key=lambda row: (row.signed_at, row.pk), reverse=True)[:log_length]
    return JointStatus(cio=by_role.get(Role.CIO), ciso=by_role.get(Role.CISO)), log


def is_jointly_approved(subject, purpose: str) -> bool:
    return signoff_status(subject, purpose).approved


def signoff_log(subject, purpose: str | None = None):
    """Every sign-off ever given on the subject, void ones included, newest first."""
    qs = SignOff.objects.filter(
        content_type=ContentType.objects.get_for_model(subject, for_concrete_model=True), object_id=subject.pk
    ).select_related("signer")
    return qs.filter(purpose=purpose) if purpose else qs


def signoffs_waiting_for(*, organization: Organization, role: str, subjects_by_purpose: dict):
    """Helper for "waiting for your signature": from candidate subjects per purpose,
    those the ``role`` has not yet signed in their current version."""
    waiting = []
    for purpose, subjects in subjects_by_purpose.items():
        subjects = list(subjects)
        if not subjects:
            continue
        ct = ContentType.objects.get_for_model(subjects[0], for_concrete_model=True)
        signed = set(
            SignOff.objects.filter(
                content_type=ct,
                object_id__in=[s.pk for s in subjects],
                purpose=purpose,
                role=role,
                voided_at__isnull=True,
            ).values_list("object_id", "subject_version")
        )
        waiting.extend((purpose, s) for s in subjects if (s.pk, s.version) not in signed)
    return waiting


def signoff_panel(
    *,
    subject,
    purpose: str,
    user,
    title: str = "",
    can_sign: bool = True,
) -> dict:
    """Context for templates/includes/signoff_panel.html, the one panel of every
    joint decision. Its forms post to the decision's ``sign/`` and ``withdraw/``
    URLs (``core.joint.signoff_urls``). One query for the sign-offs
    (``signoffs_with_log``)."""
    from .joint import signoff_urls
    from .permissions import signing_role

    sign_url, withdraw_url = signoff_urls(subject, purpose)

    status, log = signoffs_with_log(subject, purpose)
    my_role = signing_role(user, subject.organization)
    return {
        "status": status,
        "status_rows": [(Role.CIO.value, "CIO", status.cio), (Role.CISO.value, "CISO", status.ciso)],
        "my_signing_role": my_role,
        "my_signoff": status.for_role(my_role) if my_role else None,
        "sign_url": sign_url,
        "withdraw_url": withdraw_url,
        "title": title,
        "purpose": purpose,
        "can_sign": can_sign,
        "signoff_log": log,
        "subject_version": getattr(subject, "version", None),
    }


def invitation_list(*, organization):
    """The organization's invitations still waiting for an answer, newest first."""
    from .models import Invitation

    return list(Invitation.objects.pending().filter(organization=organization).select_related("inviter"))
