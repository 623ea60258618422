"""Reads of alignment reports, always through the visibility chokepoint:
the board sees published reports only; drafts are invisible (404) to it."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.formatting import score_change_text, share_text
from core.selectors import is_jointly_approved
from governance.alignment import rules as alignment
from governance.models import ASK_PURPOSE, AlignmentReport, BoardAsk, BuildStatus, ReportStatus
from risks import heatmap

SORTS = {
    "period": "period_end",
    "-period": "-period_end",
    "score": "score",
    "-score": "-score",
    "published": "published_at",
    "-published": "-published_at",
}


def report_list(*, user, organization, status: str = "", sort: str = ""):
    qs = (
        AlignmentReport.objects.visible_to(user)
        .filter(organization=organization)
        .select_related("generated_by", "published_by")
        .defer("snapshot")
    )
    if status in ReportStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by(SORTS.get(sort, "-period_end"), "-pk")


def asks_not_confirmed(report: AlignmentReport) -> list[BoardAsk]:
    """A draft's asks not (yet) confirmed by both executives: publishing leaves them out."""
    asks = BoardAsk.objects.filter(report=report).select_related("proposed_by", "organization")
    return [ask for ask in asks if not is_jointly_approved(ask, ASK_PURPOSE)]


def publish_notes(report: AlignmentReport, *, today=None) -> list[str]:
    """What a director should know before publishing this draft, in plain words:
    decisions that will be left out, and a period that is still running."""
    today = today or timezone.localdate()
    notes = []
    left_out = len(asks_not_confirmed(report))
    if left_out:
        notes.append(
            f"{left_out} decision{'s' if left_out != 1 else ''} not confirmed by both "
            f"will be left out of the report."
        )
    if report.period_end >= today:
        notes.append(
            f"{report.period_label} is still running: the figures are as of today, not the end of the "
            f"period. Once published, this will be the report for {report.period_label}; no other report "
            f"can be made for that period afterwards."
        )
    return notes


def report_get(*, user, organization, pk: int) -> AlignmentReport:
    return get_object_or_404(
        AlignmentReport.objects.visible_to(user)
        .filter(organization=organization)
        .select_related("generated_by", "published_by", "organization"),
        pk=pk,
    )


def report_progress(*, user, organization, pk: int) -> AlignmentReport:
    """The build bookkeeping only (the progress fragment polls this)."""
    return get_object_or_404(
        AlignmentReport.objects.visible_to(user).filter(organization=organization).defer("snapshot"), pk=pk
    )


def reports_building(*, user, organization):
    return list(
        AlignmentReport.objects.visible_to(user)
        .filter(
            organization=organization,
            build_status__in=[BuildStatus.QUEUED, BuildStatus.RUNNING, BuildStatus.FAILED],
            status=ReportStatus.DRAFT,
        )
        .defer("snapshot")
        .order_by("-updated_at")[:3]
    )


def published_trend(*, organization, limit: int = 8) -> list[dict]:
    """Scores of the latest published reports, oldest first (the dashboard's trend)."""
    rows = (
        AlignmentReport.objects.published()
        .filter(organization=organization)
        .order_by("-period_end")
        .values("id", "period_label", "period_end", "score")[:limit]
    )
    return [
        {
            "id": r["id"],
            "label": r["period_label"],
            "period_end": r["period_end"].isoformat(),
            "score": r["score"],
        }
        for r in reversed(list(rows))
    ]


KPI_ROWS_ON_PAGE = 15


def kpi_rows_for_page(kpis: dict, limit: int = KPI_ROWS_ON_PAGE) -> dict:
    """The report page's KPI table: the first ``limit`` items of a snapshot's
    scorecard (stored worst first: red, stale, amber, green) and how many more
    there are. The page stays the same size however many KPIs the organization
    has; the PDF lists them all."""
    items = kpis.get("items") or []
    return {"rows": items[:limit], "more": max(len(items) - limit, 0), "total": len(items)}


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def plain_summary(picture: dict) -> list[str]:
    """The report's opening sentences, in plain words, from a picture or snapshot."""
    score = picture["alignment"]["score"]
    change = picture["alignment"].get("change")
    risks, kpis, budget = picture["risks"], picture["kpis"], picture["budget"]
    raci, intake, decisions = picture["raci"], picture["intake"], picture["decisions"]
    lines = []
    if score is None:
        lines.append("There is not enough data yet to compute an alignment score.")
    else:
        band = {"good": "good", "fair": "fair", "poor": "weak"}[alignment.score_band(score)]
        trend = (
            ""
            if change is None
            else (
                f", {score_change_text(change)} on the previous report"
                if change
                else ", unchanged since the previous report"
            )
        )
        lines.append(f"IT and security alignment is {band} at {score} out of 100{trend}.")
    if risks["open"]:
        lines.append(
            f"{_plural(risks['open'], 'risk is', 'risks are')} open; "
            f"{risks['levels']['critical']} critical and {risks['levels']['high']} high. "
            f"{_plural(risks['above_appetite_count'], 'risk sits', 'risks sit')} above the agreed appetite "
            f"and {_plural(risks['divergent_count'], 'risk is', 'risks are')} still assessed differently by the CIO "
            f"and the CISO."
        )
    if kpis["total"]:
        lines.append(
            f"{kpis['green']} of {kpis['total']} KPIs are on target; {kpis['red']} are red and "
            f"{kpis['stale']} lack a recent measurement."
        )
    if budget["proposal"]:
        share = budget["security_share"]
        share_sentence = (
            f" Security and joint items make up {share_text(share)} of it." if share is not None else ""
        )
        lines.append(
            f"The FY{budget['proposal']['fiscal_year']} budget proposal is at the "
            f"“{budget['proposal']['status'].lower()}” stage.{share_sentence}"
        )
    if raci["activities"]:
        lines.append(
            f"{raci['ok']} of {raci['activities']} activities have clear ownership"
            + (
                f"; {_plural(raci['problem_count'], 'needs', 'need')} attention."
                if raci["problem_count"]
                else "."
            )
        )
    if intake["open"] or intake["decided"]:
        lines.append(
            f"{_plural(intake['open'], 'project request is', 'project requests are')} waiting for a "
            f"decision ({intake['breached']} past the SLA); {intake['decided_on_time']} of "
            f"{intake['decided']} recent decisions were on time."
        )
    if decisions["pending"]:
        lines.append(
            f"{_plural(decisions['pending'], 'joint decision is', 'joint decisions are')} waiting for a "
            f"signature."
        )
    return lines


# ------------------------------------------------------------ presentation ----


def heatmap_rows(drawn: list[list[int]], thresholds) -> list[dict]:
    """A snapshot's heat map (``risks.heatmap.picture``) as the one component's rows."""
    return heatmap.rows(drawn, tuple(thresholds))


def _amount(value) -> float:
    """An amount (text or Decimal in a snapshot) as a float for chart geometry only."""
    return float(Decimal(str(value or 0)))


def _short(part: dict) -> str:
    definition = alignment.DEFINITIONS.get(part["key"])
    return definition.short if definition and definition.short else part["label"]


def picture_charts(picture: dict, *, trend: list[dict], thresholds) -> dict:
    """SVG charts (core.charts) for a live picture or a frozen snapshot: the same
    markup on the dashboard, the report page and the PDF."""
    from core import charts

    score = picture["alignment"]["score"]
    parts = picture["alignment"]["parts"]
    kpis, budget = picture["kpis"], picture["budget"]
    scored = [p for p in trend if p.get("score") is not None]
    by_domain = budget.get("by_domain") or {}
    return {
        "gauge": charts.gauge(score or 0, label="Alignment") if score is not None else "",
        "parts": charts.bar_chart(
            [(_short(p), p["points"] or 0) for p in parts],
            width=560,
            colors=[
                charts.GREEN
                if (p["points"] or 0) >= alignment.GOOD_FROM
                else charts.AMBER
                if (p["points"] or 0) >= alignment.FAIR_FROM
                else charts.RED
                if p["points"] is not None
                else charts.GREY
                for p in parts
            ],
            value_format=lambda v: f"{v:.0f}",
            title="Alignment score by part",
        ),
        # A blank last label keeps the latest period's label clear of the right edge.
        "trend": charts.line_chart(
            [p["label"] for p in scored] + [""],
            {"Alignment score": [p["score"] for p in scored] + [None]},
            y_min=0,
            y_max=100,
            height=220,
            title="Alignment score over time",
            reference_lines=[("Good", alignment.GOOD_FROM, charts.GREEN)],
        )
        if len(scored) >= 2
        else "",
        "sparkline": charts.sparkline([p["score"] for p in scored], label="Alignment score trend"),
        "kpis": charts.donut(
            [
                ("Green", kpis["green"]),
                ("Amber", kpis["amber"]),
                ("Red", kpis["red"]),
                ("Stale", kpis["stale"]),
            ],
            size=150,
            thickness=24,
            colors=[charts.GREEN, charts.AMBER, charts.RED, charts.GREY],
            center_label=f"{kpis['green']}/{kpis['total']}",
            title="KPI status",
        )
        if kpis["total"]
        else "",
        "budget": charts.donut(
            [
                ("IT", _amount(by_domain.get("it"))),
                ("Security", _amount(by_domain.get("security"))),
                ("Joint", _amount(by_domain.get("joint"))),
            ],
            size=150,
            thickness=24,
            colors=[charts.PALETTE[0], charts.PALETTE[4], charts.PALETTE[3]],
            center_label=share_text(budget.get("security_share") or 0),
            title="Budget by domain; centre: security and joint share",
        )
        if _amount(budget.get("total"))
        else "",
        "heatmap": heatmap_rows(picture["risks"]["heatmap"]["inherent"], thresholds),
        "heatmap_residual": heatmap_rows(picture["risks"]["heatmap"]["residual"], thresholds),
    }
