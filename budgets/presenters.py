"""What the proposal page and the PDF show: summary figures turned into tiles,
chart SVGs and item rows. Shared by the page and the PDF so both say the same."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core import charts

from . import selectors
from .fiscal import fiscal_year_dates, fiscal_year_label
from .models import Domain, Kind, ProposalStatus

DOMAIN_COLORS = {Domain.IT: "#2f6fde", Domain.SECURITY: "#c8372d", Domain.JOINT: "#8a4fd8"}
KIND_COLORS = {Kind.CAPEX: "#1aa3b8", Kind.OPEX: "#c98a00"}
STEPS = [
    (ProposalStatus.DRAFT, "Draft"),
    (ProposalStatus.JOINT_REVIEW, "Joint review"),
    (ProposalStatus.SUBMITTED, "With the board"),
    ("decided", "Decided"),
]
STATUS_BADGES = {
    ProposalStatus.DRAFT: "text-bg-secondary",
    ProposalStatus.JOINT_REVIEW: "text-bg-info",
    ProposalStatus.SUBMITTED: "text-bg-primary",
    ProposalStatus.APPROVED: "text-bg-success",
    ProposalStatus.RETURNED: "text-bg-warning",
}


def _money_fmt(currency: str):
    def fmt(value: float) -> str:
        for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= limit:
                return f"{value / limit:.1f}{suffix}"
        return f"{value:,.0f}"

    return fmt


def summary_charts(result: selectors.ProposalSummary, currency: str) -> dict:
    """SVG charts: by domain, CapEx / OpEx, by category, by priority."""
    s = result.summary
    fmt = _money_fmt(currency)
    return {
        "domain": charts.bar_chart(
            [(Domain(k).label, float(v)) for k, v in s.by_domain.items()],
            colors=[DOMAIN_COLORS[Domain(k)] for k in s.by_domain],
            value_format=fmt,
            title=f"Amount by domain ({currency})",
        ),
        "kind": charts.donut(
            [(Kind(k).label, float(v)) for k, v in s.by_kind.items()],
            colors=[KIND_COLORS[Kind(k)] for k in s.by_kind],
            title="CapEx and OpEx",
            center_label=fmt(float(s.total)),
        ),
        "category": charts.bar_chart(
            [(label, float(v)) for label, v in result.category_rows],
            value_format=fmt,
            title=f"Amount by category ({currency})",
        ),
        "priority": charts.bar_chart(
            [(label, float(v)) for label, v in result.priority_rows],
            value_format=fmt,
            colors=["#1d3f72", "#2f6fde", "#9aa5b5"],
            title=f"Amount by priority ({currency})",
        ),
    }


def workflow_steps(status: str) -> list[dict]:
    order = [s for s, _ in STEPS]
    current = "decided" if status in (ProposalStatus.APPROVED, ProposalStatus.RETURNED) else status
    index = order.index(current)
    steps = []
    for i, (code, label) in enumerate(STEPS):
        if code == "decided" and status in (ProposalStatus.APPROVED, ProposalStatus.RETURNED):
            label = "Approved" if status == ProposalStatus.APPROVED else "Returned"
        steps.append({"label": label, "state": "done" if i < index else "current" if i == index else "todo"})
    return steps


def proposal_context(proposal, *, organization) -> dict:
    """Everything the proposal page and the PDF show above the items."""
    result = selectors.proposal_summary_cached(proposal)
    start, end = fiscal_year_dates(proposal.fiscal_year, organization.fiscal_year_start_month)
    return {
        "proposal": proposal,
        "result": result,
        "summary": result.summary,
        "charts": summary_charts(result, organization.currency),
        "currency": organization.currency,
        "fiscal_label": fiscal_year_label(proposal.fiscal_year, organization.fiscal_year_start_month),
        "fiscal_start": start,
        "fiscal_end": end,
        "steps": workflow_steps(proposal.status),
        "status_badge": STATUS_BADGES.get(proposal.status, "text-bg-secondary"),
    }


@dataclass
class ItemRow:
    item: object
    annual_cost: Decimal
    rosi: Decimal | None

    @property
    def rosi_class(self) -> str:
        if self.rosi is None:
            return "text-body-secondary"
        return "rosi-positive" if self.rosi >= 0 else "rosi-negative"


def item_rows(items, amortisation_years: int) -> list[ItemRow]:
    rows = []
    for item in items:
        figures = selectors.item_figures(item, amortisation_years=amortisation_years)
        rows.append(ItemRow(item=item, annual_cost=figures["annual_cost"], rosi=figures["rosi"]))
    return rows
