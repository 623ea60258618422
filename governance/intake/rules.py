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

Lists do not recompute every clock: each request stores its SLA moments
(``sla_moments``: when it turns at risk and when it is breached, or the days it
counted while its clock stands still), found with ``add_business_days``, the
inverse of ``business_days``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
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


def tier_for(
    *,
    data_classification: str,
    personal_data: str,
    internet_facing: bool,
    third_party: bool,
    changes_authentication: bool,
    business_criticality: str,
) -> TierResult:
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
    return {
        "high": f"{HIGH_FROM_POINTS} or more is high",
        "medium": f"{MEDIUM_FROM_POINTS}–{HIGH_FROM_POINTS - 1} is medium",
        "low": f"under {MEDIUM_FROM_POINTS} is low",
    }[tier]


# ------------------------------------------------------------------ clocks ---
#
# Business time is counted on a line that only moves on weekdays: the business
# microseconds from a fixed Monday to a moment's local wall-clock time. Elapsed
# business time is a difference of two points on that line, and adding business
# time is its inverse, both in constant time whatever the dates.

_EPOCH = date(2000, 1, 3)  # a Monday
_DAY_US = DAY_SECONDS * 1_000_000
_WEEK_US = 5 * _DAY_US


def _business_point(moment: datetime) -> int:
    """Business microseconds from the epoch Monday to ``moment`` (local wall clock)."""
    weeks, weekday = divmod((moment.date() - _EPOCH).days, 7)
    if weekday >= 5:
        return weeks * _WEEK_US + _WEEK_US
    since_midnight = (
        (moment.hour * 60 + moment.minute) * 60 + moment.second
    ) * 1_000_000 + moment.microsecond
    return weeks * _WEEK_US + weekday * _DAY_US + since_midnight


def _moment_at(point: int, tzinfo, *, past_idle: bool) -> datetime:
    """The earliest moment at the business ``point`` or, with ``past_idle``, the
    latest one (a point at the end of a Friday is also the start of Monday)."""
    weeks, rest = divmod(point, _WEEK_US)
    weekday, since_midnight = divmod(rest, _DAY_US)
    if weekday == 0 and since_midnight == 0 and not past_idle:
        weeks, weekday, since_midnight = weeks - 1, 4, _DAY_US  # the Friday's end, not Monday's start
    day = _EPOCH + timedelta(days=weeks * 7 + weekday)
    return datetime.combine(day, time.min, tzinfo) + timedelta(microseconds=since_midnight)


def _merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def business_days(
    start: datetime, end: datetime, pauses: Sequence[tuple[datetime, datetime | None]] = ()
) -> float:
    """Business days elapsed from ``start`` to ``end``, without weekends and
    without the paused stretches (a pause still running ends at ``end``).

    Datetimes must share one time zone (the organization's, so that days and
    weekends are local)."""
    if end <= start:
        return 0.0
    elapsed = _business_point(end) - _business_point(start)
    clipped = [(max(p_start, start), min(p_end or end, end)) for p_start, p_end in pauses]
    for p_start, p_end in _merge((s, e) for s, e in clipped if e > s):
        elapsed -= _business_point(p_end) - _business_point(p_start)
    return max(elapsed, 0) / _DAY_US


def add_business_days(
    start: datetime,
    days: float,
    pauses: Sequence[tuple[datetime, datetime | None]] = (),
    *,
    past_idle: bool = False,
) -> datetime | None:
    """The moment at which ``days`` business days have elapsed since ``start``,
    weekends and the given pauses not counting: the inverse of ``business_days``
    (``business_days(start, add_business_days(start, d, p), p) == d``).

    Where the clock stands still (a weekend, a pause) one count belongs to a
    whole stretch of time: the earliest moment is returned, or with
    ``past_idle`` the moment the clock starts again (the last moment at which
    the count is still ``days``). ``None`` when a pause still running (no end)
    stops the clock before it gets there. Negative ``days`` count back from
    ``start`` (weekends only, no pauses). Same time zone rule as
    ``business_days``."""
    remaining = round(days * _DAY_US)
    if remaining < 0:
        if pauses:
            raise ValueError("Counting back does not take pauses.")
        return _moment_at(_business_point(start) + remaining, start.tzinfo, past_idle=past_idle)
    cursor = start
    running = [(max(p_start, start), p_end) for p_start, p_end in pauses if p_end is None or p_end > start]
    open_from = min((p_start for p_start, p_end in running if p_end is None), default=None)
    closed = _merge((p_start, p_end) for p_start, p_end in running if p_end is not None)
    stops = [(s, e) for s, e in closed if open_from is None or s < open_from]
    if open_from is not None:
        stops.append((open_from, None))
    for stop_start, stop_end in stops:
        available = _business_point(max(stop_start, cursor)) - _business_point(cursor)
        if remaining < available or (remaining == available and not past_idle):
            break
        if stop_end is None:
            return None
        remaining -= available
        cursor = max(cursor, stop_end)
    if remaining == 0 and not past_idle:
        return cursor
    return max(cursor, _moment_at(_business_point(cursor) + remaining, cursor.tzinfo, past_idle=past_idle))


def sla_status(elapsed_days: float, sla_days: int, *, at_risk_percent: int = 75) -> str:
    """On track, at risk (from ``at_risk_percent`` of the SLA used) or breached (over it)."""
    if elapsed_days > sla_days:
        return BREACHED
    if elapsed_days >= sla_days * at_risk_percent / 100:
        return AT_RISK
    return ON_TRACK


@dataclass(frozen=True)
class SlaMoments:
    """What a request stores of its SLA clock so that lists can filter, count and
    sort by SLA state in the database. While the clock runs: the moment it turns
    at risk and the moment it is breached (breached once *past* ``due_at``,
    exactly when ``sla_status`` says so). While it stands still (waiting for the
    requester, or decided): the business days it had counted."""

    due_at: datetime | None
    at_risk_at: datetime | None
    elapsed_days: float | None


def sla_moments(
    *,
    submitted_at: datetime,
    sla_days: int,
    at_risk_percent: int,
    now: datetime,
    pauses: Sequence[tuple[datetime, datetime | None]] = (),
    decided_at: datetime | None = None,
    paused: bool = False,
) -> SlaMoments:
    """The stored SLA moments of a request at ``now`` (see ``SlaMoments``).

    A running clock counts on from ``now`` without pause, so its moments are
    ``now`` plus what is left (minus what is over): the moment it reads the SLA
    (``add_business_days(submitted_at, sla_days, pauses)`` while that is still
    ahead) and the moment it reads ``at_risk_percent`` of it. ``paused``: the
    request waits for its requester, so its clock stands still (where its
    running pause started, else at ``now``). Same time zone rule as
    ``business_days``."""
    running = decided_at is None and not paused and all(end is not None for _start, end in pauses)
    counted = business_days(submitted_at, decided_at or now, pauses)
    if not running:
        return SlaMoments(due_at=None, at_risk_at=None, elapsed_days=counted)
    return SlaMoments(
        due_at=add_business_days(now, sla_days - counted, past_idle=True),
        at_risk_at=add_business_days(now, sla_days * at_risk_percent / 100 - counted),
        elapsed_days=None,
    )


def elapsed_at(moments: SlaMoments, sla_days: int, now: datetime) -> float:
    """Business days a clock has counted at ``now``, from its stored moments
    (computed at or before ``now``, nothing changed since): what it had
    counted if it stands still, else the SLA minus the business time left
    until ``due_at`` (plus the time past it). Same time zone rule."""
    if moments.due_at is None:
        return moments.elapsed_days or 0.0
    left = (_business_point(moments.due_at) - _business_point(now)) / _DAY_US
    return max(sla_days - left, 0.0)


def sla_used_share(elapsed_days: float, sla_days: int) -> float:
    return elapsed_days / sla_days if sla_days else 1.0


def median_days(values: Iterable[float]) -> float | None:
    values = list(values)
    return round(median(values), 1) if values else None
