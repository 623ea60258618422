"""Every read in project intake, scoped to the user.

Each request stores its SLA moments (``sla_due_at`` and ``sla_at_risk_at``
while its clock runs, ``sla_elapsed_days`` while it stands still; see
``intake_rules.sla_moments``), kept current by the services. Lists filter,
count and sort by SLA state in the database at a given ``now``, and clocks are
computed from the stored moments of the rows shown only, without reading the
pauses: every list costs a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case, CharField, Count, F, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import ExpressionWrapper
from django.urls import reverse
from django.utils import timezone

from core.models import Organization
from core.selectors import signoffs_waiting_for

from . import rules as intake_rules
from .models import DECIDED_STATUSES, OPEN_STATUSES, IntakeRequest, IntakeSettings, IntakeStatus, Tier
from .rules import AT_RISK, BREACHED, ON_TRACK
from .services import DECISION_PURPOSE, intake_settings_get

# "sla" (the default) puts the most urgent first: open requests whose clock
# runs, by the moment their SLA is (or was) breached, i.e. by time left; then
# the paused ones (waiting for the requester: their clock stands still, so they
# cannot become more urgent) by share of the SLA used, as before; then the
# decided ones, newest first. "-sla" is the exact reverse.
SORTS = {
    "sla": None,
    "-sla": None,
    "submitted": "submitted_at",
    "-submitted": "-submitted_at",
    "title": "title",
    "-title": "-title",
    "tier": "tier",
    "-tier": "-tier",
    "reference": "reference",
    "-reference": "-reference",
    "status": "status",
    "-status": "-status",
}
TIER_ORDER = {Tier.HIGH: 0, Tier.MEDIUM: 1, Tier.LOW: 2}
DEFAULT_AT_RISK_PERCENT = 75


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


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value else None


def _elapsed(request: IntakeRequest, now: datetime) -> float:
    """Business days the request's clock has counted at ``now`` (local), from its stored moments."""
    moments = intake_rules.SlaMoments(
        due_at=_local(request.sla_due_at),
        at_risk_at=_local(request.sla_at_risk_at),
        elapsed_days=request.sla_elapsed_days,
    )
    return intake_rules.elapsed_at(moments, request.sla_days, now)


def request_clock(request: IntakeRequest, settings: IntakeSettings, *, now: datetime | None = None) -> Clock:
    """The request's clocks, from its stored SLA moments (no query)."""
    now = _local(now or timezone.now())
    start = _local(request.submitted_at)
    end = _local(request.decided_at) or now
    elapsed = _elapsed(request, now)
    first = (
        intake_rules.business_days(start, _local(request.first_response_at))
        if request.first_response_at
        else None
    )
    return Clock(
        elapsed_days=round(elapsed, 1),
        sla_days=request.sla_days,
        sla_status=intake_rules.sla_status(
            elapsed, request.sla_days, at_risk_percent=settings.at_risk_percent
        ),
        paused=request.status == IntakeStatus.NEEDS_INFO,
        age_days=(end.date() - start.date()).days,
        first_response_days=round(first, 1) if first is not None else None,
        decision_days=round(elapsed, 1) if request.decided_at else None,
    )


# ------------------------------------------------------- SLA in the database ---


def _at_risk_threshold(at_risk_percent: int) -> ExpressionWrapper:
    return ExpressionWrapper(F("sla_days") * Value(at_risk_percent / 100), output_field=FloatField())


def breached_q(now: datetime) -> Q:
    """Open requests past their SLA at ``now`` (``sla_status`` says breached)."""
    stopped = Q(sla_due_at__isnull=True, sla_elapsed_days__gt=F("sla_days"))
    return Q(status__in=OPEN_STATUSES) & (Q(sla_due_at__lt=now) | stopped)


def sla_state_q(state: str, now: datetime, at_risk_percent: int) -> Q:
    """Open requests in SLA ``state`` (on_track / at_risk / breached) at ``now``,
    exactly as ``intake_rules.sla_status`` classifies their clocks."""
    if state == BREACHED:
        return breached_q(now)
    threshold = _at_risk_threshold(at_risk_percent)
    stopped = Q(sla_due_at__isnull=True)
    if state == AT_RISK:
        states = Q(sla_at_risk_at__lte=now, sla_due_at__gte=now) | stopped & Q(
            sla_elapsed_days__gte=threshold, sla_elapsed_days__lte=F("sla_days")
        )
    else:
        states = Q(sla_at_risk_at__gt=now) | stopped & (
            Q(sla_elapsed_days__isnull=True) | Q(sla_elapsed_days__lt=threshold)
        )
    return Q(status__in=OPEN_STATUSES) & states


def _urgency_order(*, reverse: bool = False) -> list:
    """The "sla" sort (see SORTS) as ORDER BY expressions. Running clocks have a
    ``sla_due_at`` (paused and decided ones do not: nulls last); paused ones a
    share of the SLA used (decided ones do not: nulls last). The index on
    (organization, sla_due_at) serves the first page without sorting the queue."""
    paused_share = Case(
        When(
            Q(status__in=OPEN_STATUSES, sla_due_at__isnull=True),
            then=ExpressionWrapper(F("sla_elapsed_days") / F("sla_days"), output_field=FloatField()),
        ),
        default=None,
        output_field=FloatField(),
    )
    if reverse:
        return [
            F("sla_due_at").desc(nulls_first=True),
            paused_share.asc(nulls_first=True),
            F("submitted_at").asc(),
            F("pk").asc(),
        ]
    return [
        F("sla_due_at").asc(nulls_last=True),
        paused_share.desc(nulls_last=True),
        F("submitted_at").desc(),
        F("pk").desc(),
    ]


def _scope(organization: Organization, user=None) -> QuerySet:
    """The organization's requests the user may see (all of them without a user: the report's reading)."""
    if user is None:
        return IntakeRequest.objects.in_org(organization)
    return IntakeRequest.objects.visible_to(user).filter(organization=organization)


def _at_risk_percent(organization: Organization) -> int:
    """The threshold without creating a settings row (read-only callers)."""
    found = IntakeSettings.objects.filter(organization=organization).values_list("at_risk_percent", flat=True)
    return next(iter(found), DEFAULT_AT_RISK_PERCENT)


# ----------------------------------------------------------------- queue ---


@dataclass
class QueueRow:
    request: IntakeRequest
    clock: Clock


def intake_request_list(
    *,
    user,
    organization: Organization,
    status: str = "",
    tier: str = "",
    sla: str = "",
    mine: bool = False,
    search: str = "",
    sort: str = "sla",
    now: datetime | None = None,
    settings: IntakeSettings | None = None,
) -> QuerySet:
    """Requests the user may see, filtered and sorted in the database (see
    SORTS): paginate it, then give the page to ``queue_rows`` for the clocks.
    ``sla`` keeps the open requests in that SLA state at ``now``."""
    qs = _scope(organization, user).select_related("requester")
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
    if sla in intake_rules.SLA_LABELS:
        settings = settings or intake_settings_get(organization=organization)
        qs = qs.filter(sla_state_q(sla, now or timezone.now(), settings.at_risk_percent))
    if SORTS.get(sort):
        return qs.order_by(SORTS[sort], "pk")
    return qs.order_by(*_urgency_order(reverse=sort == "-sla"))


def queue_rows(requests, *, settings: IntakeSettings, now: datetime | None = None) -> list[QueueRow]:
    """Each request (one page of ``intake_request_list``) with its clock."""
    now = now or timezone.now()
    return [QueueRow(request=r, clock=request_clock(r, settings, now=now)) for r in requests]


def intake_request_get(*, user, organization: Organization, pk: int) -> IntakeRequest:
    """One request the user may see (404 otherwise), with what its page shows."""
    from django.shortcuts import get_object_or_404

    qs = (
        _scope(organization, user)
        .select_related("requester")
        .prefetch_related("options__created_by", "conditions", "comments__author", "risk_links")
    )
    return get_object_or_404(qs, pk=pk)


# --------------------------------------------------------------- figures ---


def _median(values_qs: QuerySet, field: str, count: int) -> float | None:
    """Median of ``field`` over ``count`` non-null rows: reads the middle one or two only."""
    if not count:
        return None
    middle = (
        values_qs.filter(**{f"{field}__isnull": False}).order_by(field, "pk").values_list(field, flat=True)
    )
    return intake_rules.median_days(middle[(count - 1) // 2 : count // 2 + 1])


def _counts(base: QuerySet, *, now: datetime, at_risk_percent: int) -> dict:
    """Every count of the overview from one grouped query: open requests by
    status, tier and SLA state; the decisions of the window ending at ``now`` by
    whether they came within the SLA (or have no stored time)."""
    window = decided_in_window_q(now)
    bucket = Case(
        When(breached_q(now), then=Value(BREACHED)),
        When(sla_state_q(AT_RISK, now, at_risk_percent), then=Value(AT_RISK)),
        When(status__in=OPEN_STATUSES, then=Value(ON_TRACK)),
        When(sla_elapsed_days__lte=F("sla_days"), then=Value("on_time")),
        When(sla_elapsed_days__isnull=True, then=Value("untimed")),
        default=Value("late"),
        output_field=CharField(),
    )
    groups = (
        base.filter(Q(status__in=OPEN_STATUSES) | window)
        .annotate(bucket=bucket)
        .values("status", "tier", "bucket")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(
        ("open", ON_TRACK, AT_RISK, BREACHED, "decided", "decided_on_time", "decided_timed"), 0
    )
    counts.update({f"status:{s}": 0 for s in OPEN_STATUSES} | {f"tier:{t}": 0 for t in Tier.values})
    for group in groups:
        n, bucket_name = group["n"], group["bucket"]
        if group["status"] in OPEN_STATUSES:
            for key in ("open", bucket_name, f"status:{group['status']}", f"tier:{group['tier']}"):
                counts[key] += n
            continue
        counts["decided"] += n
        counts["decided_on_time"] += n if bucket_name == "on_time" else 0
        counts["decided_timed"] += 0 if bucket_name == "untimed" else n
    return counts


def _queue_entry(
    request: IntakeRequest, organization: Organization, *, now: datetime, at_risk_percent: int
) -> dict:
    elapsed = _elapsed(request, now)
    state = intake_rules.sla_status(elapsed, request.sla_days, at_risk_percent=at_risk_percent)
    return {
        "id": request.pk,
        "reference": request.reference,
        "title": request.title,
        "tier": request.tier,
        "status": request.status,
        "sla_days": request.sla_days,
        "elapsed_days": round(elapsed, 1),
        "left_days": round(request.sla_days - elapsed, 1),
        "sla_state": state,
        "sla_label": intake_rules.SLA_LABELS[state],
        "used": round(min(intake_rules.sla_used_share(elapsed, request.sla_days), 1.0), 2),
        "url": reverse("governance:intake_detail", args=[organization.slug, request.pk]),
    }


def _lists(
    base: QuerySet, organization: Organization, *, now: datetime, at_risk_percent: int, limit: int
) -> tuple[list[dict], list[dict]]:
    """The ``limit`` open requests with the least time left and the ``limit``
    latest decisions, in one query. Time left is exact: the first ``limit`` of
    the running clocks (by breach moment) are merged with the first ``limit``
    of the paused ones (by days left)."""
    fields = (
        "id",
        "reference",
        "title",
        "tier",
        "status",
        "sla_days",
        "submitted_at",
        "decided_at",
        "sla_due_at",
        "sla_at_risk_at",
        "sla_elapsed_days",
    )
    running = base.filter(status__in=OPEN_STATUSES, sla_due_at__isnull=False).order_by(
        "sla_due_at", "submitted_at"
    )
    paused = base.filter(status__in=OPEN_STATUSES, sla_due_at__isnull=True).order_by(
        ExpressionWrapper(F("sla_days") - F("sla_elapsed_days"), output_field=FloatField()).asc(
            nulls_last=True
        ),
        "submitted_at",
    )
    recent = base.filter(decided_in_window_q(now)).order_by("-decided_at", "-pk")
    rows = base.filter(
        Q(pk__in=running.values("pk")[:limit])
        | Q(pk__in=paused.values("pk")[:limit])
        | Q(pk__in=recent.values("pk")[:limit])
    ).only(*fields)
    open_rows, decided_rows = [], []
    for row in rows:
        (decided_rows if row.status in DECIDED_STATUSES else open_rows).append(row)
    entries = [
        (_queue_entry(r, organization, now=now, at_risk_percent=at_risk_percent), r.submitted_at)
        for r in open_rows
    ]
    queue = [entry for entry, _submitted in sorted(entries, key=lambda e: (e[0]["left_days"], e[1]))]
    decided_rows.sort(key=lambda r: (r.decided_at, r.pk), reverse=True)
    decisions = [
        {
            "reference": r.reference,
            "title": r.title,
            "decision": IntakeStatus(r.status).label,
            "decided_at": r.decided_at.isoformat(),
            "tier": r.tier,
            "url": reverse("governance:intake_detail", args=[organization.slug, r.pk]),
        }
        for r in decided_rows
    ]
    return queue[:limit], decisions


# The decision figures (how many decisions, how many on time, the median time
# to decision) count the requests decided in the last 180 days, about six
# months (docs/DEFINITIONS.md, "Intake counts"): on the queue page, the
# dashboard, the report and the computed KPI alike.
DECISION_WINDOW_DAYS = 180


def decided_in_window_q(end: datetime) -> Q:
    """Requests decided in the decision window that ends at ``end``: the
    ``DECISION_WINDOW_DAYS`` up to ``end``, both ends included."""
    return Q(
        status__in=DECIDED_STATUSES,
        decided_at__gte=end - timedelta(days=DECISION_WINDOW_DAYS),
        decided_at__lte=end,
    )


def intake_overview(
    *,
    organization: Organization,
    user=None,
    now: datetime | None = None,
    list_limit: int = 0,
    at_risk_percent: int | None = None,
) -> dict:
    """The intake queue's figures, for the queue page, the dashboard and the
    alignment report. Scoped to ``user`` when given (the whole organization
    otherwise). At most four queries whatever the queue's size.

    Returns ``open``, ``open_by_status`` {status: n}, ``open_by_tier`` {tier:
    n}, ``on_track``, ``at_risk``, ``breached`` (open requests by SLA state at
    ``now``); for the decisions of the ``DECISION_WINDOW_DAYS`` before ``now``: ``decided``,
    ``decided_on_time`` (within their SLA), ``decided_on_time_share`` (0–1 or
    None), ``median_days_to_decision`` (business days, or None); with
    ``list_limit``: ``queue`` (that many open requests, least time left first)
    and ``recent_decisions`` (that many, newest first), as plain dicts.
    """
    now = now or timezone.now()
    if at_risk_percent is None:
        at_risk_percent = _at_risk_percent(organization)
    base = _scope(organization, user)
    counts = _counts(base, now=now, at_risk_percent=at_risk_percent)
    window = base.filter(decided_in_window_q(now))
    overview = {
        "open": counts["open"],
        "open_by_status": {str(s): counts[f"status:{s}"] for s in OPEN_STATUSES},
        "open_by_tier": {t: counts[f"tier:{t}"] for t in Tier.values},
        **{state: counts[state] for state in (ON_TRACK, AT_RISK, BREACHED)},
        "decided": counts["decided"],
        "decided_on_time": counts["decided_on_time"],
        "decided_on_time_share": counts["decided_on_time"] / counts["decided"] if counts["decided"] else None,
        "median_days_to_decision": _median(window, "sla_elapsed_days", counts["decided_timed"]),
        "window_days": DECISION_WINDOW_DAYS,
    }
    if list_limit:
        overview["queue"], overview["recent_decisions"] = _lists(
            base, organization, now=now, at_risk_percent=at_risk_percent, limit=list_limit
        )
    return overview


def intake_waiting_for(organization: Organization, role: str) -> list[IntakeRequest]:
    """Open requests with a proposed decision that still wait for ``role``'s
    signature ("cio" or "ciso") on their current version. Two queries."""
    candidates = list(
        IntakeRequest.objects.filter(organization=organization, status__in=OPEN_STATUSES)
        .exclude(proposed_decision="")
        .order_by("submitted_at")
    )
    waiting = signoffs_waiting_for(
        organization=organization, role=role, subjects_by_purpose={DECISION_PURPOSE: candidates}
    )
    return [subject for _, subject in waiting]


def intake_status_counts(*, user, organization: Organization) -> dict[str, int]:
    rows = (
        IntakeRequest.objects.visible_to(user)
        .filter(organization=organization)
        .values("status")
        .annotate(n=Count("pk"))
    )
    return {row["status"]: row["n"] for row in rows}


def median_decision_days(organization: Organization, end: datetime) -> float | None:
    """Median business days to decision of the requests decided in the decision
    window that ends at ``end`` (the organization's whole queue): what
    ``intake_overview(now=end)`` reports as ``median_days_to_decision``. Two queries."""
    decided = IntakeRequest.objects.in_org(organization).filter(decided_in_window_q(end))
    return _median(decided, "sla_elapsed_days", decided.filter(sla_elapsed_days__isnull=False).count())
