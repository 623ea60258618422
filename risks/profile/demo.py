"""A believable CSF profile for the demo organization (a regional health provider):
a target signed by both the CIO and the CISO, then the current profile assessed
by each outcome's owner. Called by ``risks.demo.seed``; runs once."""

from __future__ import annotations

from core.roles import Role

from ..models import Risk
from . import services
from .models import OwnerLens, ProfileOutcome

# Target and current level (0 not … 3 fully implemented) per category: where the
# board asked for "fully" (identity, data, monitoring, incident management,
# recovery plans) and where the organization stands after two years of work.
TARGET = {
    "GV.OC": 2, "GV.RM": 2, "GV.RR": 3, "GV.PO": 3, "GV.OV": 2, "GV.SC": 2,
    "ID.AM": 3, "ID.RA": 2, "ID.IM": 2,
    "PR.AA": 3, "PR.AT": 2, "PR.DS": 3, "PR.PS": 2, "PR.IR": 2,
    "DE.CM": 3, "DE.AE": 2,
    "RS.MA": 3, "RS.AN": 2, "RS.CO": 2, "RS.MI": 2,
    "RC.RP": 3, "RC.CO": 2,
}  # fmt: skip
CURRENT = {
    "GV.OC": 2, "GV.RM": 1, "GV.RR": 2, "GV.PO": 2, "GV.OV": 1, "GV.SC": 1,
    "ID.AM": 1, "ID.RA": 2, "ID.IM": 1,
    "PR.AA": 2, "PR.AT": 2, "PR.DS": 2, "PR.PS": 2, "PR.IR": 1,
    "DE.CM": 1, "DE.AE": 1,
    "RS.MA": 2, "RS.AN": 1, "RS.CO": 2, "RS.MI": 2,
    "RC.RP": 1, "RC.CO": 2,
}  # fmt: skip
OUT_OF_SCOPE = {
    "PR.PS-06": "We develop no software in-house; our suppliers' development practices are covered under GV.SC.",
    "GV.SC-10": "No supplier relationship ends this year; revisit when the EHR contract is retendered.",
}
NOTES = {
    "PR.AA-03": "Multi-factor sign-in covers staff e-mail and remote access; clinical workstations still use badges only.",
    "DE.CM-01": "Network monitoring covers the data centre; the 14 clinics are not yet onboarded to the SOC.",
    "RC.RP-03": "Backups are immutable since March; the last full restore test of the EHR took 31 hours.",
    "ID.AM-01": "Medical devices are missing from the inventory; the biomedical team keeps its own list.",
}


def _current(code: str, index: int) -> int:
    base = CURRENT[code[:5]]
    return min(3, base + 1) if index % 3 == 0 else base


def seed_profile(organization, people) -> None:
    cio, ciso = people[Role.CIO], people[Role.CISO]
    profile = services.profile_get_or_create(organization=organization)
    outcomes = list(
        ProfileOutcome.objects.filter(profile=profile)
        .select_related("subcategory__category")
        .order_by("subcategory__order")
    )
    if any(o.current_level is not None for o in outcomes):
        return  # seeded already
    for outcome in outcomes:
        code = outcome.subcategory.code
        changes = {"target_level": TARGET[code[:5]], "notes": NOTES.get(code, "")}
        if code in OUT_OF_SCOPE:
            changes.update(in_scope=False, scope_reason=OUT_OF_SCOPE[code])
        services.outcome_update(actor=cio, outcome=outcome, expected_version=None, **changes)
    profile = services.profile_set_tiers(
        actor=ciso,
        profile=profile,
        expected_version=None,
        current_tiers={"GV": 2, "ID": 2, "PR": 2, "DE": 1, "RS": 2, "RC": 2},
        target_tiers={"GV": 3, "ID": 3, "PR": 3, "DE": 3, "RS": 3, "RC": 3},
    )
    services.profile_sign(
        actor=cio, profile=profile, comment="The target we agreed with the board in September."
    )
    services.profile_sign(actor=ciso, profile=profile, comment="Agreed.")
    by_category: dict[str, int] = {}
    for outcome in ProfileOutcome.objects.filter(profile=profile, in_scope=True).select_related(
        "subcategory"
    ):
        code = outcome.subcategory.code
        index = by_category[code[:5]] = by_category.get(code[:5], -1) + 1
        level = _current(code, index)
        if outcome.owner_lens in (OwnerLens.CIO, OwnerLens.JOINT):
            outcome = services.outcome_assess(actor=cio, outcome=outcome, level=level)
        if outcome.owner_lens in (OwnerLens.CISO, OwnerLens.JOINT):
            # On joint outcomes the CISO is more cautious now and then: the divergence shows.
            cautious = outcome.owner_lens == OwnerLens.JOINT and index % 4 == 1
            services.outcome_assess(
                actor=ciso, outcome=outcome, level=max(0, level - 1) if cautious else level
            )
    _link_risks(organization, cio)


def _link_risks(organization, actor) -> None:
    """Each gap of a category that risks are tagged with leaves those risks open (two at most)."""
    risks_by_category: dict[int, list[Risk]] = {}
    for risk in Risk.objects.filter(organization=organization).prefetch_related("csf_categories"):
        for category in risk.csf_categories.all():
            risks_by_category.setdefault(category.pk, []).append(risk)
    gaps = [
        o
        for o in ProfileOutcome.objects.filter(organization=organization).select_related("subcategory")
        if o.is_gap
    ]
    for outcome in gaps[:40]:
        risks = risks_by_category.get(outcome.subcategory.category_id, [])[:2]
        if risks:
            services.outcome_set_risks(actor=actor, outcome=outcome, risks=risks)
