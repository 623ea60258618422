"""Intake triage and clocks: pure functions over plain values, no database.

Tiering
-------
Each triage answer adds points:

================================  =====================================
data classification               public 0, internal 1, confidential 2, restricted 3
personal data                     none 0, basic 2, sensitive 3
internet-facing                   +2
third party (vendor, SaaS, data)  +1
changes to authentication         +2
business criticality              low 0, medium 1, high 2, critical 3
================================  =====================================

**High** when the total is 7 or more, or on any hard trigger: restricted data;
sensitive personal data; internet-facing *and* changing authentication.
**Medium** from 3 points; otherwise **low**. The tier sets the review depth and
the decision SLA (organization settings, in business days).

Clocks
------
Time counts in *business days*: Monday to Friday, 24 hours each, in the
organization's time zone; weekends do not count. While a request waits for its
requester (needs information) the clock is paused. SLA status: *breached* once
the elapsed time exceeds the SLA, *at risk* from a share of it (75% by default),
*on track* before.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

DAY_SECONDS = 86400

CLASSIFICATION_POINTS = {"public": 0, "internal": 1, "confidential": 2, "restricted": 3}
PERSONAL_DATA_POINTS = {"none": 0, "basic": 2, "sensitive": 3}
CRITICALITY_POINTS = {"low": 0, "medium": 1, "high": 2, "critical": 3}
HIGH_FROM_POINTS = 7
MEDIUM_FROM_POINTS = 3

REVIEW_DEPTH = {
    "low": "Light review: one reviewer checks the answers and the design summary.",
    "medium": "Standard review: architecture and security review of the design, data flows and vendors.",
    "high": "Full review: threat model, privacy impact assessment and a joint CIO and CISO decision "
            "with conditions where needed.",
}

ON_TRACK, AT_RISK, BREACHED = "on_track", "at_risk", "breached"
SLA_LABELS = {ON_TRACK: "On track", AT_RISK: "At risk", BREACHED: "Breached"}


@dataclass(frozen=True)
class TierResult:
    tier: str
    points: int
    reasons: tuple[str, ...]


def tier_for(*, data_classification: str, personal_data: str, internet_facing: bool, third_party: bool,
             changes_authentication: bool, business_criticality: str) -> TierResult:
    """The review tier from the triage answers (see the module docstring)."""
    points = (
        CLASSIFICATION_POINTS.get(data_classification, 1)
        + PERSONAL_DATA_POINTS.get(personal_data, 0)
        + (2 if internet_facing else 0)
        + (1 if third_party else 0)
        + (2 if changes_authentication else 0)
        + CRITICALITY_POINTS.get(business_criticality, 1)
    )
    triggers = []
    if data_classification == "restricted":
        triggers.append("Handles restricted data.")
    if personal_data == "sensitive":
        triggers.append("Handles sensitive personal data.")
    if internet_facing and changes_authentication:
        triggers.append("Changes how people sign in to something reachable from the internet.")
    if triggers or points >= HIGH_FROM_POINTS:
        tier = "high"
    elif points >= MEDIUM_FROM_POINTS:
        tier = "medium"
    else:
        tier = "low"
    reasons = tuple(triggers) or (f"{points} triage points ({_band_text(tier)}).",)
    return TierResult(tier=tier, points=points, reasons=reasons)


def _band_text(tier: str) -> str:
    return {"high": f"{HIGH_FROM_POINTS} or more is high",
            "medium": f"{MEDIUM_FROM_POINTS}–{HIGH_FROM_POINTS - 1} is medium",
            "low": f"under {MEDIUM_FROM_POINTS} is low"}[tier]


# ------------------------------------------------------------------ clocks ---


def _weekday_seconds(start: datetime, end: datetime) -> float:
    """Seconds between start and end that fall on Monday to Friday (local time)."""
    if end <= start:
        return 0.0
    total = 0.0
    cursor = start
    while cursor < end:
        next_midnight = datetime.combine(cursor.date() + timedelta(days=1), datetime.min.time(), cursor.tzinfo)
        segment_end = min(end, next_midnight)
        if cursor.weekday() < 5:
            total += (segment_end - cursor).total_seconds()
        cursor = segment_end
    return total


def _merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def business_days(start: datetime, end: datetime, pauses: Sequence[tuple[datetime, datetime | None]] = ()) -> float:
    """Business days elapsed from ``start`` to ``end``, without weekends and
    without the paused stretches (a pause still running ends at ``end``).

    Datetimes must share one time zone (the organization's, so that days and
    weekends are local)."""
    if end <= start:
        return 0.0
    elapsed = _weekday_seconds(start, end)
    clipped = [(max(p_start, start), min(p_end or end, end)) for p_start, p_end in pauses]
    for p_start, p_end in _merge((s, e) for s, e in clipped if e > s):
        elapsed -= _weekday_seconds(p_start, p_end)
    return max(elapsed, 0.0) / DAY_SECONDS


def sla_status(elapsed_days: float, sla_days: int, *, at_risk_percent: int = 75) -> str:
    """On track, at risk (from ``at_risk_percent`` of the SLA used) or breached (over it)."""
    if elapsed_days > sla_days:
        return BREACHED
    if elapsed_days >= sla_days * at_risk_percent / 100:
        return AT_RISK
    return ON_TRACK


def sla_used_share(elapsed_days: float, sla_days: int) -> float:
    return elapsed_days / sla_days if sla_days else 1.0


def median_days(values: Iterable[float]) -> float | None:
    values = list(values)
    return round(median(values), 1) if values else None
