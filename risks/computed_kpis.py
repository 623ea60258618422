"""KPIs computed from the risk register, plugged into the scorecard through
the kpis registry. Each is measured as the register stood at the end of the
period (read from the change history), so re-computing a past period gives
the same answer later."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from kpis.registry import computed_kpi

from .models import Risk
from .selectors import above_appetite_q, annotate_levels, divergent_q, open_q


def risks_as_of(organization, day: date):
    """The organization's risks as they stood at the end of ``day`` (historical rows)."""
    moment = datetime.combine(day, time.max)
    if settings.USE_TZ:
        moment = timezone.make_aware(moment)
    history = Risk.history.model
    latest = (
        history.objects.filter(id=OuterRef("id"), history_date__lte=moment)
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    rows = history.objects.filter(organization=organization, history_date__lte=moment)
    return rows.filter(history_id=Subquery(latest)).exclude(history_type="-")


@computed_kpi(
    key="open_risks_above_appetite",
    name="Open risks above appetite",
    description="Risks not accepted or closed whose current score (agreed, else the higher of the CIO's and the "
    "CISO's) is above the organization's risk appetite, at the end of the period.",
    unit="count",
    direction="lower",
    domain="joint",
    frequency="monthly",
    target=0,
    warning=3,
    critical=8,
    csf_function="GV",
)
def open_risks_above_appetite(organization, period_start: date, period_end: date) -> Decimal | None:
    rows = risks_as_of(organization, period_end)
    figures = rows.aggregate(
        total=Count("pk"),
        above=Count("pk", filter=above_appetite_q(organization)),
    )
    if not figures["total"]:
        return None
    return Decimal(figures["above"])


@computed_kpi(
    key="divergent_risk_assessments",
    name="Divergent risk assessments",
    description="Share of open risks assessed by both the CIO and the CISO whose two views are a level "
    "or more apart and not yet agreed, at the end of the period.",
    unit="percent",
    direction="lower",
    domain="joint",
    frequency="monthly",
    target=10,
    warning=25,
    critical=40,
    csf_function="GV",
)
def divergent_risk_assessments(organization, period_start: date, period_end: date) -> Decimal | None:
    rows = annotate_levels(risks_as_of(organization, period_end), organization)
    both = open_q() & Q(cio_score__isnull=False, ciso_score__isnull=False)
    figures = rows.aggregate(both=Count("pk", filter=both), divergent=Count("pk", filter=divergent_q()))
    if not figures["both"]:
        return None
    share = Decimal(figures["divergent"]) * 100 / figures["both"]
    return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
