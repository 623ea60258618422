"""KPI notifications (see core.notifications.catalogue): a KPI whose latest
value turned red (told as soon as the value is committed, and found again by
the sweep), or that went stale (no value for the period now expected). Each
is told once per period: the sweep finds it already told."""

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
        _tell_if_turned_red(kpi, latest, people, link)


def _tell_if_turned_red(kpi: KPI, latest: list, people: list, link: str) -> None:
    """``latest``: the two newest (period, value), newest first."""
    if not latest:
        return
    period = latest[0][0]
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


def kpis_turned_red(kpi_ids) -> None:
    """Run on commit of new values (kpis.services): tell at once of a KPI they turned red."""
    for kpi in (
        KPI.objects.filter(pk__in=list(kpi_ids)).select_related("organization", "owner").order_by("pk")
    ):
        latest = list(
            Measurement.objects.filter(kpi=kpi).order_by("-period").values_list("period", "value")[:2]
        )
        people = [*members_with(kpi.organization, Perm.KPI_VIEW), *([kpi.owner] if kpi.owner else [])]
        _tell_if_turned_red(kpi, latest, people, reverse("kpis:detail", args=[kpi.organization.slug, kpi.pk]))


def on_values_committed(kpi_ids) -> None:
    """Call inside the transaction writing values: the check runs once it commits."""
    from django.db import transaction

    ids = sorted(set(kpi_ids))
    if ids:
        transaction.on_commit(lambda: kpis_turned_red(ids), robust=True)
