"""The board pack's charts (core.charts), drawn from the frozen snapshot and
readable in greyscale print: every bar and point carries its own label and
value, so no colour has to be told apart."""

from __future__ import annotations

from decimal import Decimal

from core import charts
from core.templatetags.concord import money

INK_BAR = "#4a5568"  # one dark grey: the labels, not the colours, tell the bars apart


def pack_charts(snapshot: dict) -> dict:
    trend = [p for p in snapshot.get("trend", []) if p.get("score") is not None]
    budget = snapshot.get("budget") or {}
    by_domain = budget.get("by_domain") or {}
    currency = (snapshot.get("organization") or {}).get("currency", "")
    result = {"trend": "", "budget_bars": ""}
    if len(trend) >= 2:
        result["trend"] = charts.line_chart(
            [p["label"] for p in trend],
            {"Alignment score": [p["score"] for p in trend]},
            y_min=0,
            y_max=100,
            height=220,
            title="Alignment score, report by report (0–100)",
            point_labels=True,
        )
    amounts = [
        ("IT", by_domain.get("it")),
        ("Security", by_domain.get("security")),
        ("Joint", by_domain.get("joint")),
    ]
    if any(Decimal(str(v or 0)) for _, v in amounts):
        result["budget_bars"] = charts.bar_chart(
            [(label, float(Decimal(str(v or 0)))) for label, v in amounts],
            width=560,
            label_width=90,
            value_width=130,
            colors=[INK_BAR],
            value_format=lambda v: money(v, currency),
            title="Budget asked by side",
        )
    return result
