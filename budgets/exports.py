"""Exports of a proposal: an XLSX workbook (items and summary sheets, plain
numbers with currency formatting, no formulas) and the board-ready PDF's context."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch
from django.utils import timezone

from core.tabular import Sheet, xlsx_bytes

from . import presenters, selectors
from .models import ItemRiskLink, Priority

ITEM_HEADERS = [
    "Title",
    "Domain",
    "Category",
    "CapEx / OpEx",
    "Priority",
    "Amount",
    "Annual cost",
    "Loss avoided per year",
    "ROSI (%)",
    "Risks reduced",
    "Chosen option",
    "Mitigation",
    "Justification",
]
MONEY_ITEM_COLUMNS = (5, 6, 7)


def _items_for_export(proposal):
    """All items with figures and risk links (with their risks): three queries."""
    qs = selectors.items_with_figures(proposal.items.select_related("mitigation"))
    qs = qs.prefetch_related(Prefetch("risk_links", ItemRiskLink.objects.select_related("risk")))
    return list(qs.order_by("priority_rank", "-amount", "pk"))


def _percent(ratio):
    return None if ratio is None else (ratio * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def item_sheet(proposal, items) -> Sheet:
    rows = []
    for row in presenters.item_rows(items, proposal.amortisation_years):
        item = row.item
        rows.append(
            [
                item.title,
                item.get_domain_display(),
                item.get_category_display(),
                item.get_kind_display(),
                item.get_priority_display(),
                item.amount,
                row.annual_cost,
                item.loss_avoided,
                _percent(row.rosi),
                ", ".join(link.risk.reference for link in item.risk_links.all()),
                item.chosen_option_name or "",
                item.mitigation.title if item.mitigation else "",
                item.justification,
            ]
        )
    return Sheet(
        "Items",
        ITEM_HEADERS,
        rows,
        money_columns=MONEY_ITEM_COLUMNS,
        widths=(40, 10, 12, 12, 12, 16, 16, 20, 10, 20, 24, 30, 60),
    )


def summary_sheet(proposal, result: selectors.ProposalSummary, organization) -> Sheet:
    s = result.summary
    rows = [
        ["Organization", organization.name],
        ["Fiscal year", f"FY{proposal.fiscal_year}"],
        ["Status", proposal.get_status_display()],
        ["Version", proposal.version],
        ["Total", s.total],
        [f"Annual cost (CapEx over {proposal.amortisation_years} years)", s.annual_cost],
        ["Cost avoidance per year", s.cost_avoidance],
        ["Portfolio return (ROSI, %)", _percent(s.portfolio_rosi)],
        ["Security share of the technology budget (%)", _percent(s.security_share)],
        ["Must-haves not funded", s.unfunded_musts],
        ["Previous year total", result.previous_total],
        ["Change against previous year", result.change.delta if result.change else None],
    ]
    rows += [[f"Domain: {label}", amount] for label, _, amount, _ in result.domain_rows]
    rows += [[f"Kind: {label}", amount] for label, amount in result.kind_rows]
    rows += [[f"Category: {label}", amount] for label, amount in result.category_rows]
    rows += [[f"Priority: {label}", amount] for label, amount in result.priority_rows]
    return Sheet("Summary", ["Figure", "Value"], rows, widths=(46, 22))


MONEY_SUMMARY_LABELS = (
    "Total",
    "Cost avoidance per year",
    "Previous year total",
    "Change against previous year",
)
MONEY_SUMMARY_PREFIXES = ("Annual cost", "Domain:", "Kind:", "Category:", "Priority:")


def proposal_xlsx(proposal) -> bytes:
    organization = proposal.organization
    items = _items_for_export(proposal)
    result = selectors.proposal_summary(proposal)
    return _format_summary(
        xlsx_bytes(
            [item_sheet(proposal, items), summary_sheet(proposal, result, organization)],
            currency=organization.currency,
        ),
        organization.currency,
    )


def _format_summary(data: bytes, currency: str) -> bytes:
    """Give the summary sheet's money rows the currency format: core formats whole
    columns, and this sheet's value column mixes text, counts and money."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    ws = workbook["Summary"]
    money_format = f'#,##0.00 "{currency}"'
    for label, value in ws.iter_rows(min_row=2, max_col=2):
        text = str(label.value or "")
        if text in MONEY_SUMMARY_LABELS or text.startswith(MONEY_SUMMARY_PREFIXES):
            value.number_format = money_format
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def pdf_context(proposal) -> dict:
    """The board-ready PDF: cover, contents, summary with charts, items by
    priority, the risks each item addresses, and the sign-offs."""
    organization = proposal.organization
    items = _items_for_export(proposal)
    rows = presenters.item_rows(items, proposal.amortisation_years)
    groups = [(label, [r for r in rows if r.item.priority == code]) for code, label in Priority.choices]
    context = presenters.proposal_context(proposal, organization=organization)
    signatures, signoff_history = selectors.proposal_signoffs(proposal)
    state_label, state_date = selectors.proposal_state_date(proposal)  # the date of its current state
    context.update(
        state_label=state_label,
        state_date=state_date,
        org=organization,
        groups=groups,
        rows=rows,
        generated_at=timezone.now(),
        linked_rows=[r for r in rows if r.item.risk_links.all()],
        signature_rows=[("CIO", signatures.cio), ("CISO", signatures.ciso)],
        signoff_history=signoff_history,
    )
    return context
