"""The shared picture: every figure the dashboard shows and a report freezes.

Each ``*_section`` function reads one domain and returns plain, JSON-ready
values (numbers, strings, lists, dicts) so that the very same dictionaries are
rendered live on the dashboard and stored in a report's snapshot. Each costs a
fixed number of queries whatever the data size (rows are aggregated in the
database or read once as narrow ``values()`` rows).

Reads are scoped by the reader's visibility (``visible_to``) when a person is
given; the scheduled report, built by nobody in particular, reads the whole
organization (``in_org``) — it is the organization's own report.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone

from budgets import selectors as budget_selectors
from core import cache as org_cache
from core.models import SignOff, SignOffDecision
from core.roles import Role
from governance.alignment import rules as alignment
from governance.alignment.selectors import reports as report_selectors
from governance.intake.models import OPEN_STATUSES
from governance.models import IntakeRequest, RaciMatrix
from governance.raci import selectors as raci_selectors
from kpis import selectors as kpi_selectors
from risks import selectors as risk_selectors

TOP_RISKS = 5
TOP_DIVERGENCES = 5
LIST_LIMIT = 8
# The dashboard lists the first few KPIs needing attention (reports list every KPI).
KPI_ITEMS = 5
# A joint decision one executive signed and the other has not touched for
# longer than this counts against decision latency.
SIGNOFF_LIMIT_DAYS = 14
# Decisions taken within this many days count for decision latency.


def _scope(model, organization, user):
    if user is None:
        return model.objects.in_org(organization)
    return model.objects.visible_to(user).filter(organization=organization)


def _url(name: str, organization, *args, query: str = "") -> str:
    url = reverse(name, args=[organization.slug, *args])
    return f"{url}?{query}" if query else url


# Each section below composes the summary its domain owns (risks, kpis and
# budgets selectors; the RACI and intake selectors of governance) and adds the
# links the pages need: no figure is computed here (docs/DEFINITIONS.md).

# ---------------------------------------------------------------- risks ----


def risk_section(*, organization, user) -> dict:
    """``risks.selectors.risk_overview``: the register's figures, heat maps and
    short lists, with links to the register. Five queries."""
    overview = risk_selectors.risk_overview(
        organization, user=user, top=TOP_RISKS, divergences=TOP_DIVERGENCES, above=LIST_LIMIT
    )
    for key in ("top", "divergences", "above_appetite"):
        for row in overview[key]:
            row["url"] = _url("risks:detail", organization, row["id"])
    register = _url("risks:register", organization)
    return {
        **overview,
        "links": {
            "register": register,
            # The register's own filters (risks.filters.RiskFilterSet): the same definitions.
            "divergent": f"{register}?divergent=yes",
            "above_appetite": f"{register}?appetite=above&status=open",
            "accepted": f"{register}?status=accepted",
            "heatmap": _url("risks:heatmap", organization),
        },
    }


# ----------------------------------------------------------------- KPIs ----


def kpi_section(*, organization, user, today=None, item_limit: int | None = None) -> dict:
    """``kpis.selectors.kpi_overview`` (counts by status, the KPIs worst first
    with value, target and status) with links to the scorecard. One query."""
    overview = kpi_selectors.kpi_overview(organization, user=user, today=today, item_limit=item_limit)
    for item in overview["items"]:
        item["url"] = _url("kpis:detail", organization, item["id"])
    scorecard = _url("kpis:scorecard", organization)
    return {
        **overview,
        "links": {
            "scorecard": scorecard,
            "red": f"{scorecard}?status=red",
            "stale": f"{scorecard}?status=stale",
        },
    }


# --------------------------------------------------------------- budget ----


def budget_section(*, organization, user) -> dict:
    """``budgets.selectors.budget_overview`` (money as text, exact) with links."""
    overview = budget_selectors.budget_overview(organization, user=user)
    if overview["proposal"]:
        overview["proposal"]["url"] = _url(
            "budgets:proposal_detail", organization, overview["proposal"]["id"]
        )
    return {**overview, "links": {"proposals": _url("budgets:proposal_list", organization)}}


# ------------------------------------------------------------------ RACI ----


def raci_section(*, organization, user) -> dict:
    """``governance.raci.selectors.raci_overview`` (gaps, overlaps and the first
    problem activities, by the RACI rules) with links to the matrix."""
    overview = raci_selectors.raci_overview(organization, user=user, limit=LIST_LIMIT)
    matrix = _url("governance:raci", organization)
    return {**overview, "links": {"matrix": matrix, "problems": f"{matrix}?problem=any"}}


# ---------------------------------------------------------------- intake ----


def intake_section(*, organization, user, now=None) -> dict:
    """Open requests by SLA state with the most urgent few, decisions taken on
    time: ``governance.intake.selectors.intake_overview`` (four queries)."""
    from governance.intake.selectors import intake_overview

    overview = intake_overview(organization=organization, user=user, now=now, list_limit=LIST_LIMIT)
    listing = _url("governance:intake_list", organization)
    keys = (
        "open",
        "on_track",
        "at_risk",
        "breached",
        "queue",
        "decided",
        "decided_on_time",
        "median_days_to_decision",
        "recent_decisions",
    )
    return {
        **{key: overview[key] for key in keys},
        "links": {"queue": listing, "breached": f"{listing}?sla=breached"},
    }


# ------------------------------------------------------ joint decisions ----


def _subject_kind(model) -> tuple[str, str, str]:
    """(label, detail URL name, list URL name) for a sign-off subject."""
    return {
        "risk": ("Risk acceptance", "risks:detail", "risks:register"),
        "proposal": ("Budget submission", "budgets:proposal_detail", "budgets:proposal_list"),
        "intakerequest": ("Intake decision", "governance:intake_detail", "governance:intake_list"),
        "racimatrix": ("Ownership matrix approval", "", "governance:raci"),
    }.get(model._meta.model_name, (str(model._meta.verbose_name).capitalize(), "", ""))


def _decision_row(subject, organization, *, waiting_on: list[str], since, now) -> dict:
    label, detail_name, list_name = _subject_kind(type(subject))
    url = (
        _url(detail_name, organization, subject.pk)
        if detail_name
        else _url(list_name, organization)
        if list_name
        else ""
    )
    reference = getattr(subject, "reference", "") or ""
    title = getattr(subject, "title", "") or str(subject)
    return {
        "kind": label,
        "reference": reference,
        "title": title,
        "waiting_on": waiting_on,
        "since": since.isoformat() if since else None,
        "age_days": (now - since).days if since else None,
        "url": url,
    }


def decisions_section(*, organization, user, role: str | None = None, now=None) -> dict:
    """Joint decisions waiting for a signature, and those taken recently.

    Waiting: budget proposals in joint review, risk acceptances requested,
    intake requests with a proposed decision, plus anything one executive
    signed that the other has not. ``role`` (cio / ciso) narrows "waiting"
    to what that role has not signed. Counted in the database and listed
    ``LIST_LIMIT`` at a time: one query per kind of subject, plus one for kinds
    of subjects other than the usual four.
    """
    now = now or timezone.now()
    kinds = [
        (
            budget_selectors.proposal_scope(organization, user),
            Q(pk__in=budget_selectors.proposals_in_review(organization).values("pk")),
        ),
        (
            risk_selectors.risk_scope(organization, user),
            Q(pk__in=risk_selectors.pending_acceptances(organization).values("pk")),
        ),
        (_scope(IntakeRequest, organization, user), Q(status__in=OPEN_STATUSES) & ~Q(proposed_decision="")),
        (_scope(RaciMatrix, organization, user), None),
    ]
    known = [ContentType.objects.get_for_model(qs.model).pk for qs, _ in kinds]
    # Anything else one role signed and the other has not (a kind of subject added later).
    others = (
        SignOff.objects.filter(organization=organization, voided_at__isnull=True)
        .exclude(content_type_id__in=known)
        .order_by()
        .values_list("content_type_id", flat=True)
        .distinct()
    )
    for ct_id in others:
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is not None and hasattr(model.objects, "visible_to"):
            kinds.append((_scope(model, organization, user), None))
    cut = now - timedelta(days=SIGNOFF_LIMIT_DAYS + 1)  # age_days > SIGNOFF_LIMIT_DAYS
    totals = {"pending": 0, "overdue": 0, "mine": 0}
    rows = []
    for order, (queryset, candidate) in enumerate(kinds):
        subjects = _waiting_subjects(queryset, organization, candidate=candidate, role=role, cut=cut)
        if subjects:  # every row carries its kind's totals
            totals = {key: totals[key] + getattr(subjects[0], f"total_{key}") for key in totals}
        rows += [(subject.since, order, subject.pk, subject) for subject in subjects]
    rows.sort(key=lambda r: r[:3])
    waiting = [
        _decision_row(subject, organization, waiting_on=_waiting_on(subject), since=subject.since, now=now)
        for *_, subject in rows
    ]
    mine = [w for w in waiting if role in w["waiting_on"]] if role else waiting
    return {
        "pending": totals["pending"],
        "overdue": totals["overdue"],
        "waiting": waiting[: LIST_LIMIT * 2],
        "for_role": role,
        "mine": mine[:LIST_LIMIT],
        "mine_count": totals["mine"],
        "limit_days": SIGNOFF_LIMIT_DAYS,
    }


def _waiting_on(subject) -> list[str]:
    return [
        r
        for r, signed in ((Role.CIO.value, subject.cio_signed), (Role.CISO.value, subject.ciso_signed))
        if not signed
    ]


def _waiting_subjects(queryset, organization, *, candidate: Q | None, role: str | None, cut) -> list:
    """Subjects of one model waiting for a signature (one query): candidates
    (``candidate``) and subjects one role signed, neither signed by both nor
    rejected; the first ``2 × LIST_LIMIT`` by waiting time plus the first
    ``LIST_LIMIT`` waiting for ``role``. Each carries ``cio_signed``,
    ``ciso_signed``, ``since`` (first signature, else last change) and the
    totals ``total_pending``, ``total_overdue`` (since ≤ ``cut``), ``total_mine``."""
    ct_id = ContentType.objects.get_for_model(queryset.model).pk
    active = SignOff.objects.filter(organization=organization, content_type_id=ct_id, voided_at__isnull=True)
    own = active.filter(object_id=OuterRef("pk"))
    # The few rows to look at, as one semi-join (a UNION rather than an OR, which
    # PostgreSQL would estimate at a large share of the table, paying the
    # sign-off subqueries below for each of them, JIT compilation included).
    ids = active.order_by().values("object_id")
    if candidate is not None:
        ids = queryset.filter(candidate).order_by().values("pk").union(ids, all=True)
    queryset = (
        queryset.filter(pk__in=ids)
        .annotate(
            cio_signed=Exists(own.filter(role=Role.CIO)),
            ciso_signed=Exists(own.filter(role=Role.CISO)),
            rejected=Exists(own.filter(decision=SignOffDecision.REJECT)),
            since=Coalesce(Subquery(own.order_by("signed_at").values("signed_at")[:1]), F("updated_at")),
        )
        .filter(rejected=False)
        .exclude(cio_signed=True, ciso_signed=True)
    )
    one_signed = Q(cio_signed=True) | Q(ciso_signed=True)
    queryset = queryset.filter(one_signed if candidate is None else candidate | one_signed)
    mine = Q(pk__isnull=False)  # without a role, everything waiting counts as the reader's
    if role in (Role.CIO, Role.CISO):
        mine = Q(cio_signed=False) if role == Role.CIO else Q(ciso_signed=False)
    by_age = [F("since").asc(), F("pk").asc()]
    return list(
        queryset.annotate(
            total_pending=Window(Count("pk")),
            total_overdue=Window(Count("pk", filter=Q(since__lte=cut))),
            total_mine=Window(Count("pk", filter=mine)),
            position=Window(RowNumber(), order_by=by_age),
            mine_position=Window(
                RowNumber(),
                partition_by=[ExpressionWrapper(mine, output_field=BooleanField())],
                order_by=by_age,
            ),
        )
        .filter(Q(position__lte=LIST_LIMIT * 2) | (mine & Q(mine_position__lte=LIST_LIMIT)))
        .order_by(*by_age)
    )


# -------------------------------------------------------------- combined ----


def alignment_inputs(
    *, risks: dict, kpis: dict, budget: dict, raci: dict, intake: dict, decisions: dict
) -> dict:
    """The plain inputs of each alignment part, from the sections above."""
    breached_open = intake["breached"]
    return {
        "agreement": {
            "open_risks": risks["open"],
            "divergent": risks["divergent_count"],
            "not_assessed": min(risks["not_assessed_count"], risks["open"] - risks["divergent_count"]),
        },
        # The score's "gaps": no accountable or no responsible party (raci_rules), overlaps counted apart.
        "accountability": {
            "activities": raci["activities"],
            "gaps": raci["activities"] - raci["ok"] - raci["overlaps"],
            "overlaps": raci["overlaps"],
        },
        "kpis": {"green": kpis["green"], "amber": kpis["amber"], "red": kpis["red"], "stale": kpis["stale"]},
        "latency": {
            "decided": intake["decided"],
            "decided_on_time": intake["decided_on_time"],
            "pending": intake["open"] + decisions["pending"],
            "pending_overdue": breached_open + decisions["overdue"],
        },
        "linkage": {"security_budget": budget["security_total"], "linked_budget": budget["linked_total"]},
    }


def shared_picture(
    *, organization, user, role: str | None = None, progress=None, kpi_items: int | None = None
) -> dict:
    """Every section plus the alignment score, as plain values, read fresh.

    ``progress(percent, step)`` is called between sections (report builds show it).
    ``kpi_items`` caps the KPIs listed (the dashboard shows a few; a report all).
    """
    progress = progress or (lambda percent, step: None)
    steps = (
        ("risks", "Reading the risk register", lambda: risk_section(organization=organization, user=user)),
        (
            "kpis",
            "Reading the KPI scorecard",
            lambda: kpi_section(organization=organization, user=user, item_limit=kpi_items),
        ),
        ("budget", "Reading the budget", lambda: budget_section(organization=organization, user=user)),
        ("raci", "Checking the ownership matrix", lambda: raci_section(organization=organization, user=user)),
        ("intake", "Timing the intake queue", lambda: intake_section(organization=organization, user=user)),
        (
            "decisions",
            "Collecting joint decisions",
            lambda: decisions_section(organization=organization, user=user, role=role),
        ),
    )
    picture = {}
    for index, (key, label, read) in enumerate(steps):
        progress(10 + 75 * index // len(steps), label)
        picture[key] = read()
    progress(85, "Computing the alignment score")
    inputs = alignment_inputs(**picture)
    picture["alignment"] = alignment.compute(**inputs).as_dict()
    picture["alignment"]["inputs"] = inputs
    return picture


def profile_section(*, organization, user) -> dict | None:
    """The CSF profile's progress figure (risks.profile.selectors.profile_progress,
    docs/DEFINITIONS.md "Profile progress") with a link; None for a viewer who may not see the profile."""
    from risks.profile import selectors as profile_selectors

    progress = profile_selectors.profile_progress_for(user, organization)
    if progress is None:
        return None
    return {
        "percent": progress.percent,
        "met": progress.met,
        "in_scope": progress.in_scope,
        "gaps": progress.gaps,
        "sentence": progress.sentence,
        "url": _url("profile:page", organization),
    }


def dashboard_data(*, organization, user, role: str | None, member_role: str) -> dict:
    """The dashboard's picture, alignment trend and charts, cached (core.cache)
    under the organization's data version, the viewer, their membership and
    signing roles and the day: any change of the organization's data shows at
    once; time-based figures (SLA clocks, ages, staleness) refresh with the
    cache timeout. Reports never use this: they freeze fresh figures.

    ``cache_key`` is the key it is cached under (None without a cache): the
    page caches its rendered body under the same key."""

    def compute() -> dict:
        picture = shared_picture(organization=organization, user=user, role=role, kpi_items=KPI_ITEMS)
        trend = report_selectors.published_trend(organization=organization)
        charts = report_selectors.picture_charts(
            picture, trend=trend, thresholds=organization.level_thresholds
        )
        profile = profile_section(organization=organization, user=user)
        return {"picture": picture, "trend": trend, "charts": charts, "profile": profile}

    name = f"dashboard:{user.pk}:{member_role}:{role or '-'}:{timezone.localdate().isoformat()}"
    data, key = org_cache.cached_for_org_keyed(organization.pk, name, compute)
    return {**data, "cache_key": key}
