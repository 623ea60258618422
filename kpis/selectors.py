"""Every read of KPIs and measurements, scoped to the person asking.

The scorecard costs a fixed number of queries whatever the number of KPIs or
measurements: one for every KPI's latest value (status counts, status filter
and the order of the rows come from it), one for the KPIs shown and one for
their recent values (a window function keeps the last few per KPI). The first
of these is cached per organization and day until any of its data changes
(``core.cache``), so the scorecard and the dashboard do not reread every KPI's
latest value on each view.

Every public selector takes the reader first (``user``) and reads through
``visible_to(user)`` (the cached figures behind the same ``Perm.KPI_VIEW``
check): someone of another organization, or without the permission, gets
nothing. ``user=None``, written out, is Concord itself (report snapshots,
computed KPIs): the whole organization."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.cache import cached_for_org
from core.permissions import has_perm
from core.roles import Perm

from . import status as kpi_status
from .models import KPI, Domain, Measurement

SPARKLINE_PERIODS = 12
CHART_PERIODS = 24
SCORECARD_PAGE_SIZE = 25
STATUSES = ("green", "amber", "red", "stale")
DOMAIN_ORDER = {value: index for index, value in enumerate(Domain.values)}
ENTRY_FIELDS = (
    "pk",
    "domain",
    "frequency",
    "direction",
    "target",
    "warning",
    "critical",
    "latest_period",
    "latest_value",
)


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


@dataclass(slots=True)
class ScorecardEntry:
    """A KPI's place and status on the scorecard, from its latest value alone."""

    pk: int
    domain: str
    display_status: str


@dataclass
class DomainGroup:
    domain: str
    label: str
    rows: list[ScorecardRow]
    counts: dict[str, int]  # over every KPI of the group that matches, not only the rows shown
    continued: bool = False  # its first rows are on an earlier page


@dataclass
class ScorecardPage:
    """One page of the scorecard: its groups, the paginator's page and the counts of all matching KPIs."""

    groups: list[DomainGroup]
    page_obj: Page
    counts: dict[str, int]


def _count(items) -> dict[str, int]:
    """Counts by displayed status (plus total) of rows or entries."""
    counts = dict.fromkeys(STATUSES, 0)
    for item in items:
        counts[item.display_status] += 1
    counts["total"] = len(items)
    return counts


def _with_latest(kpis, as_of: date | None = None):
    """Each KPI's latest period and value (of a period starting by ``as_of``, when
    given): two index probes per KPI on (kpi, -period)."""
    latest = Measurement.objects.filter(kpi=OuterRef("pk")).order_by("-period")
    if as_of is not None:
        latest = latest.filter(period__lte=as_of)
    return kpis.annotate(
        latest_period=Subquery(latest.values("period")[:1]), latest_value=Subquery(latest.values("value")[:1])
    )


def _entries(kpis, today: date) -> list[ScorecardEntry]:
    """The KPIs of ``kpis`` in scorecard order (IT, security, joint; by name), each
    with the status of its latest value. One query, no measurement beyond the latest."""
    entries = []
    for pk, domain, frequency, direction, target, warning, critical, period, value in (
        _with_latest(kpis).order_by("name").values_list(*ENTRY_FIELDS)
    ):
        colour = kpi_status.status_for(
            value, direction=direction, target=target, warning=warning, critical=critical
        )
        stale = kpi_status.is_stale(period, frequency=frequency, today=today)
        entries.append(
            ScorecardEntry(pk=pk, domain=domain, display_status=kpi_status.display_status(colour, stale))
        )
    entries.sort(
        key=lambda entry: DOMAIN_ORDER.get(entry.domain, len(DOMAIN_ORDER))
    )  # stable: names stay sorted
    return entries


def _org_entries(organization, today: date) -> list[ScorecardEntry]:
    """``_entries`` of every KPI of the organization, cached until its data
    changes (and per day, since staleness depends on the date)."""
    return cached_for_org(
        organization.pk,
        f"kpis:entries:{today.isoformat()}",
        lambda: _entries(KPI.objects.filter(organization=organization), today),
    )


def _visible_entries(user, organization, today: date, *, domain: str, search: str) -> list[ScorecardEntry]:
    """Entries of the KPIs ``user`` may see, narrowed by domain and name. A
    name search reads the database; everything else comes from ``_org_entries``."""
    if search:
        return _entries(_matching(user, organization, domain=domain, search=search), today)
    if user is not None and not has_perm(user, organization, Perm.KPI_VIEW):
        return []
    entries = _org_entries(organization, today)
    return [entry for entry in entries if entry.domain == domain] if domain else entries


def _recent_values(
    kpi_ids: list[int], *, per_kpi: int, as_of: date | None = None
) -> dict[int, list[tuple[date, Decimal]]]:
    """The last ``per_kpi`` values of each of these KPIs (of periods starting by
    ``as_of``, when given), newest first, in one query."""
    measurements = Measurement.objects.filter(kpi_id__in=kpi_ids)
    if as_of is not None:
        measurements = measurements.filter(period__lte=as_of)
    ranked = (
        measurements.order_by()
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


def build_row(
    kpi: KPI, recent: list[tuple[date, Decimal]], today: date, *, periods: list[date] | None = None
) -> ScorecardRow:
    """Scorecard row from a KPI and its recent (period, value) pairs, newest first.
    ``periods``: the KPI's frequency's last 12 expected periods, when the caller has them."""
    latest_period, latest_value = recent[0] if recent else (None, None)
    status = kpi.status_of(latest_value)
    stale = kpi_status.is_stale(latest_period, frequency=kpi.frequency, today=today)
    periods = periods or kpi_status.recent_periods(today, kpi.frequency, SPARKLINE_PERIODS)
    if latest_period and latest_period > periods[-1]:  # the current period is already in
        periods = periods[1:] + [latest_period]
    by_period = dict(recent)
    trend = kpi_status.trend_for(
        [v for _, v in reversed(recent[: kpi_status.TREND_WINDOW + 1])],
        direction=kpi.direction,
        target=kpi.target,
        critical=kpi.critical,
    )
    return ScorecardRow(
        kpi=kpi,
        latest_value=latest_value,
        latest_period=latest_period,
        latest_label=kpi_status.period_label(latest_period, kpi.frequency) if latest_period else "",
        status=status,
        stale=stale,
        display_status=kpi_status.display_status(status, stale),
        trend=trend,
        sparkline=[by_period.get(p) for p in periods],
    )


def _rows(entries: list[ScorecardEntry], organization, today: date) -> list[ScorecardRow]:
    """Full rows (owner, trend, sparkline) for these entries only, in their order. Two queries."""
    if not entries:
        return []
    ids = [entry.pk for entry in entries]
    kpis = KPI.objects.filter(organization=organization).select_related("owner").in_bulk(ids)
    recent = _recent_values(ids, per_kpi=SPARKLINE_PERIODS + 1)
    periods = {
        frequency: kpi_status.recent_periods(today, frequency, SPARKLINE_PERIODS)
        for frequency in {kpi.frequency for kpi in kpis.values()}
    }
    return [
        build_row(kpis[pk], recent.get(pk, []), today, periods=periods[kpis[pk].frequency])
        for pk in ids
        if pk in kpis
    ]


def _matching(user, organization, *, domain: str, search: str):
    kpis = KPI.objects.in_org(organization) if user is None else KPI.objects.visible_to(user)
    kpis = kpis.filter(organization=organization)
    if domain:
        kpis = kpis.filter(domain=domain)
    if search:
        kpis = kpis.filter(name__icontains=search)
    return kpis


def kpi_scorecard(
    user, organization, *, today: date | None = None, domain: str = "", status: str = "", search: str = ""
) -> list[DomainGroup]:
    """The whole scorecard (for the API): the KPIs ``user`` may see in
    ``organization``, grouped IT / security / joint, each with status, latest
    value, target, trend, a 12-period sparkline and a stale flag. Three queries
    whatever the data size. Pages use :func:`kpi_scorecard_page` instead.

    ``domain``, ``status`` (green / amber / red / stale) and ``search`` (in the
    name) narrow it down; groups without rows are kept so pages can say so."""
    today = today or timezone.localdate()
    entries = _visible_entries(user, organization, today, domain=domain, search=search)
    if status:
        entries = [entry for entry in entries if entry.display_status == status]
    rows = _rows(entries, organization, today)
    return [
        DomainGroup(
            domain=value,
            label=label,
            rows=[r for r in rows if r.kpi.domain == value],
            counts=_count([e for e in entries if e.domain == value]),
        )
        for value, label in Domain.choices
        if not domain or value == domain
    ]


def kpi_scorecard_page(
    user,
    organization,
    *,
    page=None,
    per_page: int = SCORECARD_PAGE_SIZE,
    today: date | None = None,
    domain: str = "",
    status: str = "",
    search: str = "",
) -> ScorecardPage:
    """One page of the scorecard: filters first, then ``per_page`` KPIs across
    the domain groups (in order). Counts cover every matching KPI; sparklines
    and trends are read for the KPIs of the page only. Three queries."""
    today = today or timezone.localdate()
    entries = _visible_entries(user, organization, today, domain=domain, search=search)
    if status:
        entries = [entry for entry in entries if entry.display_status == status]
    page_obj = Paginator(entries, per_page).get_page(page)
    rows = _rows(list(page_obj.object_list), organization, today)
    groups, before = [], 0
    for value, label in Domain.choices:
        if domain and value != domain:
            continue
        in_group = [entry for entry in entries if entry.domain == value]
        shown = [row for row in rows if row.kpi.domain == value]
        # an empty group is said so once, on the page where it would have started
        home_page = max(1, -(-before // per_page))
        if shown or (not in_group and home_page == page_obj.number):
            groups.append(
                DomainGroup(
                    domain=value,
                    label=label,
                    rows=shown,
                    counts=_count(in_group),
                    continued=bool(shown) and before < page_obj.start_index() - 1,
                )
            )
        before += len(in_group)
    return ScorecardPage(groups=groups, page_obj=page_obj, counts=_count(entries))


def scorecard_summary(user, organization, *, today: date | None = None) -> dict[str, dict[str, int]]:
    """Counts by status (green / amber / red / stale, plus total) for each domain
    ("it", "security", "joint") and for all KPIs ("all"). One query, reading each
    KPI's latest value only (cached, see ``_org_entries``). A stale KPI counts as stale, not in its last colour.
    All zero for a reader who may not see the KPIs."""
    entries = _visible_entries(user, organization, today or timezone.localdate(), domain="", search="")
    summary = {value: _count([e for e in entries if e.domain == value]) for value in Domain.values}
    summary["all"] = _count(entries)
    return summary


def kpi_list(user, organization):
    """KPIs ``user`` may see, with their owner (for lists and the API)."""
    return KPI.objects.visible_to(user).filter(organization=organization).select_related("owner")


def kpi_get(user, organization, pk) -> KPI:
    return get_object_or_404(kpi_list(user, organization), pk=pk)


def _values_of(user, kpi: KPI):
    """The KPI's measurements that ``user`` may see (none for anyone else)."""
    values = Measurement.objects.all() if user is None else Measurement.objects.visible_to(user)
    return values.filter(organization=kpi.organization_id, kpi=kpi)


def kpi_row(user, kpi: KPI, *, today: date | None = None) -> ScorecardRow:
    """The scorecard row of one KPI (its page's header)."""
    recent = list(
        _values_of(user, kpi).order_by("-period").values_list("period", "value")[: SPARKLINE_PERIODS + 1]
    )
    return build_row(kpi, recent, today or timezone.localdate())


def kpi_chart_series(user, kpi: KPI, *, today: date | None = None, periods: int = CHART_PERIODS):
    """(labels, values) for the KPI's chart: the last ``periods`` periods, gaps as None."""
    today = today or timezone.localdate()
    starts = kpi_status.recent_periods(today, kpi.frequency, periods)
    current = kpi_status.align_period(today, kpi.frequency)
    values = dict(_values_of(user, kpi).filter(period__gte=starts[0]).values_list("period", "value"))
    if current in values:
        starts = starts[1:] + [current]
    labels = [kpi_status.short_period_label(p, kpi.frequency) for p in starts]
    return labels, [values.get(p) for p in starts]


def measurement_list(user, organization):
    """Measurements ``user`` may see, newest first, with KPI and recorder."""
    return (
        Measurement.objects.visible_to(user)
        .filter(organization=organization)
        .select_related("kpi", "recorded_by")
        .order_by("-period", "kpi__name")
    )


def kpi_measurements(user, kpi: KPI):
    return _values_of(user, kpi).select_related("recorded_by").order_by("-period")


def measurement_changes(user, kpi: KPI, *, limit: int = 10):
    """Recent changes to the KPI's values (who entered or corrected what), newest
    first; none for a reader who may not see the KPI's values."""
    if user is not None and not has_perm(user, kpi.organization, Measurement.view_permission):
        return []
    return list(
        Measurement.history.filter(kpi_id=kpi.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )


# ---------------------------------------------- for the dashboard / reports ----

WORST_FIRST = {kpi_status.RED: 0, kpi_status.STALE: 1, kpi_status.AMBER: 2, kpi_status.GREEN: 3}


def number_text(value: Decimal | None) -> str | None:
    """A KPI value or threshold as exact JSON text without trailing zeros ("93.5")."""
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return text


def kpi_overview(
    organization, *, user, today: date | None = None, item_limit: int | None = None, as_of: date | None = None
) -> dict:
    """The scorecard for the dashboard and reports, as plain JSON-ready values:
    ``total`` and the counts by status (``green``, ``amber``, ``red``,
    ``stale``: ``kpi_status.display_status``, the one status shown and
    counted), and the KPIs worst first (``item_limit`` of them, all by
    default), each with value, target and status together (numbers as exact
    text) and the last day of the value's period (``as_of``). Scoped to what
    ``user`` may see; ``user=None``, written out, is Concord itself (report
    snapshots): the whole organization. ``as_of``: the scorecard as it stood
    that day (values of periods starting by then). One query."""
    today = as_of or today or timezone.localdate()
    kpis = (
        KPI.objects.in_org(organization)
        if user is None
        else (KPI.objects.visible_to(user).filter(organization=organization))
    )
    rows = list(
        _with_latest(kpis, as_of)
        .order_by("domain", "name")
        .values(
            "id",
            "name",
            "key",
            "domain",
            "unit",
            "direction",
            "target",
            "warning",
            "critical",
            "frequency",
            "latest_period",
            "latest_value",
        )
    )
    counts = dict.fromkeys(STATUSES, 0)
    ranked = []
    for row in rows:
        colour = kpi_status.status_for(
            row["latest_value"],
            direction=row["direction"],
            target=row["target"],
            warning=row["warning"],
            critical=row["critical"],
        )
        stale = kpi_status.is_stale(row["latest_period"], frequency=row["frequency"], today=today)
        shown = kpi_status.display_status(colour, stale)
        counts[shown] += 1
        ranked.append((shown, row))
    ranked.sort(key=lambda pair: (WORST_FIRST[pair[0]], pair[1]["name"]))
    items = [
        {
            "id": row["id"],
            "name": row["name"],
            "key": row["key"],
            "domain": row["domain"],
            "unit": row["unit"],
            "direction": row["direction"],
            "status": shown,
            "target": number_text(row["target"]),
            "warning": number_text(row["warning"]),
            "value": number_text(row["latest_value"]),
            "period": row["latest_period"].isoformat() if row["latest_period"] else None,
            "as_of": _value_as_of(row["latest_period"], row["frequency"], today),
        }
        for shown, row in ranked[:item_limit]
    ]
    return {"total": len(rows), **counts, "items": items}


def _value_as_of(period: date | None, frequency: str, today: date) -> str | None:
    """The day a value speaks for: its period's last day (today while the period runs)."""
    if period is None:
        return None
    return min(kpi_status.period_end(period, frequency), today).isoformat()


HEADLINE_TREND_PERIODS = 6


def _meaning(description: str) -> str:
    """A KPI's one line of meaning: the first sentence of its description, whole."""
    text = " ".join((description or "").split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def kpi_headline(
    organization, kpi_ids, *, user=None, today: date | None = None, as_of: date | None = None
) -> list[dict]:
    """The board pack's headline KPIs, in the order given, as plain JSON-ready
    values: value with unit, target, status (``display_status``), trend
    (``status.trend_for``: improving / worsening / flat), the last
    ``HEADLINE_TREND_PERIODS`` values and one line of meaning. KPIs the reader
    may not see, or that no longer exist, are left out. ``as_of``: as they
    stood that day. Three queries."""
    today = as_of or today or timezone.localdate()
    kpis = KPI.objects.in_org(organization) if user is None else KPI.objects.visible_to(user)
    found = kpis.filter(organization=organization, pk__in=list(kpi_ids)).in_bulk()
    ids = [pk for pk in kpi_ids if pk in found]
    recent = _recent_values(
        ids, per_kpi=max(HEADLINE_TREND_PERIODS, kpi_status.TREND_WINDOW + 1), as_of=as_of
    )
    rows = []
    for pk in ids:
        kpi = found[pk]
        row = build_row(kpi, recent.get(pk, []), today)
        values = [number_text(v) for _, v in reversed(recent.get(pk, [])[:HEADLINE_TREND_PERIODS])]
        rows.append(
            {
                "id": kpi.pk,
                "name": kpi.name,
                "domain": kpi.domain,
                "unit": kpi.unit,
                "direction": kpi.direction,
                "value": number_text(row.latest_value),
                "period": row.latest_label,
                "as_of": _value_as_of(row.latest_period, kpi.frequency, today),
                "target": number_text(kpi.target),
                "status": row.display_status,
                "trend": row.trend,
                "recent": values,
                "meaning": _meaning(kpi.description),
            }
        )
    return rows
