"""Demo data: 20 KPIs (21 when no app computes intake time to decision) with 24 months of plausible history for the demo
organization, a few red and a few stale. Idempotent: KPIs are found by key,
values are upserted (a second run changes nothing)."""

from __future__ import annotations

import random
from decimal import Decimal

from django.utils import timezone

from core.roles import Role

from . import services
from . import status as kpi_status
from .library import STARTER_LIBRARY, library_entries
from .models import KPI, Source

# Where each KPI ends up (its latest value), so the scorecard tells a story:
# most green, some amber, a few red. Start values drift towards these.
ENDINGS = {
    "service_availability": ("99.5", "99.93"),
    "change_success_rate": ("86", "93.5"),
    "projects_on_time": ("78", "58"),
    "service_desk_first_contact": ("62", "71"),
    "major_incidents": ("4", "1"),
    "mttp_critical": ("21", "34"),
    "edr_coverage": ("88", "98.6"),
    "phishing_click_rate": ("14", "6.8"),
    "mttd": ("120", "30"),
    "mfa_coverage": ("91", "99.2"),
    "awareness_completion": ("70", "92"),
    "critical_vulns_overdue": ("22", "9"),
    "mttr": ("30", "6"),
    "backup_restore_success": ("88", "100"),
    "intake_time_to_decision": ("34", "12"),
    "access_review_completion": ("60", "95"),
    "security_in_projects": ("55", "84"),
    "cyber_budget_share": ("6", "9.1"),
    "cloud_cost_variance": ("18", "6"),
    "vendor_assessments_current": ("55", "88"),
    "alerts_triaged_in_sla": ("80", "96"),
}
# Latest periods left empty: these KPIs show as stale.
MISSING_LATEST = {"backup_restore_success": 2, "access_review_completion": 1, "security_in_projects": 1}
# Fed by machines through the API rather than typed in.
API_FED = {"service_availability", "edr_coverage", "mttd", "alerts_triaged_in_sla", "mfa_coverage"}

EXTRA_KPIS = (
    {
        "key": "cloud_cost_variance",
        "name": "Cloud spend over forecast",
        "domain": "it",
        "unit": "percent",
        "direction": "lower",
        "target": "5",
        "warning": "10",
        "critical": "20",
        "frequency": "monthly",
        "csf_function": "",
        "description": "How far the month's cloud bill exceeded the forecast: "
        "(actual − forecast) ÷ forecast × 100, 0 when under forecast.",
    },
    {
        "key": "vendor_assessments_current",
        "name": "Critical vendors with a current risk assessment",
        "domain": "security",
        "unit": "percent",
        "direction": "higher",
        "target": "100",
        "warning": "90",
        "critical": "75",
        "frequency": "quarterly",
        "csf_function": "GV",
        "description": "Share of critical "
        "third parties whose security risk assessment is less than twelve months old at the end of the quarter.",
    },
    {
        "key": "alerts_triaged_in_sla",
        "name": "Critical alerts triaged within SLA",
        "domain": "security",
        "unit": "percent",
        "direction": "higher",
        "target": "95",
        "warning": "90",
        "critical": "80",
        "frequency": "weekly",
        "csf_function": "DE",
        "description": "Share of critical security alerts the SOC "
        "triaged within 30 minutes during the week: alerts triaged in time ÷ critical alerts × 100.",
    },
)


def _history(kpi: KPI, periods: int) -> list[Decimal]:
    start, end = (Decimal(v) for v in ENDINGS.get(kpi.key, (kpi.critical, kpi.target)))
    rng = random.Random(f"concord-demo-{kpi.key}")
    noise = abs(kpi.target - kpi.critical) * Decimal("0.12")
    values = []
    for i in range(periods):
        share = Decimal(i) / Decimal(max(periods - 1, 1))
        value = start + (end - start) * share
        if i < periods - 1:  # the last value lands exactly where the story needs it
            value += noise * Decimal(str(rng.uniform(-1, 1)))
        if kpi.unit == "percent":
            value = min(max(value, Decimal(0)), Decimal(100))
        value = max(value, Decimal(0))
        places = Decimal("1") if kpi.unit == "count" else Decimal("0.01")
        values.append(value.quantize(places))
    return values


def _ensure_kpis(organization, people) -> list[KPI]:
    existing = {k.key: k for k in KPI.objects.filter(organization=organization).exclude(key="")}
    owners = {"it": people[Role.CIO], "security": people[Role.CISO]}
    kpis = []
    offered = {entry.key for entry in library_entries()}
    for entry in STARTER_LIBRARY:
        if entry.key not in offered and entry.key not in existing:
            continue  # replaced by a computed KPI of another app
        kpi = existing.get(entry.key) or services.kpi_add_from_library(
            actor=people[Role.CIO], organization=organization, key=entry.key
        )
        kpis.append(kpi)
    for spec in EXTRA_KPIS:
        kpi = existing.get(spec["key"]) or services.kpi_create(
            actor=people[Role.CISO], organization=organization, owner=None, **spec
        )
        kpis.append(kpi)
    for index, kpi in enumerate(kpis):
        owner = owners.get(kpi.domain) or (people[Role.CIO] if index % 2 else people[Role.CISO])
        if kpi.owner_id is None:
            KPI.objects.filter(pk=kpi.pk).update(owner=owner)
    return kpis


def seed(organization, people) -> None:
    today = timezone.localdate()
    kpis = _ensure_kpis(organization, people)
    for kpi in kpis:
        count = {"weekly": 104, "monthly": 24, "quarterly": 8}[kpi.frequency]
        periods = kpi_status.recent_periods(today, kpi.frequency, count)
        values = _history(kpi, count)
        skip = MISSING_LATEST.get(kpi.key, 0)
        pairs = (
            list(zip(periods, values, strict=True))[: count - skip]
            if skip
            else zip(periods, values, strict=True)
        )
        items = [{"kpi": kpi.pk, "period": p, "value": v, "note": ""} for p, v in pairs]
        actor = people[Role.CISO] if kpi.domain == "security" else people[Role.CIO]
        services.measurements_bulk_upsert(
            actor=actor,
            organization=organization,
            items=items,
            source=Source.API if kpi.key in API_FED else Source.MANUAL,
            today=today,
        )
    # Computed KPIs registered by other apps: values follow once their data is seeded
    # (the refresh runs when the seeding transaction commits).
    for index, entry in enumerate(e for e in library_entries() if e.computed):
        if not KPI.objects.filter(organization=organization, key=entry.key).exists():
            kpi = services.kpi_add_from_library(
                actor=people[Role.CIO], organization=organization, key=entry.key
            )
            KPI.objects.filter(pk=kpi.pk).update(owner=people[Role.CISO] if index % 2 else people[Role.CIO])
