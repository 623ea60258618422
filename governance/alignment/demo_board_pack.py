"""Demo board pack: the headline KPIs chosen jointly (the CIO proposes, the
CISO confirms) and two decisions asked of the board on the current draft,
each proposed by one executive and confirmed by the other."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from budgets.selectors import budget_overview
from core.headline import headline_kpis_choose
from core.roles import Role
from governance.alignment.services import board_ask_propose, board_ask_sign
from governance.models import AlignmentReport, AskKind, BoardAsk
from kpis.models import KPI
from risks.selectors import risks_above_appetite

HEADLINE_KEYS = (
    "service_availability",
    "projects_on_time",
    "mttp_critical",
    "edr_coverage",
    "phishing_click_rate",
    "mfa_coverage",
    "critical_vulns_overdue",
    "backup_restore_success",
)


def seed_headline_kpis(organization, people) -> None:
    ids = list(
        KPI.objects.filter(organization=organization, key__in=HEADLINE_KEYS).values_list("pk", flat=True)
    )
    if not ids or sorted(organization.headline_kpis or []) == sorted(ids):
        return
    headline_kpis_choose(actor=people[Role.CIO], organization=organization, kpi_ids=ids)
    headline_kpis_choose(actor=people[Role.CISO], organization=organization, kpi_ids=ids)


def seed_asks(report: AlignmentReport, people) -> None:
    if BoardAsk.objects.filter(report=report).exists():
        return
    organization = report.organization
    cio, ciso = people[Role.CIO], people[Role.CISO]
    today = timezone.localdate()
    budget = budget_overview(organization)
    if budget["proposal"]:
        ask = board_ask_propose(
            actor=cio,
            report=report,
            kind=AskKind.BUDGET,
            title=f"Approve the FY{budget['proposal']['fiscal_year']} technology budget",
            recommendation="Approve it as proposed: it funds the controls that bring our two highest risks "
            "back within appetite and keeps IT services running.",
            amount=Decimal(budget["total"]),
            deadline=today + timedelta(days=24),
        )
        board_ask_sign(actor=ciso, ask=ask)
    above = risks_above_appetite(organization, 1)
    if above:
        risk = above[0]
        ask = board_ask_propose(
            actor=ciso,
            report=report,
            kind=AskKind.TOLERANCE,
            title=f"Tolerate “{risk.title}” above appetite until its treatment is done",
            recommendation="Tolerate it for six months while the funded treatment is delivered; "
            "we report progress at every board meeting.",
            amount=risk.expected_annual_loss,
            deadline=today + timedelta(days=24),
            risk=risk,
        )
        board_ask_sign(actor=cio, ask=ask)
