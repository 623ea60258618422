"""The risk register's joint decisions (see core.joint): a risk's acceptance
above the appetite, and the agreed assessment (proposed by one lens, confirmed
by another person in the other role)."""

from django.urls import reverse

from core.joint import joint_decision

from . import services
from .models import Assessment, Lens, RiskStatus


def _sign_acceptance(*, actor, subject, decision="approve", comment=""):
    return services.acceptance_sign(actor=actor, risk=subject, decision=decision, comment=comment)


def _sign_agreement(*, actor, subject, decision="approve", comment=""):
    """Propose the register's current view as the agreed assessment, or confirm
    (decline, when ``decision`` is "reject") the proposal waiting."""
    waiting = Assessment.objects.filter(risk=subject, lens=Lens.AGREED, confirmed_at__isnull=True).exists()
    if not waiting:
        return services.agreement_propose(
            actor=actor,
            risk=subject,
            rationale=comment or "We agree with the register's current view.",
            inherent_likelihood=subject.inherent_likelihood,
            inherent_impact=subject.inherent_impact,
            residual_likelihood=subject.residual_likelihood,
            residual_impact=subject.residual_impact,
        )
    if decision == "reject":
        return services.agreement_decline(actor=actor, risk=subject, reason=comment)
    return services.agreement_confirm(actor=actor, risk=subject)


def _withdraw_acceptance(*, actor, subject):
    return services.acceptance_withdraw_signoff(actor=actor, risk=subject)


def _agreed(risk) -> bool:
    return Assessment.objects.filter(risk=risk, lens=Lens.AGREED, confirmed_at__isnull=False).exists()


joint_decision(
    model="risks.risk",
    purpose=services.ACCEPTANCE,
    label="Risk acceptance",
    sign=_sign_acceptance,
    withdraw=_withdraw_acceptance,
    page_url=lambda risk: reverse("risks:detail", args=[risk.organization.slug, risk.pk]),
    api_url=lambda risk: reverse(
        "api:risk-detail", kwargs={"org_slug": risk.organization.slug, "pk": risk.pk}
    ),
    is_complete=lambda risk: risk.status == RiskStatus.ACCEPTED,
)
joint_decision(
    model="risks.risk",
    purpose="agreed_assessment",
    label="Agreed assessment",
    sign=_sign_agreement,
    is_complete=_agreed,
    uses_signoffs=False,
    withdraw_person=services.agreements_withdraw_for,
    url=lambda risk: reverse("risks:detail", args=[risk.organization.slug, risk.pk]),
)


def _sign_target(*, actor, subject, decision="approve", comment=""):
    from .profile import services as profile_services

    return profile_services.profile_sign(actor=actor, profile=subject, decision=decision, comment=comment)


def _withdraw_target(*, actor, subject):
    from .profile import services as profile_services

    return profile_services.profile_withdraw(actor=actor, profile=subject)


# The target CSF profile (risks/profile/): scope, owners, target levels and tiers, signed by both;
# any change to the target voids the sign-offs (the profile's version moves on).
joint_decision(
    model="risks.csfprofile",
    purpose="csf_target",
    label="Target CSF profile",
    sign=_sign_target,
    withdraw=_withdraw_target,
    page_url=lambda profile: reverse("profile:page", args=[profile.organization.slug]),
    api_url=lambda profile: reverse(
        "api:profile-detail", kwargs={"org_slug": profile.organization.slug, "pk": profile.pk}
    ),
)
