"""Pure KPI arithmetic: period alignment, status, trend and staleness.

Plain values in, plain values out; no database. Every page, API answer and
report derives a KPI's colour from here, so the rules live in one place.

Status rules (docs/DEFINITIONS.md, "KPI status"; ``direction`` says which way
is better), implemented once in ``status_for``:

* **green**: the value meets the target;
* **amber**: the target is missed, but the value is inside the tolerance
  (warning) line, the line included;
* **red**: the value is beyond the warning line.

The critical threshold does not colour a KPI; it scales the trend. For "higher
is better" thresholds run critical ≤ warning ≤ target; for "lower is better"
target ≤ warning ≤ critical.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

GREEN, AMBER, RED, STALE = "green", "amber", "red", "stale"
IMPROVING, WORSENING, FLAT = "improving", "worsening", "flat"
WEEKLY, MONTHLY, QUARTERLY = "weekly", "monthly", "quarterly"

# Days after a period ends before its missing value makes the KPI stale:
# numbers are usually reported a few days after the period closes.
GRACE_DAYS = {WEEKLY: 3, MONTHLY: 10, QUARTERLY: 20}

# A change smaller than this share of the target–critical distance is "flat".
TREND_TOLERANCE = Decimal("0.05")
TREND_WINDOW = 3


# ------------------------------------------------------------- periods ----


def align_period(day: date, frequency: str) -> date:
    """The first day of the period containing ``day``: Monday, 1st of the month,
    or first day of the calendar quarter."""
    if frequency == WEEKLY:
        return day - timedelta(days=day.weekday())
    if frequency == MONTHLY:
        return day.replace(day=1)
    if frequency == QUARTERLY:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"unknown frequency {frequency!r}")


def shift_period(start: date, frequency: str, steps: int) -> date:
    """The start of the period ``steps`` periods after (negative: before) ``start``."""
    start = align_period(start, frequency)
    if frequency == WEEKLY:
        return start + timedelta(weeks=steps)
    months = steps * (3 if frequency == QUARTERLY else 1)
    index = start.year * 12 + (start.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def period_end(start: date, frequency: str) -> date:
    """The last day of the period that starts at ``start``."""
    return shift_period(start, frequency, 1) - timedelta(days=1)


def period_label(start: date, frequency: str) -> str:
    """Short human label: "Week of 3 Nov 2026", "Nov 2026", "Q4 2026"."""
    if frequency == WEEKLY:
        return f"Week of {start.day} {start:%b %Y}"
    if frequency == QUARTERLY:
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return f"{start:%b %Y}"


def short_period_label(start: date, frequency: str) -> str:
    """Axis label for charts: "3 Nov", "Nov 26", "Q4 26"."""
    if frequency == WEEKLY:
        return f"{start.day} {start:%b}"
    if frequency == QUARTERLY:
        return f"Q{(start.month - 1) // 3 + 1} {start:%y}"
    return f"{start:%b %y}"


def latest_expected_period(today: date, frequency: str) -> date:
    """The most recent period whose value should have been reported by ``today``:
    the last finished period once its grace days have passed, else the one before."""
    previous = shift_period(align_period(today, frequency), frequency, -1)
    if today > period_end(previous, frequency) + timedelta(days=GRACE_DAYS[frequency]):
        return previous
    return shift_period(previous, frequency, -1)


def recent_periods(today: date, frequency: str, count: int = 12) -> list[date]:
    """``count`` period starts, oldest first, ending with the latest expected period."""
    last = latest_expected_period(today, frequency)
    return [shift_period(last, frequency, -offset) for offset in range(count - 1, -1, -1)]


# -------------------------------------------------------------- status ----


def thresholds_consistent(direction: str, target: Decimal, warning: Decimal, critical: Decimal) -> bool:
    """Higher is better: critical ≤ warning ≤ target; lower is better: the reverse."""
    if direction == "higher":
        return critical <= warning <= target
    return target <= warning <= critical


def status_for(
    value: Decimal | None, *, direction: str, target: Decimal, warning: Decimal, critical: Decimal
) -> str | None:
    """Green (target met), amber (missed, inside the warning line) or red
    (beyond it) for one value; None when there is no value. ``critical`` is
    accepted for symmetry with the KPI's fields and does not change the colour."""
    if value is None:
        return None
    if direction == "higher":
        if value >= target:
            return GREEN
        return AMBER if value >= warning else RED
    if value <= target:
        return GREEN
    return AMBER if value <= warning else RED


def trend_for(
    values: Sequence[Decimal],
    *,
    direction: str,
    target: Decimal,
    critical: Decimal,
    window: int = TREND_WINDOW,
) -> str | None:
    """Improving / worsening / flat: the latest value against the mean of up to
    ``window`` values before it (oldest first in ``values``). None with fewer
    than two values. A move smaller than 5 % of the target–critical distance
    (or of the earlier mean, when target equals critical) counts as flat."""
    if len(values) < 2:
        return None
    latest = Decimal(values[-1])
    earlier = [Decimal(v) for v in values[-(window + 1) : -1]]
    baseline = sum(earlier) / len(earlier)
    delta = latest - baseline
    scale = abs(target - critical) or abs(baseline) or Decimal(1)
    if abs(delta) < scale * TREND_TOLERANCE:
        return FLAT
    better = delta > 0 if direction == "higher" else delta < 0
    return IMPROVING if better else WORSENING


def is_stale(latest_period: date | None, *, frequency: str, today: date) -> bool:
    """True when no value exists for the latest expected period (or none at all)."""
    if latest_period is None:
        return True
    return latest_period < latest_expected_period(today, frequency)


def display_status(status: str | None, stale: bool) -> str:
    """The one status shown and counted: stale wins over colour (the colour is old news)."""
    if stale or status is None:
        return STALE
    return status
