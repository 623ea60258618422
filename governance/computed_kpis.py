"""KPIs Concord computes from the governance app's own records, plugged into the
kpis registry (found by autodiscovery)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from kpis.registry import computed_kpi


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@computed_kpi(
    key="intake_median_days_to_decision",
    name="Intake time to decision (median)",
    description="Median business days from filing a project intake request to the joint CIO and CISO decision, "
    "for requests decided in the six months (180 days) up to the end of the period, as on the intake "
    "page. Time spent waiting for the requester is not counted.",
    unit="days",
    direction="lower",
    domain="joint",
    frequency="monthly",
    target=5,
    warning=8,
    critical=12,
    csf_function="GV",
)
def intake_median_days_to_decision(organization, period_start: date, period_end: date) -> Decimal | None:
    from .intake.selectors import median_decision_days

    # The window ends with the period, or now while the period runs: the
    # running period's value is the intake page's median.
    end = min(_start_of(period_end + timedelta(days=1)) - timedelta(microseconds=1), timezone.now())
    value = median_decision_days(organization, end)
    return None if value is None else Decimal(str(value))


@computed_kpi(
    key="raci_gaps",
    name="Ownership gaps (RACI)",
    description="Activities of the ownership matrix with no one accountable (docs/DEFINITIONS.md: a gap; "
    "activities with several accountable are overlaps, counted apart). A snapshot of the matrix as it "
    "stands while the period runs.",
    unit="count",
    direction="lower",
    domain="joint",
    frequency="monthly",
    target=0,
    warning=2,
    critical=5,
    csf_function="GV",
)
def raci_gaps(organization, period_start: date, period_end: date) -> Decimal | None:
    from .raci.selectors import raci_summary

    # The matrix keeps no dated snapshots: only the running period gets a value,
    # so a finished period keeps the last figure measured while it ran.
    if period_end < timezone.localdate():
        return None
    summary = raci_summary(organization)
    if not summary["activities"]:
        return None
    return Decimal(summary["gaps"])
