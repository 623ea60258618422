"""Demo alignment reports: four published quarters and a draft of the current
one, so the trend on the dashboard and in the report room is visible.

The draft is built for real from the demo data. Each earlier quarter is built
from the data as it stood at that quarter's end wherever Concord keeps dated
data: the KPI scorecard and the headline KPIs from the measurements of periods
up to then, the budget from the proposal of that fiscal year, the decisions
taken and the risks accepted by then. What Concord keeps no history of (the
risk assessments, the ownership matrix, the intake queue) is taken from today
with fewer things in good shape the further back they go. Every score is
computed by the alignment method from those inputs, and the reasons for each
change from two such snapshots. Safe to run twice.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from budgets.models import Proposal, ProposalStatus
from core.models import SignOff
from core.roles import Role
from core.services import record_creation
from governance.alignment import rules as alignment
from governance.alignment import services
from governance.alignment.demo_board_pack import seed_asks, seed_headline_kpis
from governance.alignment.reasons import reasons_rest, score_reasons
from governance.alignment.selectors.board_pack import pack_sentences
from governance.alignment.selectors.dashboard import budget_section, kpi_section
from governance.alignment.selectors.reports import plain_summary
from governance.models import AlignmentReport, BuildStatus, ReportStatus
from kpis import selectors as kpi_selectors
from kpis import status as periods
from kpis.services import computed_kpis_refresh

# How much of today's "good" was already in place, oldest quarter first (for
# the parts Concord keeps no history of).
HISTORY = (0.55, 0.68, 0.8, 0.9)
COMPUTED_KPI_MONTHS = 15  # the computed KPIs' history, back to the oldest quarter


def _fewer(good: int, share: float) -> int:
    """How many of ``good`` things were not yet good back then."""
    return round(good * (1 - share))


def _earlier_inputs(inputs: dict, share: float, *, kpis: dict, budget: dict) -> dict:
    past = copy.deepcopy(inputs)
    a = past["agreement"]
    a["divergent"] += _fewer(a["open_risks"] - a["divergent"] - a["not_assessed"], share)
    r = past["accountability"]
    r["gaps"] += _fewer(r["activities"] - r["gaps"] - r["overlaps"], share)
    d = past["latency"]
    d["decided_on_time"] -= _fewer(d["decided_on_time"], share)
    # Dated data: the scorecard and the budget as they stood.
    past["kpis"] = {k: kpis[k] for k in ("green", "amber", "red", "stale")}
    past["linkage"] = {"security_budget": budget["security_total"], "linked_budget": budget["linked_total"]}
    return past


def _fiscal_year(day: date) -> int:
    """The fiscal year a quarter plans for: the next one once its last quarter starts."""
    return day.year + 1 if day.month >= 10 else day.year


def _stamp(day: date) -> str:
    return timezone.make_aware(datetime.combine(day, datetime.min.time())).isoformat()


def _earlier_snapshot(
    current: dict,
    *,
    organization,
    share: float,
    start: date,
    end: date,
    label: str,
    trend: list,
    previous_snapshot: dict | None,
) -> dict:
    snapshot = copy.deepcopy(current)
    snapshot["kpis"] = kpi_section(organization=organization, user=None, as_of=end)
    snapshot["budget"] = budget_section(organization=organization, user=None, fiscal_year=_fiscal_year(end))
    inputs = _earlier_inputs(
        current["alignment"]["inputs"], share, kpis=snapshot["kpis"], budget=snapshot["budget"]
    )
    snapshot["alignment"] = alignment.compute(**inputs).as_dict() | {"inputs": inputs}
    score = snapshot["alignment"]["score"]
    previous = trend[-1]["score"] if trend else None
    snapshot["alignment"]["change"] = alignment.score_change(score, previous)
    snapshot["period"] = {"start": start.isoformat(), "end": end.isoformat(), "label": label}
    snapshot["trend"] = [
        *trend,
        {"label": label, "period_end": end.isoformat(), "score": score, "current": True},
    ]
    snapshot["built_at"] = _stamp(end + timedelta(days=3))
    # Keep the section counts in line with the inputs the score was computed from.
    snapshot["risks"]["divergent_count"] = inputs["agreement"]["divergent"]
    snapshot["raci"]["gaps"] = inputs["accountability"]["gaps"]
    snapshot["raci"]["ok"] = (
        inputs["accountability"]["activities"]
        - inputs["accountability"]["gaps"]
        - inputs["accountability"]["overlaps"]
    )
    snapshot["raci"]["problem_count"] = snapshot["raci"]["activities"] - snapshot["raci"]["ok"]
    snapshot["intake"]["decided_on_time"] = inputs["latency"]["decided_on_time"]
    snapshot["summary"] = plain_summary(snapshot)
    if "pack" in snapshot:  # that quarter's own pack, compared with its predecessor
        pack = snapshot["pack"]
        before = previous_snapshot or {}
        since = (before.get("period") or {}).get("end", "")
        headline_ids = [k["id"] for k in pack["headline_kpis"]["items"]]
        pack.update(
            as_of=end.isoformat(),
            to_date=False,
            previous={"label": trend[-1]["label"], "score": previous, "built_at": before.get("built_at")}
            if trend
            else None,
            reasons=score_reasons(before.get("alignment"), snapshot["alignment"]),
            asks=[],  # nothing was asked of the board in the demo's earlier quarters
            taken=[t for t in pack["taken"] if since < (t["on"] or "") <= end.isoformat()],
            accepted=[r for r in pack["accepted"] if r["accepted_on"] <= end.isoformat() <= r["until"]],
        )
        # One truth: the count the appendix shows is the list the pack shows, as of that quarter.
        snapshot["risks"]["accepted"] = len(pack["accepted"])
        pack["headline_kpis"]["items"] = kpi_selectors.kpi_headline(organization, headline_ids, as_of=end)
        pack["reasons_rest"] = reasons_rest(snapshot["alignment"]["change"], pack["reasons"])
        pack["sentences"] = pack_sentences(snapshot, pack)
    return snapshot


def _backdate_budget_decisions(organization, today: date) -> None:
    """The demo's earlier fiscal years were submitted and decided in their time,
    not on the day the demo was seeded."""
    for proposal in Proposal.objects.filter(organization=organization, fiscal_year__lt=_fiscal_year(today)):
        submitted = date(proposal.fiscal_year - 1, 11, 14)
        changes = {"submitted_at": _stamp(submitted)}
        if proposal.status in (ProposalStatus.APPROVED, ProposalStatus.RETURNED):
            changes["decided_at"] = _stamp(submitted + timedelta(days=28))
        Proposal.objects.filter(pk=proposal.pk).update(**changes)
        # Their joint submission was signed then too, not on the day the demo was seeded.
        SignOff.objects.filter(
            content_type=ContentType.objects.get_for_model(Proposal), object_id=proposal.pk
        ).update(signed_at=_stamp(submitted - timedelta(days=1)))


@transaction.atomic
def seed_reports(organization, people) -> None:
    if AlignmentReport.objects.filter(organization=organization).exists():
        return
    today = timezone.localdate()
    # The KPIs Concord computes, with their history (the worker would only fill today's).
    computed_kpis_refresh(organization=organization, back=COMPUTED_KPI_MONTHS)
    _backdate_budget_decisions(organization, today)
    # The headline KPIs the CIO and the CISO chose (demo_board_pack), before any report.
    seed_headline_kpis(organization, people)
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
            organization=organization,
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
    # The decisions asked of the board on the draft (demo_board_pack).
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
