"""Scale data for the risk register: risks with both lenses' assessments (some
agreed), their mapping to NIST CSF 2.0 and Annex A, and mitigations."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from .base import Ctx, OrgPeople, bulk

THEMES = (
    "Ransomware on",
    "Outage of",
    "Data leak from",
    "Unpatched",
    "Vendor failure at",
    "Misconfigured",
    "End-of-life",
    "Insider misuse of",
    "Phishing against",
    "Capacity shortfall in",
)
ASSETS = (
    "the ERP platform",
    "the payments gateway",
    "the customer portal",
    "the data warehouse",
    "the identity provider",
    "the core network",
    "the HR system",
    "the mobile app",
    "the backup vault",
    "the email service",
    "the CRM",
    "the billing engine",
)
OPEN_STATUSES = ("assessed", "treatment_planned", "in_treatment")
MITIGATION_STATUSES = ("planned", "in_progress", "done", "cancelled")


def seed(ctx: Ctx, people: OrgPeople, *, risks: int, mitigations: int) -> dict:
    from risks.models import AnnexAControl, CsfCategory, Risk, RiskCounter

    rng, org = ctx.rng, people.org
    owners = people.owners
    built = [_risk(ctx, org, number, rng.choice(owners)) for number in range(1, risks + 1)]
    lenses = [_lenses(ctx, risk) for risk in built]
    for risk, (cio, ciso, agreed) in zip(built, lenses, strict=True):
        _derive_scores(risk, cio, ciso, agreed)
    created = bulk(Risk, built)
    RiskCounter.objects.create(organization=org, last_number=risks)
    _assessments(ctx, people, created, lenses)
    csf = list(CsfCategory.objects.values_list("pk", flat=True))
    annex = list(AnnexAControl.objects.values_list("pk", flat=True))
    _mappings(ctx, created, csf, annex)
    _mitigations(ctx, people, created, mitigations)
    return {
        "risks": len(created),
        "assessments": 2 * len(created) + sum(1 for x in lenses if x[2]),
        "mitigations": mitigations,
    }


def _risk(ctx: Ctx, org, number: int, owner):
    from risks.models import Origin, Risk, RiskCategory

    rng = ctx.rng
    status = rng.choices(OPEN_STATUSES + ("closed",), weights=(45, 25, 20, 10))[0]
    treating = status in ("treatment_planned", "in_treatment")
    risk = Risk(
        organization=org,
        number=number,
        reference=f"R-{number:03d}",
        title=f"{rng.choice(THEMES)} {rng.choice(ASSETS)} ({number})",
        impact_statement="Customers cannot be served and revenue is lost while it lasts.",
        category=rng.choice(RiskCategory.values),
        origin=rng.choice(Origin.values),
        owner=owner,
        status=status,
        treatment="mitigate" if treating else rng.choice(("", "", "transfer", "avoid")),
        due_date=ctx.today + timedelta(days=rng.randint(-60, 365)) if treating else None,
        next_review_date=ctx.today + timedelta(days=rng.randint(-30, 180)),
        affected_services=", ".join(rng.sample(("Billing", "Claims", "Payroll", "Web shop", "Support"), 2)),
    )
    if rng.random() < 0.3:
        low = Decimal(rng.randint(1, 50) * 10_000)
        risk.loss_low, risk.loss_most_likely, risk.loss_high = low, low * 3, low * 10
        risk.events_per_year = Decimal(rng.choice(("0.100", "0.250", "0.500", "1.000", "2.000")))
        risk.expected_annual_loss = risk.compute_expected_annual_loss()
    return risk


def _pair(rng) -> tuple[int, int, int, int]:
    """Inherent likelihood and impact, and a residual that is never worse."""
    li, im = rng.randint(1, 5), rng.randint(1, 5)
    return li, im, rng.randint(1, li), rng.randint(1, im)


def _lenses(ctx: Ctx, risk) -> tuple[tuple, tuple, tuple | None]:
    rng = ctx.rng
    cio, ciso = _pair(rng), _pair(rng)
    agreed = _pair(rng) if rng.random() < 0.1 else None
    return cio, ciso, agreed


def _derive_scores(risk, cio: tuple, ciso: tuple, agreed: tuple | None) -> None:
    """What ``risks.services.refresh_scores`` stores, from the same pure functions."""
    from risks import scoring

    def rating(values, residual=False):
        if values is None:
            return None
        return scoring.Rating(values[2], values[3]) if residual else scoring.Rating(values[0], values[1])

    inherent = scoring.current(rating(cio), rating(ciso), rating(agreed))
    residual = scoring.current(rating(cio, True), rating(ciso, True), rating(agreed, True))
    risk.cio_score = rating(cio).score
    risk.ciso_score = rating(ciso).score
    risk.is_agreed = agreed is not None
    risk.inherent_likelihood, risk.inherent_impact, risk.inherent_score = (
        inherent.likelihood,
        inherent.impact,
        inherent.score,
    )
    risk.residual_likelihood, risk.residual_impact, risk.residual_score = (
        residual.likelihood,
        residual.impact,
        residual.score,
    )


def _assessments(ctx: Ctx, people: OrgPeople, risks: list, lenses: list) -> None:
    from risks.models import Assessment, Lens

    cio, ciso = people.one("cio"), people.one("ciso")
    now = timezone.now()
    rows = []
    for risk, (c, s, agreed) in zip(risks, lenses, strict=True):
        for lens, values, who in ((Lens.CIO, c, cio), (Lens.CISO, s, ciso)):
            rows.append(_assessment(risk, lens, values, who, now))
        if agreed:
            row = _assessment(risk, Lens.AGREED, agreed, cio, now)
            row.proposed_role, row.confirmed_by, row.confirmed_at = "cio", ciso, now
            rows.append(row)
    bulk(Assessment, rows)


def _assessment(risk, lens, values, who, now):
    from risks.models import Assessment

    return Assessment(
        organization_id=risk.organization_id,
        risk=risk,
        lens=lens,
        inherent_likelihood=values[0],
        inherent_impact=values[1],
        residual_likelihood=values[2],
        residual_impact=values[3],
        rationale="Based on last quarter's incident and audit findings.",
        assessed_by=who,
        assessed_at=now,
    )


def _mappings(ctx: Ctx, risks: list, csf: list[int], annex: list[int]) -> None:
    from risks.models import Risk

    rng = ctx.rng
    if csf:
        through = Risk.csf_categories.through
        bulk(through, (through(risk_id=r.pk, csfcategory_id=c) for r in risks for c in rng.sample(csf, 2)))
    if annex:
        through = Risk.annex_a_controls.through
        bulk(through, (through(risk_id=r.pk, annexacontrol_id=rng.choice(annex)) for r in risks))


def _mitigations(ctx: Ctx, people: OrgPeople, risks: list, count: int) -> None:
    from risks.models import Mitigation

    rng = ctx.rng
    treated = [r for r in risks if r.status in ("treatment_planned", "in_treatment")] or risks
    rows = []
    for i in range(count):
        status = rng.choices(MITIGATION_STATUSES, weights=(40, 35, 20, 5))[0]
        rows.append(
            Mitigation(
                organization_id=people.org.pk,
                risk=treated[i % len(treated)],
                title=f"Mitigation {i + 1}",
                description="Harden, monitor and test.",
                owner=rng.choice(people.owners),
                status=status,
                due_date=ctx.today + timedelta(days=rng.randint(-30, 300)),
                cost=Decimal(rng.randint(5, 500) * 1000),
                completed_on=ctx.today if status == "done" else None,
            )
        )
    bulk(Mitigation, rows)
