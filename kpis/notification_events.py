"""KPI notifications (see core.notifications.catalogue): a KPI whose latest
value turned red, or that went stale (no value for the period now expected).
Found by the daily sweep; each is told once per period."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from core.notifications.catalogue import register_event, register_sweep
from core.notifications.services import members_with, notify
from core.roles import Perm

from . import status as kpi_status
from .models import KPI, Measurement

register_event("kpi.turned_red", category="kpis", label="A KPI turned red")
register_event("kpi.stale", category="kpis", label="A KPI went stale (no recent value)")


def _colour(kpi: KPI, value) -> str | None:
    return kpi_status.status_for(
        value, direction=kpi.direction, target=kpi.target, warning=kpi.warning, critical=kpi.critical
    )


@register_sweep
def kpi_sweep(*, today: date) -> None:
    for kpi in KPI.objects.select_related("organization", "owner").order_by("pk"):
        latest = list(
            Measurement.objects.filter(kpi=kpi).order_by("-period").values_list("period", "value")[:2]
        )
        people = [*members_with(kpi.organization, Perm.KPI_VIEW), *([kpi.owner] if kpi.owner else [])]
        link = reverse("kpis:detail", args=[kpi.organization.slug, kpi.pk])
        period = latest[0][0] if latest else None
        if kpi_status.is_stale(period, frequency=kpi.frequency, today=today):
            expected = kpi_status.latest_expected_period(today, kpi.frequency)
            notify(
                event="kpi.stale",
                organization=kpi.organization,
                recipients=people,
                subject=kpi,
                title=f"KPI “{kpi.name}” has no value for {kpi_status.period_label(expected, kpi.frequency)}",
                link=link,
                key=f"kpi-stale:{kpi.pk}:{expected}",
            )
            continue
        now_red = _colour(kpi, latest[0][1]) == kpi_status.RED
        was_red = len(latest) > 1 and _colour(kpi, latest[1][1]) == kpi_status.RED
        if now_red and not was_red:
            notify(
                event="kpi.turned_red",
                organization=kpi.organization,
                recipients=people,
                subject=kpi,
                title=f"KPI “{kpi.name}” turned red ({latest[0][1]} for "
                f"{kpi_status.period_label(period, kpi.frequency)})",
                link=link,
                key=f"kpi-red:{kpi.pk}:{period}",
            )
