"""Factories and helpers for risk register tests. Risks are made through the
services, so references, scores and history are exactly as in production."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from core.roles import Role
from risks import services
from risks.models import RiskCategory


def make_risk(org, actor, *, title="Ransomware on clinical systems", owner=None, **values):
    data = {
        "title": title,
        "impact_statement": "Clinics cannot see patient records for days.",
        "category": RiskCategory.CYBER_ATTACK,
        "origin": "security",
        "owner": owner or actor,
    }
    data.update(values)
    return services.risk_create(actor=actor, organization=org, **data)


def assess(risk, actor, il, ii, rl=None, ri=None, rationale="Because."):
    risk.refresh_from_db()
    return services.assessment_record(
        actor=actor,
        risk=risk,
        rationale=rationale,
        inherent_likelihood=il,
        inherent_impact=ii,
        residual_likelihood=rl or 1,
        residual_impact=ri or 1,
    )


def assessed_risk(org, people, cio=(4, 4), ciso=(4, 4), **values):
    """A risk both lenses have assessed (defaults: both 16, High)."""
    risk = make_risk(org, people[Role.CIO], **values)
    assess(risk, people[Role.CIO], *cio)
    assess(risk, people[Role.CISO], *ciso)
    risk.refresh_from_db()
    return risk


def request_acceptance(risk, actor, days=90):
    risk.refresh_from_db()
    return services.acceptance_request(
        actor=actor,
        risk=risk,
        justification="Legacy system retires in Q3.",
        expires_on=timezone.localdate() + timedelta(days=days),
    )


LOSS = {
    "loss_low": Decimal("10000"),
    "loss_most_likely": Decimal("50000"),
    "loss_high": Decimal("200000"),
    "events_per_year": Decimal("0.5"),
}


def profile_outcome(org, code="GV.OC-01"):
    """The organization's profile (created on first use) and its outcome for ``code``."""
    from risks.profile.models import ProfileOutcome
    from risks.profile.services import profile_get_or_create

    profile = profile_get_or_create(organization=org)
    return ProfileOutcome.objects.select_related("subcategory", "profile").get(
        profile=profile, subcategory__code=code
    )
