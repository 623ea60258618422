"""Data for the dashboard and report tests, written straight to the models of
the apps the alignment engine reads (risks, KPIs, budget, RACI, intake), so
these tests do not depend on the other apps' services or factories."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from budgets.models import BudgetItem, ItemRiskLink, Proposal, ProposalStatus
from governance.models import (
    AlignmentReport,
    BuildStatus,
    IntakeRequest,
    RaciActivity,
    RaciAssignment,
    RaciParty,
    ReportStatus,
)
from kpis.models import KPI, Measurement
from kpis.status import latest_expected_period
from risks.models import Risk, RiskStatus


def make_risk(
    org,
    owner,
    *,
    number: int,
    cio: tuple[int, int] | None = (3, 3),
    ciso: tuple[int, int] | None = (3, 3),
    agreed: bool = False,
    status: str = RiskStatus.ASSESSED,
    title: str = "",
    eal=None,
) -> Risk:
    cio_score = cio[0] * cio[1] if cio else None
    ciso_score = ciso[0] * ciso[1] if ciso else None
    lens = max([x for x in (cio, ciso) if x], key=lambda x: x[0] * x[1], default=None)
    return Risk.objects.create(
        organization=org,
        number=number,
        reference=f"R-{number:03d}",
        title=title or f"Risk number {number}",
        impact_statement=f"If risk {number} happens, patients wait longer for care.",
        category="cyber_attack",
        origin="joint",
        owner=owner,
        status=status,
        cio_score=cio_score,
        ciso_score=ciso_score,
        is_agreed=agreed,
        inherent_likelihood=lens[0] if lens else None,
        inherent_impact=lens[1] if lens else None,
        inherent_score=lens[0] * lens[1] if lens else None,
        residual_likelihood=2 if lens else None,
        residual_impact=2 if lens else None,
        residual_score=4 if lens else None,
        expected_annual_loss=Decimal(eal) if eal is not None else None,
    )


def make_kpi(org, *, name: str, value=None, stale: bool = False, frequency: str = "monthly") -> KPI:
    """A higher-is-better KPI with target 95, warning 90, critical 80."""
    kpi = KPI.objects.create(
        organization=org,
        name=name,
        target=Decimal(95),
        warning=Decimal(90),
        critical=Decimal(80),
        frequency=frequency,
        direction="higher",
        unit="percent",
    )
    if value is not None:
        period = latest_expected_period(timezone.localdate(), frequency)
        if stale:
            period = period.replace(year=period.year - 1)
        Measurement.objects.create(organization=org, kpi=kpi, period=period, value=Decimal(value))
    return kpi


def make_budget(
    org,
    *,
    security: int,
    linked: int,
    it: int = 0,
    risk: Risk | None = None,
    status: str = ProposalStatus.DRAFT,
    fiscal_year: int = 2027,
) -> Proposal:
    proposal = Proposal.objects.create(
        organization=org, fiscal_year=fiscal_year, title=f"FY{fiscal_year} budget", status=status
    )
    if it:
        BudgetItem.objects.create(
            organization=org,
            proposal=proposal,
            title="Laptops",
            domain="it",
            category="hardware",
            kind="capex",
            amount=Decimal(it),
        )
    if linked:
        item = BudgetItem.objects.create(
            organization=org,
            proposal=proposal,
            title="EDR rollout",
            domain="security",
            category="software",
            kind="opex",
            amount=Decimal(linked),
        )
        if risk is not None:
            ItemRiskLink.objects.create(
                organization=org, item=item, risk=risk, loss_before=Decimal(1000), loss_after=Decimal(100)
            )
    if security - linked:
        BudgetItem.objects.create(
            organization=org,
            proposal=proposal,
            title="Awareness training",
            domain="joint",
            category="people",
            kind="opex",
            amount=Decimal(security - linked),
        )
    return proposal


def make_raci(org, *, clean: int, gaps: int = 0, overlaps: int = 0) -> None:
    cio = RaciParty.objects.create(organization=org, name="CIO", kind="cio", position=1)
    ciso = RaciParty.objects.create(organization=org, name="CISO", kind="ciso", position=2)
    ops = RaciParty.objects.create(organization=org, name="IT operations", kind="it_operations", position=3)
    index = 0
    for letters, count in (
        (((cio, "A"), (ops, "R")), clean),
        ((((ops, "R"),), gaps)),
        ((((cio, "A"), (ciso, "A"), (ops, "R")), overlaps)),
    ):
        for _ in range(count):
            index += 1
            activity = RaciActivity.objects.create(organization=org, name=f"Activity {index}", position=index)
            for party, letter in letters:
                RaciAssignment.objects.create(organization=org, activity=activity, party=party, letter=letter)


def make_intake(
    org,
    requester,
    *,
    number: int,
    days_ago: float,
    status: str = "submitted",
    sla_days: int = 5,
    decided_after: float | None = None,
    proposed_decision: str = "",
) -> IntakeRequest:
    from governance.intake.services import intake_sla_refresh

    submitted = timezone.now() - timedelta(days=days_ago)
    request = IntakeRequest.objects.create(
        organization=org,
        reference=f"IN-{number:03d}",
        title=f"Project {number}",
        description="A new portal.",
        business_value="Fewer calls.",
        sponsor="COO",
        requester=requester,
        sla_days=sla_days,
        status=status,
        submitted_at=submitted,
        proposed_decision=proposed_decision,
        decided_at=submitted + timedelta(days=decided_after) if decided_after is not None else None,
    )
    # Created directly, not through the services: fill the stored SLA moments as they would.
    intake_sla_refresh(organization=org, requests=[request])
    request.refresh_from_db()
    return request


def populate(org, people, *, size: int = 1) -> None:
    """A realistic organization; ``size`` multiplies the number of rows."""
    owner = people["cio"]
    base = 0
    for n in range(size):
        make_risk(
            org,
            owner,
            number=base + 1,
            cio=(5, 5),
            ciso=(5, 4),
            title=f"Ransomware on clinical systems {n}",
            eal=250000,
        )
        make_risk(org, owner, number=base + 2, cio=(2, 2), ciso=(4, 4), title=f"Legacy lab system {n}")
        make_risk(org, owner, number=base + 3, cio=(3, 3), ciso=None)
        make_risk(org, owner, number=base + 4, cio=(1, 2), ciso=(1, 2), status=RiskStatus.CLOSED)
        base += 4
        make_kpi(org, name=f"Availability {n}", value=99)
        make_kpi(org, name=f"EDR coverage {n}", value=92)  # amber: missed, inside the warning line
        make_kpi(org, name=f"Patch time {n}", value=70)
        make_kpi(org, name=f"Phishing {n}")
        make_intake(org, people["contributor"], number=3 * n + 1, days_ago=1)
        make_intake(
            org,
            people["contributor"],
            number=3 * n + 2,
            days_ago=30,
            status="in_review",
            proposed_decision="approved",
        )
        make_intake(
            org, people["contributor"], number=3 * n + 3, days_ago=20, status="approved", decided_after=2
        )
    make_raci(org, clean=3 * size, gaps=size, overlaps=size)
    make_budget(
        org,
        security=400000,
        linked=100000,
        it=600000,
        risk=Risk.objects.filter(organization=org).first(),
        status=ProposalStatus.JOINT_REVIEW,
    )


def make_report(
    org,
    *,
    label: str,
    start,
    end,
    score: int | None = 60,
    status: str = ReportStatus.PUBLISHED,
    snapshot: dict | None = None,
) -> AlignmentReport:
    return AlignmentReport.objects.create(
        organization=org,
        period_start=start,
        period_end=end,
        period_label=label,
        status=status,
        score=score,
        snapshot=snapshot or {},
        build_status=BuildStatus.READY,
        build_progress=100,
        published_at=timezone.now() if status == ReportStatus.PUBLISHED else None,
    )
