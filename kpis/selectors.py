"""Every read of KPIs and measurements, scoped to the person asking.

The scorecard and its summary cost a fixed number of queries whatever the
number of KPIs or measurements: one for the KPIs, one for the recent values
of all of them (a window function keeps the last few per KPI)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone

from . import status as kpi_status
from .models import KPI, Domain, Measurement

SPARKLINE_PERIODS = 12
CHART_PERIODS = 24
STATUSES = ("green", "amber", "red", "stale")


@dataclass
class ScorecardRow:
    """One KPI on the scorecard."""

    kpi: KPI
    latest_value: Decimal | None
    latest_period: date | None
    latest_label: str
    status: str | None  # colour of the latest value, whatever its age
    stale: bool  # the latest expected period has no value
    display_status: str  # the one shown and counted: green / amber / red / stale
    trend: str | None  # improving / worsening / flat, None with fewer than two values
    sparkline: list[Decimal | None]  # last 12 periods, oldest first, None where missing
    target: Decimal = field(init=False)

    def __post_init__(self):
        self.target = self.kpi.target


@dataclass
class DomainGroup:
    domain: str
    label: str
    rows: list[ScorecardRow]

    @property
    def counts(self) -> dict[str, int]:
        return _count(self.rows)


def _count(rows) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for row in rows:
        counts[row.display_status] += 1
    counts["total"] = len(rows)
    return counts


def _recent_values(organization, *, per_kpi: int) -> dict[int, list[tuple[date, Decimal]]]:
    """The last ``per_kpi`` values of every KPI of the organization, newest first, in one query."""
    ranked = (
        Measurement.objects.filter(organization=organization)
        .annotate(rank=Window(RowNumber(), partition_by=[F("kpi_id")], order_by=F("period").desc()))
        .filter(rank__lte=per_kpi)
        .values_list("kpi_id", "period", "value")
    )
    values: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for kpi_id, period, value in ranked:
        values[kpi_id].append((period, value))
    for series in values.values():
        series.sort(key=lambda pair: pair[0], reverse=True)
    return values


def build_row(kpi: KPI, recent: list[tuple[date, Decimal]], today: date) -> ScorecardRow:
    """Scorecard row from a KPI and its recent (period, value) pairs, newest first."""
    latest_period, latest_value = recent[0] if recent else (None, None)
    status = kpi.status_of(latest_value)
    stale = kpi_status.is_stale(latest_period, frequency=kpi.frequency, today=today)
    periods = kpi_status.recent_periods(today, kpi.frequency, SPARKLINE_PERIODS)
    if latest_period and latest_period > periods[-1]:  # the current period is already in
        periods = periods[1:] + [latest_period]
    by_period = dict(recent)
    trend = kpi_status.trend_for([v for _, v in reversed(recent[: kpi_status.TREND_WINDOW + 1])],
                                 direction=kpi.direction, target=kpi.target, critical=kpi.critical)
    return ScorecardRow(
        kpi=kpi, latest_value=latest_value, latest_period=latest_period,
        latest_label=kpi_status.period_label(latest_period, kpi.frequency) if latest_period else "",
        status=status, stale=stale, display_status=kpi_status.display_status(status, stale), trend=trend,
        sparkline=[by_period.get(p) for p in periods],
    )


def _rows(kpis: list[KPI], organization, today: date | None) -> list[ScorecardRow]:
    today = today or timezone.localdate()
    recent = _recent_values(organization, per_kpi=SPARKLINE_PERIODS + 1) if kpis else {}
    return [build_row(kpi, recent.get(kpi.pk, []), today) for kpi in kpis]


def kpi_scorecard(user, organization, *, today: date | None = None, domain: str = "",
                  status: str = "", search: str = "") -> list[DomainGroup]:
    """The scorecard: the KPIs ``user`` may see in ``organization``, grouped IT /
    security / joint, each with status, latest value, target, trend, a 12-period
    sparkline and a stale flag. Two queries whatever the data size.

    ``domain``, ``status`` (green / amber / red / stale) and ``search`` (in the
    name) narrow it down; groups without rows are kept so pages can say so."""
    kpis = KPI.objects.visible_to(user).filter(organization=organization).select_related("owner")
    if domain:
        kpis = kpis.filter(domain=domain)
    if search:
        kpis = kpis.filter(name__icontains=search)
    rows = _rows(list(kpis.order_by("name")), organization, today)
    if status:
        rows = [row for row in rows if row.display_status == status]
    groups = []
    for value, label in Domain.choices:
        if domain and value != domain:
            continue
        groups.append(DomainGroup(domain=value, label=label, rows=[r for r in rows if r.kpi.domain == value]))
    return groups


def scorecard_summary(organization, *, today: date | None = None) -> dict[str, dict[str, int]]:
    """Counts by status (green / amber / red / stale, plus total) for each domain
    ("it", "security", "joint") and for all KPIs ("all"). Two queries.
    A stale KPI counts as stale, not in its last colour."""
    rows = _rows(list(KPI.objects.filter(organization=organization)), organization, today)
    summary = {value: _count([r for r in rows if r.kpi.domain == value]) for value in Domain.values}
    summary["all"] = _count(rows)
    return summary


def kpi_list(user, organization):
    """KPIs ``user`` may see, with their owner (for lists and the API)."""
    return KPI.objects.visible_to(user).filter(organization=organization).select_related("owner")


def kpi_get(user, organization, pk) -> KPI:
    return get_object_or_404(kpi_list(user, organization), pk=pk)


def kpi_row(kpi: KPI, *, today: date | None = None) -> ScorecardRow:
    """The scorecard row of one KPI (its page's header)."""
    recent = list(kpi.measurements.order_by("-period").values_list("period", "value")[: SPARKLINE_PERIODS + 1])
    return build_row(kpi, recent, today or timezone.localdate())


def kpi_chart_series(kpi: KPI, *, today: date | None = None, periods: int = CHART_PERIODS):
    """(labels, values) for the KPI's chart: the last ``periods`` periods, gaps as None."""
    today = today or timezone.localdate()
    starts = kpi_status.recent_periods(today, kpi.frequency, periods)
    current = kpi_status.align_period(today, kpi.frequency)
    values = dict(kpi.measurements.filter(period__gte=starts[0]).values_list("period", "value"))
    if current in values:
        starts = starts[1:] + [current]
    labels = [kpi_status.short_period_label(p, kpi.frequency) for p in starts]
    return labels, [values.get(p) for p in starts]


def measurement_list(user, organization):
    """Measurements ``user`` may see, newest first, with KPI and recorder."""
    return (
        Measurement.objects.visible_to(user).filter(organization=organization)
        .select_related("kpi", "recorded_by").order_by("-period", "kpi__name")
    )


def kpi_measurements(kpi: KPI):
    return kpi.measurements.select_related("recorded_by").order_by("-period")


def measurement_changes(kpi: KPI, *, limit: int = 10):
    """Recent changes to the KPI's values (who entered or corrected what), newest first."""
    return list(
        Measurement.history.filter(kpi_id=kpi.pk).select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
