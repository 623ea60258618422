"""Every read in project intake, scoped to the user. Clocks are computed from
the request's timestamps and pauses with the pure functions of intake_rules;
list pages prefetch the pauses so they cost a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from core.models import Organization
from core.selectors import signoffs_waiting_for

from .. import intake_rules
from ..models import IntakePause, IntakeRequest, IntakeSettings, IntakeStatus, Tier
from ..models.intake import DECIDED_STATUSES, OPEN_STATUSES
from ..services.intake import DECISION_PURPOSE, intake_settings_get

SORTS = {"sla": None, "-sla": None, "submitted": "submitted_at", "-submitted": "-submitted_at",
         "title": "title", "-title": "-title", "tier": "tier", "-tier": "-tier", "reference": "reference",
         "-reference": "-reference", "status": "status", "-status": "-status"}
TIER_ORDER = {Tier.HIGH: 0, Tier.MEDIUM: 1, Tier.LOW: 2}


@dataclass(frozen=True)
class Clock:
    elapsed_days: float  # business days counted towards the SLA so far (or until the decision)
    sla_days: int
    sla_status: str  # on_track / at_risk / breached
    paused: bool
    age_days: int  # calendar days since submission
    first_response_days: float | None
    decision_days: float | None

    @property
    def used_share(self) -> float:
        return intake_rules.sla_used_share(self.elapsed_days, self.sla_days)

    @property
    def bar_percent(self) -> int:
        return max(2, min(100, round(self.used_share * 100)))

    @property
    def remaining_days(self) -> float:
        return round(self.sla_days - self.elapsed_days, 1)

    @property
    def label(self) -> str:
        return intake_rules.SLA_LABELS[self.sla_status]

    @property
    def css(self) -> str:
        return "paused" if self.paused else self.sla_status


def _local(value: datetime) -> datetime:
    return timezone.localtime(value)


def request_clock(request: IntakeRequest, settings: IntakeSettings, *, now: datetime | None = None) -> Clock:
    """The request's clocks. Uses ``request.pauses.all()`` (prefetch it for lists)."""
    now = _local(now or timezone.now())
    start = _local(request.submitted_at)
    pauses = [(_local(p.started_at), _local(p.ended_at) if p.ended_at else None) for p in request.pauses.all()]
    end = _local(request.decided_at) if request.decided_at else now
    elapsed = intake_rules.business_days(start, end, pauses)
    first = (intake_rules.business_days(start, _local(request.first_response_at))
             if request.first_response_at else None)
    return Clock(
        elapsed_days=round(elapsed, 1),
        sla_days=request.sla_days,
        sla_status=intake_rules.sla_status(elapsed, request.sla_days, at_risk_percent=settings.at_risk_percent),
        paused=request.status == IntakeStatus.NEEDS_INFO,
        age_days=(end.date() - start.date()).days,
        first_response_days=round(first, 1) if first is not None else None,
        decision_days=round(elapsed, 1) if request.decided_at else None,
    )


def _with_related(qs):
    return qs.select_related("requester").prefetch_related(
        Prefetch("pauses", queryset=IntakePause.objects.order_by("started_at")))


@dataclass
class QueueRow:
    request: IntakeRequest
    clock: Clock


def intake_request_list(*, user, organization: Organization, status: str = "", tier: str = "", sla: str = "",
                        mine: bool = False, search: str = "", sort: str = "sla") -> list[QueueRow]:
    """Requests the user may see, each with its clock. ``sort="sla"`` puts the
    most urgent first: breached, then at risk, by share of the SLA used."""
    qs = IntakeRequest.objects.visible_to(user).filter(organization=organization)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status == "decided":
        qs = qs.filter(status__in=DECIDED_STATUSES)
    elif status in IntakeStatus.values:
        qs = qs.filter(status=status)
    if tier in Tier.values:
        qs = qs.filter(tier=tier)
    if mine:
        qs = qs.filter(requester=user)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(reference__iexact=search))
    if SORTS.get(sort):
        qs = qs.order_by(SORTS[sort], "pk")
    settings = intake_settings_get(organization=organization)
    now = timezone.now()
    rows = [QueueRow(request=r, clock=request_clock(r, settings, now=now)) for r in _with_related(qs)]
    if sla in intake_rules.SLA_LABELS:
        rows = [row for row in rows if row.request.is_open and row.clock.sla_status == sla]
    if sort in ("sla", "-sla"):
        rows.sort(key=lambda row: (not row.request.is_open, -row.clock.used_share if row.request.is_open else 0,
                                   -row.request.submitted_at.timestamp()), reverse=sort == "-sla")
    return rows


def intake_request_get(*, user, organization: Organization, pk: int) -> IntakeRequest:
    """One request the user may see (404 otherwise), with what its page shows."""
    from django.shortcuts import get_object_or_404

    qs = _with_related(IntakeRequest.objects.visible_to(user).filter(organization=organization)).prefetch_related(
        "options__created_by", "conditions", "comments__author", "risk_links")
    return get_object_or_404(qs, pk=pk)


def intake_queue_summary(organization: Organization) -> dict:
    """The intake queue's state for the dashboard and the alignment report.

    Returns ``{"open": int, "open_by_status": {status: n}, "open_by_tier":
    {tier: n}, "breached": int, "at_risk": int, "on_track": int,
    "median_days_to_decision": float | None (business days, decisions of the
    last 90 days), "decided_90d": int, "decided_within_sla_share": float | None
    (0–1)}``. Not scoped to a user: call it for an organization the caller may
    already see. Four queries whatever the queue's size.
    """
    settings = intake_settings_get(organization=organization)
    now = timezone.now()
    since = now - timedelta(days=90)
    base = IntakeRequest.objects.filter(organization=organization)
    open_rows = list(base.filter(status__in=OPEN_STATUSES).prefetch_related("pauses"))
    decided = list(base.filter(status__in=DECIDED_STATUSES, decided_at__gte=since).prefetch_related("pauses"))
    clocks = [request_clock(r, settings, now=now) for r in open_rows]
    decided_clocks = [request_clock(r, settings, now=now) for r in decided]
    by_status = {s: 0 for s in OPEN_STATUSES}
    by_tier = {t: 0 for t in Tier.values}
    for row in open_rows:
        by_status[row.status] += 1
        by_tier[row.tier] += 1
    within = sum(1 for c in decided_clocks if c.decision_days is not None and c.decision_days <= c.sla_days)
    return {
        "open": len(open_rows),
        "open_by_status": {str(k): v for k, v in by_status.items()},
        "open_by_tier": by_tier,
        "breached": sum(1 for c in clocks if c.sla_status == intake_rules.BREACHED),
        "at_risk": sum(1 for c in clocks if c.sla_status == intake_rules.AT_RISK),
        "on_track": sum(1 for c in clocks if c.sla_status == intake_rules.ON_TRACK),
        "median_days_to_decision": intake_rules.median_days(c.decision_days for c in decided_clocks),
        "decided_90d": len(decided_clocks),
        "decided_within_sla_share": (within / len(decided_clocks)) if decided_clocks else None,
    }


def intake_waiting_for(organization: Organization, role: str) -> list[IntakeRequest]:
    """Open requests with a proposed decision that still wait for ``role``'s
    signature ("cio" or "ciso") on their current version. Two queries."""
    candidates = list(IntakeRequest.objects.filter(organization=organization, status__in=OPEN_STATUSES)
                      .exclude(proposed_decision="").order_by("submitted_at"))
    waiting = signoffs_waiting_for(organization=organization, role=role,
                                   subjects_by_purpose={DECISION_PURPOSE: candidates})
    return [subject for _, subject in waiting]


def intake_status_counts(*, user, organization: Organization) -> dict[str, int]:
    rows = (IntakeRequest.objects.visible_to(user).filter(organization=organization)
            .values("status").annotate(n=Count("pk")))
    return {row["status"]: row["n"] for row in rows}


def median_decision_days(organization: Organization, start: datetime, end: datetime) -> float | None:
    """Median business days to decision of the requests decided in [start, end)."""
    settings = intake_settings_get(organization=organization)
    decided = _with_related(IntakeRequest.objects.filter(organization=organization, status__in=DECIDED_STATUSES,
                                                         decided_at__gte=start, decided_at__lt=end))
    return intake_rules.median_days(request_clock(r, settings).decision_days for r in decided)
