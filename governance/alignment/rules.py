"""The alignment score: how well IT and security govern together, 0–100.

Pure functions on plain numbers (no database), so the score is easy to test
and to explain. The score is a weighted blend of five parts; each part is a
ratio between 0 and 1 of "things in good shape" over "things that count":

==========================  ======  ===============================================
part                        weight  good / counted
==========================  ======  ===============================================
assessment agreement         25 %   open risks both lenses assessed without a
                                    divergence / open risks
accountability coverage      20 %   activities with exactly one A and at least
                                    one R / activities in the RACI matrix
KPI health                   20 %   green KPIs (amber counts half; red and stale
                                    count nothing) / KPIs on the scorecard
decision latency             20 %   decisions taken within their SLA plus pending
                                    ones still inside it / all decisions
budget-to-risk linkage       15 %   security and joint budget on items tied to a
                                    risk / all security and joint budget
==========================  ======  ===============================================

A part with nothing to count (no risks yet, no KPIs…) is *not measured*: it is
left out and the weights of the others are scaled up so they still sum to
100 %. With nothing measured at all there is no score (``None``) rather than a
misleading 0 or 100.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal

AGREEMENT = "assessment_agreement"
ACCOUNTABILITY = "accountability_coverage"
KPI_HEALTH = "kpi_health"
LATENCY = "decision_latency"
LINKAGE = "budget_risk_linkage"


@dataclass(frozen=True)
class PartDefinition:
    key: str
    label: str
    weight: float
    short: str  # for chart axes
    measures: str  # one plain sentence for the method page


PARTS: tuple[PartDefinition, ...] = (
    PartDefinition(
        AGREEMENT,
        "Assessment agreement",
        0.25,
        "Agreement",
        "Share of open risks that both the CIO and the CISO have assessed and that show no divergence "
        "(their scores differ by less than one level).",
    ),
    PartDefinition(
        ACCOUNTABILITY,
        "Accountability coverage",
        0.20,
        "Accountability",
        "Share of activities in the ownership (RACI) matrix with exactly one accountable party and at "
        "least one responsible party — no gaps, no overlaps.",
    ),
    PartDefinition(
        KPI_HEALTH,
        "KPI health",
        0.20,
        "KPI health",
        "Share of the joint KPI scorecard that is on target: green counts fully, amber counts half, "
        "red and stale KPIs (no recent measurement) count nothing.",
    ),
    PartDefinition(
        LATENCY,
        "Decision latency",
        0.20,
        "Decision latency",
        "Share of project intake decisions taken within their SLA, plus pending requests and joint "
        "sign-offs that are still within their time limit.",
    ),
    PartDefinition(
        LINKAGE,
        "Budget-to-risk linkage",
        0.15,
        "Budget linkage",
        "Share of the security and joint budget spent on items that reduce at least one named risk.",
    ),
)
DEFINITIONS = {part.key: part for part in PARTS}

# Score bands shown next to the number (and the gauge colours of core.charts.gauge).
GOOD_FROM, FAIR_FROM = 75, 50


@dataclass(frozen=True)
class PartResult:
    key: str
    label: str
    weight: float  # the nominal weight (0–1)
    value: float | None  # 0–1, or None when there is nothing to measure
    inputs: dict = field(default_factory=dict)
    explanation: str = ""

    @property
    def measured(self) -> bool:
        return self.value is not None

    @property
    def points(self) -> int | None:
        """The part on its own, 0–100."""
        return None if self.value is None else round(self.value * 100)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["points"] = self.points
        return data


@dataclass(frozen=True)
class AlignmentScore:
    score: int | None
    parts: tuple[PartResult, ...]

    @property
    def band(self) -> str:
        return score_band(self.score)

    def as_dict(self) -> dict:
        return {
            "score": self.score,
            "band": self.band,
            "parts": [
                part.as_dict() | {"effective_weight": w}
                for part, w in zip(self.parts, effective_weights(self.parts), strict=True)
            ],
        }


def _check(**counts) -> None:
    for name, value in counts.items():
        if value is None or value < 0:
            raise ValueError(f"{name} must be zero or more, not {value!r}.")


def _ratio(good: float, total: float) -> float | None:
    return None if not total else max(0.0, min(1.0, good / total))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def _part(key: str, value: float | None, inputs: dict, explanation: str) -> PartResult:
    definition = DEFINITIONS[key]
    return PartResult(
        key=key,
        label=definition.label,
        weight=definition.weight,
        value=value,
        inputs=inputs,
        explanation=explanation,
    )


def assessment_agreement(*, open_risks: int, divergent: int, not_assessed: int) -> PartResult:
    """``not_assessed``: open risks missing the CIO's or the CISO's assessment."""
    _check(open_risks=open_risks, divergent=divergent, not_assessed=not_assessed)
    if divergent + not_assessed > open_risks:
        raise ValueError("Divergent and unassessed risks cannot outnumber open risks.")
    value = _ratio(open_risks - divergent - not_assessed, open_risks)
    inputs = {"open_risks": open_risks, "divergent": divergent, "not_assessed": not_assessed}
    if value is None:
        return _part(AGREEMENT, None, inputs, "There are no open risks to compare assessments on yet.")
    agreed = open_risks - divergent - not_assessed
    return _part(
        AGREEMENT,
        value,
        inputs,
        f"{agreed} of {open_risks} open risks are assessed by both lenses without divergence "
        f"({divergent} divergent, {not_assessed} still missing an assessment).",
    )


def accountability_coverage(*, activities: int, gaps: int, overlaps: int) -> PartResult:
    """``gaps``: activities with no A or no R; ``overlaps``: several A (an activity is counted once)."""
    _check(activities=activities, gaps=gaps, overlaps=overlaps)
    if gaps + overlaps > activities:
        raise ValueError("Activities with gaps and overlaps cannot outnumber activities.")
    value = _ratio(activities - gaps - overlaps, activities)
    inputs = {"activities": activities, "gaps": gaps, "overlaps": overlaps}
    if value is None:
        return _part(ACCOUNTABILITY, None, inputs, "The ownership (RACI) matrix has no activities yet.")
    clean = activities - gaps - overlaps
    return _part(
        ACCOUNTABILITY,
        value,
        inputs,
        f"{clean} of {activities} activities have exactly one accountable and at least one responsible "
        f"party ({gaps} missing an accountable or a responsible party, {overlaps} with several "
        f"accountable parties).",
    )


def kpi_health(*, green: int, amber: int, red: int, stale: int) -> PartResult:
    """``stale``: KPIs with no measurement for their current period (counted as failing)."""
    _check(green=green, amber=amber, red=red, stale=stale)
    total = green + amber + red + stale
    value = _ratio(green + 0.5 * amber, total)
    inputs = {"kpis": total, "green": green, "amber": amber, "red": red, "stale": stale}
    if value is None:
        return _part(KPI_HEALTH, None, inputs, "The joint KPI scorecard has no KPIs yet.")
    return _part(
        KPI_HEALTH,
        value,
        inputs,
        f"{green} of {total} KPIs are green, {amber} amber (half credit), {red} red and {stale} stale "
        f"without a recent measurement.",
    )


def decision_latency(*, decided: int, decided_on_time: int, pending: int, pending_overdue: int) -> PartResult:
    """Decisions taken (intake) and pending (intake requests and joint sign-offs)."""
    _check(decided=decided, decided_on_time=decided_on_time, pending=pending, pending_overdue=pending_overdue)
    if decided_on_time > decided or pending_overdue > pending:
        raise ValueError("On-time or overdue counts cannot exceed the decisions they belong to.")
    total = decided + pending
    value = _ratio(decided_on_time + pending - pending_overdue, total)
    inputs = {
        "decided": decided,
        "decided_on_time": decided_on_time,
        "pending": pending,
        "pending_overdue": pending_overdue,
    }
    if value is None:
        return _part(LATENCY, None, inputs, "No decisions have been taken or requested yet.")
    return _part(
        LATENCY,
        value,
        inputs,
        f"{decided_on_time} of {decided} decisions were taken within their SLA, and {pending_overdue} of "
        f"{pending} pending decisions are already past their limit.",
    )


def budget_risk_linkage(*, security_budget, linked_budget) -> PartResult:
    """Amounts in the organization's currency (security plus joint items; those tied to a risk)."""
    security, linked = Decimal(str(security_budget or 0)), Decimal(str(linked_budget or 0))
    _check(security_budget=security, linked_budget=linked)
    if linked > security:
        raise ValueError("Budget tied to risks cannot exceed the security and joint budget.")
    value = _ratio(float(linked), float(security))
    inputs = {"security_budget": float(security), "linked_budget": float(linked)}
    if value is None:
        return _part(LINKAGE, None, inputs, "There is no security or joint budget to relate to risks yet.")
    return _part(
        LINKAGE,
        value,
        inputs,
        f"{_pct(value)} of the security and joint budget goes to items that reduce a named risk.",
    )


def effective_weights(parts) -> list[float]:
    """Each part's share of the score: nominal weights rescaled over measured parts."""
    measured = sum(p.weight for p in parts if p.measured)
    return [round(p.weight / measured, 4) if p.measured and measured else 0.0 for p in parts]


def alignment_score(parts) -> AlignmentScore:
    """Blend parts into 0–100; parts not measured are left out (weights rescaled)."""
    parts = tuple(parts)
    measured = [p for p in parts if p.measured]
    weight = sum(p.weight for p in measured)
    if not measured or not weight:
        return AlignmentScore(score=None, parts=parts)
    blended = sum(p.weight * p.value for p in measured) / weight
    return AlignmentScore(score=round(blended * 100), parts=parts)


def score_band(score: int | None) -> str:
    """'good', 'fair', 'poor' or 'none' (no score)."""
    if score is None:
        return "none"
    return "good" if score >= GOOD_FROM else "fair" if score >= FAIR_FROM else "poor"


def score_change(current: int | None, previous: int | None) -> int | None:
    """Points gained (positive) or lost since the previous report; None if either is missing."""
    if current is None or previous is None:
        return None
    return current - previous


def compute(
    *, agreement: dict, accountability: dict, kpis: dict, latency: dict, linkage: dict
) -> AlignmentScore:
    """Everything at once from the plain inputs of each part (as stored in a report's snapshot)."""
    return alignment_score(
        [
            assessment_agreement(**agreement),
            accountability_coverage(**accountability),
            kpi_health(**kpis),
            decision_latency(**latency),
            budget_risk_linkage(**linkage),
        ]
    )
