"""Demo alignment reports: four published quarters and a draft of the current
one, so the trend on the dashboard and in the report room is visible.

The draft is built for real from the demo data. The four earlier quarters are
derived from it with fewer things in good shape the further back they go
(more divergent risks, more ownership gaps, fewer green KPIs…), and their
scores are recomputed from those inputs, so every figure stays consistent
with the alignment method. Safe to run twice.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.money import money_text
from core.roles import Role
from core.services import record_creation
from governance.alignment import rules as alignment
from governance.alignment import services
from governance.alignment.demo_board_pack import seed_asks, seed_headline_kpis
from governance.alignment.reasons import reasons_rest, score_reasons
from governance.alignment.selectors.board_pack import pack_sentences
from governance.alignment.selectors.reports import plain_summary
from governance.models import AlignmentReport, BuildStatus, ReportStatus
from kpis import status as periods

# How much of today's "good" was already in place, oldest quarter first.
HISTORY = (0.55, 0.68, 0.8, 0.9)


def _fewer(good: int, share: float) -> int:
    """How many of ``good`` things were not yet good back then."""
    return round(good * (1 - share))


def _earlier_inputs(inputs: dict, share: float) -> dict:
    past = copy.deepcopy(inputs)
    a = past["agreement"]
    a["divergent"] += _fewer(a["open_risks"] - a["divergent"] - a["not_assessed"], share)
    r = past["accountability"]
    r["gaps"] += _fewer(r["activities"] - r["gaps"] - r["overlaps"], share)
    k = past["kpis"]
    moved = _fewer(k["green"], share)
    k["green"], k["red"] = k["green"] - moved, k["red"] + moved
    d = past["latency"]
    d["decided_on_time"] -= _fewer(d["decided_on_time"], share)
    b = past["linkage"]
    b["linked_budget"] = money_text(Decimal(str(b["linked_budget"])) * Decimal(str(share)))
    return past


def _earlier_snapshot(
    current: dict, *, share: float, start, end, label: str, trend: list, previous_snapshot: dict | None
) -> dict:
    snapshot = copy.deepcopy(current)
    inputs = _earlier_inputs(current["alignment"]["inputs"], share)
    snapshot["alignment"] = alignment.compute(**inputs).as_dict() | {"inputs": inputs}
    score = snapshot["alignment"]["score"]
    previous = trend[-1]["score"] if trend else None
    snapshot["alignment"]["change"] = alignment.score_change(score, previous)
    snapshot["period"] = {"start": start.isoformat(), "end": end.isoformat(), "label": label}
    snapshot["trend"] = [
        *trend,
        {"label": label, "period_end": end.isoformat(), "score": score, "current": True},
    ]
    snapshot["built_at"] = timezone.make_aware(
        timezone.datetime.combine(end + timedelta(days=3), timezone.datetime.min.time())
    ).isoformat()
    # Keep the section counts in line with the inputs the score was computed from.
    snapshot["risks"]["divergent_count"] = inputs["agreement"]["divergent"]
    snapshot["raci"]["gaps"] = inputs["accountability"]["gaps"]
    snapshot["raci"]["ok"] = (
        inputs["accountability"]["activities"]
        - inputs["accountability"]["gaps"]
        - inputs["accountability"]["overlaps"]
    )
    snapshot["raci"]["problem_count"] = snapshot["raci"]["activities"] - snapshot["raci"]["ok"]
    snapshot["kpis"].update(green=inputs["kpis"]["green"], red=inputs["kpis"]["red"])
    turned = current["kpis"]["green"] - inputs["kpis"]["green"]
    for item in reversed(snapshot["kpis"]["items"]):
        if turned and item["status"] == "green":
            item["status"], turned = "red", turned - 1
    snapshot["intake"]["decided_on_time"] = inputs["latency"]["decided_on_time"]
    snapshot["budget"]["linked_total"] = inputs["linkage"]["linked_budget"]
    snapshot["summary"] = plain_summary(snapshot)
    if "pack" in snapshot:  # that quarter's own pack: compared with its predecessor, decided nothing new
        pack = snapshot["pack"]
        before = previous_snapshot or {}
        pack.update(
            as_of=end.isoformat(),
            to_date=False,
            previous={"label": trend[-1]["label"], "score": previous, "built_at": before.get("built_at")}
            if trend
            else None,
            reasons=score_reasons(before.get("alignment"), snapshot["alignment"]),
            asks=[],
            taken=[],
        )
        pack["reasons_rest"] = reasons_rest(snapshot["alignment"]["change"], pack["reasons"])
        pack["sentences"] = pack_sentences(snapshot, pack)
    return snapshot


@transaction.atomic
def seed_reports(organization, people) -> None:
    if AlignmentReport.objects.filter(organization=organization).exists():
        return
    today = timezone.localdate()
    start, end, label = services.current_period("quarterly", today)
    draft = services.report_request(
        actor=people[Role.CIO],
        organization=organization,
        period_start=start,
        period_end=end,
        period_label=label,
        enqueue=False,
    )
    draft = services.report_build(report_id=draft.pk)
    current = draft.snapshot
    quarters = [periods.shift_period(start, "quarterly", -n) for n in range(len(HISTORY), 0, -1)]
    trend: list[dict] = []
    previous_snapshot = None
    for share, q_start in zip(HISTORY, quarters, strict=True):
        q_end, q_label = periods.period_end(q_start, "quarterly"), periods.period_label(q_start, "quarterly")
        snapshot = _earlier_snapshot(
            current,
            share=share,
            start=q_start,
            end=q_end,
            label=q_label,
            trend=trend,
            previous_snapshot=previous_snapshot,
        )
        previous_snapshot = snapshot
        publisher = people[Role.CIO] if len(trend) % 2 == 0 else people[Role.CISO]
        published_at = timezone.make_aware(
            timezone.datetime.combine(q_end + timedelta(days=10), timezone.datetime.min.time())
        )
        report = AlignmentReport(
            organization=organization,
            period_start=q_start,
            period_end=q_end,
            period_label=q_label,
            status=ReportStatus.PUBLISHED,
            snapshot=snapshot,
            score=snapshot["alignment"]["score"],
            scheduled=True,
            generated_at=published_at - timedelta(days=7),
            published_by=publisher,
            published_at=published_at,
            build_status=BuildStatus.READY,
            build_progress=100,
            build_step="Ready",
            build_attempts=1,
        )
        record_creation(report, actor=publisher)
        trend.append({"label": q_label, "period_end": q_end.isoformat(), "score": report.score})
    # The headline KPIs and the decisions asked of the board (demo_board_pack).
    seed_headline_kpis(organization, people)
    seed_asks(draft, people)
    # The draft was built first; rebuild it so its trend includes the quarters above.
    services.report_request(
        actor=people[Role.CIO],
        organization=organization,
        period_start=start,
        period_end=end,
        period_label=label,
        enqueue=False,
    )
    services.report_build(report_id=draft.pk)
