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

from collections import defaultdict
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from budgets.models import BOARD_VISIBLE_STATUSES, BudgetItem, ItemRiskLink, Proposal, ProposalStatus
from core import cache as org_cache
from core.models import SignOff, SignOffDecision
from core.roles import Role
from governance import alignment, raci_rules
from governance.models import (
    IntakeRequest,
    RaciActivity,
    RaciAssignment,
    RaciMatrix,
)
from governance.models.intake import OPEN_STATUSES
from governance.selectors import reports as report_selectors
from kpis import status as kpi_status
from kpis.models import KPI, Measurement
from risks import scoring
from risks import selectors as risk_selectors
from risks.models import Risk, RiskStatus

TOP_RISKS = 5
TOP_DIVERGENCES = 5
LIST_LIMIT = 8
# The dashboard lists the first few KPIs needing attention (reports list every KPI).
KPI_ITEMS = 5
# A joint decision one executive signed and the other has not touched for
# longer than this counts against decision latency.
SIGNOFF_LIMIT_DAYS = 14
# Decisions taken within this many days count for decision latency.
LATENCY_WINDOW_DAYS = 180
SECURITY_DOMAINS = ("security", "joint")


def _scope(model, organization, user=None):
    if user is None:
        return model.objects.in_org(organization)
    return model.objects.visible_to(user).filter(organization=organization)


def _url(name: str, organization, *args, query: str = "") -> str:
    try:
        url = reverse(name, args=[organization.slug, *args])
    except NoReverseMatch:
        return ""
    return f"{url}?{query}" if query else url


def _first_url(names, organization, *args, query: str = "") -> str:
    for name in names:
        url = _url(name, organization, *args, query=query)
        if url:
            return url
    return ""


# ---------------------------------------------------------------- risks ----

def _risk_row(risk: Risk, organization, thresholds) -> dict:
    owner = risk.owner
    return {
        "id": risk.pk,
        "reference": risk.reference,
        "title": risk.title,
        "impact": risk.impact_statement,
        "status": RiskStatus(risk.status).label,
        "origin": risk.origin,
        "score": risk.inherent_score,
        "level": scoring.level_key(risk.inherent_score, thresholds),
        "residual_score": risk.residual_score,
        "residual_level": scoring.level_key(risk.residual_score, thresholds),
        "cio_score": risk.cio_score,
        "ciso_score": risk.ciso_score,
        "levels_apart": scoring.divergence(risk.cio_score, risk.ciso_score, thresholds),
        "expected_annual_loss": float(risk.expected_annual_loss) if risk.expected_annual_loss is not None else None,
        "owner": (owner.full_name or owner.email) if owner else None,
        "url": _first_url(("risks:detail", "risks:risk_detail"), organization, risk.pk),
    }


def _impact_rows(grid: list[list[int]]) -> list[list[int]]:
    """``grid[likelihood - 1][impact - 1]`` (risks.selectors) as the picture's
    rows: impact from 5 (top) to 1, likelihood columns 1 to 5."""
    return [[grid[likelihood][4 - row] for likelihood in range(5)] for row in range(5)]


def risk_section(*, organization, user=None) -> dict:
    """Heat map, levels, top risks, divergences, risks above appetite of the
    risks not closed. Five queries (one aggregate, one GROUP BY, three short lists)."""
    thresholds = organization.level_thresholds
    scope = _scope(Risk, organization, user)
    figures = risk_selectors.not_closed_summary(organization, queryset=scope)
    heatmaps = risk_selectors.risk_heatmaps(organization, queryset=scope)
    rows = {
        "top": risk_selectors.top_risks(organization, TOP_RISKS, queryset=scope),
        "divergences": risk_selectors.biggest_divergences(organization, TOP_DIVERGENCES, queryset=scope),
        "above_appetite": risk_selectors.risks_above_appetite(organization, LIST_LIMIT, queryset=scope),
    }
    register = _first_url(("risks:register",), organization)
    return {
        "open": figures["open"],
        "appetite": organization.risk_appetite,
        "levels": figures["levels"],
        "divergent_count": figures["divergent"],
        "not_assessed_count": figures["missing_lens"],
        "above_appetite_count": figures["above_appetite"],
        "expected_annual_loss": float(figures["expected_annual_loss"]),
        "heatmap": {"inherent": _impact_rows(heatmaps["inherent"]), "residual": _impact_rows(heatmaps["residual"])},
        **{key: [_risk_row(r, organization, thresholds) for r in risks] for key, risks in rows.items()},
        "links": {
            "register": register,
            # The register's own filters (risks.filters.RiskFilterSet).
            "divergent": f"{register}?divergent=yes" if register else "",
            "above_appetite": f"{register}?appetite=above&status=open" if register else "",
            "heatmap": _first_url(("risks:heatmap",), organization) or register,
        },
    }


# ----------------------------------------------------------------- KPIs ----

def _kpi_item(row: dict, shown: str, organization) -> dict:
    return {
        "id": row["id"], "name": row["name"], "domain": row["domain"], "unit": row["unit"],
        "status": shown, "target": float(row["target"]),
        "value": float(row["latest_value"]) if row["latest_value"] is not None else None,
        "period": row["latest_period"].isoformat() if row["latest_period"] else None,
        "url": _first_url(("kpis:detail", "kpis:kpi_detail"), organization, row["id"]),
    }


def kpi_section(*, organization, user=None, today=None, item_limit: int | None = None) -> dict:
    """Scorecard: each KPI's status from its latest value (stale wins), the
    counts by status, and the items worst first: ``item_limit`` of them, all by
    default (a report lists every KPI). One query: one narrow row per KPI with
    its latest measurement, the colours from kpis.status (the one place they live)."""
    today = today or timezone.localdate()
    latest = Measurement.objects.filter(kpi=OuterRef("pk")).order_by("-period")
    rows = list(_scope(KPI, organization, user).annotate(
        latest_period=Subquery(latest.values("period")[:1]),
        latest_value=Subquery(latest.values("value")[:1]),
    ).order_by("domain", "name").values("id", "name", "domain", "unit", "direction", "target", "warning", "critical",
                                        "frequency", "latest_period", "latest_value"))
    counts = {kpi_status.GREEN: 0, kpi_status.AMBER: 0, kpi_status.RED: 0, kpi_status.STALE: 0}
    ranked = []
    for row in rows:
        colour = kpi_status.status_for(row["latest_value"], direction=row["direction"], target=row["target"],
                                       warning=row["warning"], critical=row["critical"])
        stale = kpi_status.is_stale(row["latest_period"], frequency=row["frequency"], today=today)
        shown = kpi_status.display_status(colour, stale)
        counts[shown] += 1
        ranked.append((shown, row))
    order = {kpi_status.RED: 0, kpi_status.STALE: 1, kpi_status.AMBER: 2, kpi_status.GREEN: 3}
    ranked.sort(key=lambda pair: (order[pair[0]], pair[1]["name"]))
    items = [_kpi_item(row, shown, organization) for shown, row in ranked[:item_limit]]
    scorecard = _first_url(("kpis:scorecard",), organization)
    return {
        "total": len(rows), **counts, "items": items,
        "links": {"scorecard": scorecard, "red": f"{scorecard}?status=red" if scorecard else "",
                  "stale": f"{scorecard}?status=stale" if scorecard else ""},
    }


# --------------------------------------------------------------- budget ----

def _current_proposal(organization, user):
    """The latest fiscal year's proposal the reader may see; the board's own
    view (submitted ones) is the same chokepoint."""
    qs = _scope(Proposal, organization, user)
    return qs.order_by("-fiscal_year", "-pk").values("id", "fiscal_year", "title", "status").first()


def budget_section(*, organization, user=None) -> dict:
    """The current proposal: totals by domain, security share, money tied to risks. Three queries."""
    proposal = _current_proposal(organization, user)
    if proposal is None:
        return {"proposal": None, "total": 0, "by_domain": {}, "security_total": 0, "linked_total": 0,
                "security_share": None, "links": {"proposals": _first_url(("budgets:proposal_list",), organization)}}
    items = BudgetItem.objects.filter(proposal_id=proposal["id"])
    by_domain = {row["domain"]: float(row["total"] or 0)
                 for row in items.values("domain").annotate(total=Sum("amount")).order_by()}
    tied = Exists(ItemRiskLink.objects.filter(item_id=OuterRef("pk")))
    linked = items.filter(tied, domain__in=SECURITY_DOMAINS).aggregate(total=Sum("amount"))["total"]
    total = sum(by_domain.values())
    security_total = sum(by_domain.get(d, 0.0) for d in SECURITY_DOMAINS)
    return {
        "proposal": {"id": proposal["id"], "fiscal_year": proposal["fiscal_year"], "title": proposal["title"],
                     "status": ProposalStatus(proposal["status"]).label,
                     "with_board": proposal["status"] in BOARD_VISIBLE_STATUSES,
                     "url": _first_url(("budgets:proposal_detail", "budgets:detail"), organization, proposal["id"])},
        "total": total,
        "by_domain": {"it": by_domain.get("it", 0.0), "security": by_domain.get("security", 0.0),
                      "joint": by_domain.get("joint", 0.0)},
        "security_total": security_total,
        "linked_total": float(linked or 0),
        "security_share": (security_total / total) if total else None,
        "links": {"proposals": _first_url(("budgets:proposal_list",), organization)},
    }


# ------------------------------------------------------------------ RACI ----

def _raci_counts(activities):
    """Each activity with the letter counts the RACI rules need (one GROUP BY)."""
    cell = "assignments__"
    return activities.annotate(
        accountable=Count("assignments", filter=Q(**{f"{cell}letter": "A"})),
        responsible=Count("assignments", filter=Q(**{f"{cell}letter": "R"})),
        cio_accountable=Count("assignments", filter=Q(**{f"{cell}letter": "A", f"{cell}party__kind": "cio"})),
        ciso_accountable=Count("assignments", filter=Q(**{f"{cell}letter": "A", f"{cell}party__kind": "ciso"})),
        executives=Count("assignments", filter=Q(**{f"{cell}party__kind__in": ("cio", "ciso")})),
    )


# raci_rules in SQL: exactly one A and at least one R (structurally sound) …
_RACI_SOUND = Q(accountable=1, responsible__gte=1)
# … and no CIO / CISO conflict either (no problem at all).
_RACI_CLEAN = _RACI_SOUND & ~Q(cio_accountable__gt=0, ciso_accountable__gt=0) & Q(executives__gt=0)


def raci_section(*, organization, user=None) -> dict:
    """Activities with gaps or overlaps (the RACI rules), counted in the
    database. Three queries: the counts, the first problem activities, their cells."""
    activities = _raci_counts(_scope(RaciActivity, organization, user))
    totals = activities.aggregate(
        activities=Count("pk"), ok=Count("pk", filter=_RACI_SOUND),
        overlaps=Count("pk", filter=Q(accountable__gt=1)), problems=Count("pk", filter=~_RACI_CLEAN),
    )
    first = activities.exclude(_RACI_CLEAN).order_by("position", "name")[:LIST_LIMIT]
    shown = list(first.values("id", "name"))
    cells = defaultdict(list)  # the cells of those activities, labelled by the RACI rules themselves
    for row in RaciAssignment.objects.filter(activity__in=first.values("pk")).values(
            "activity_id", "party__kind", "letter"):
        cells[row["activity_id"]].append((row["party__kind"], row["letter"]))
    problems = []
    for activity in shown:
        check = raci_rules.check_activity(cells[activity["id"]])
        problems.append({"id": activity["id"], "name": activity["name"], "problems": check.labels,
                         "overlap": check.is_overlap})
    structural = totals["activities"] - totals["ok"]  # no A, several A or no R
    matrix = _first_url(("governance:raci",), organization)
    return {
        "activities": totals["activities"], "ok": totals["ok"], "gaps": structural - totals["overlaps"],
        "overlaps": totals["overlaps"], "problem_count": totals["problems"], "problems": problems,
        "coverage": totals["ok"] / totals["activities"] if totals["activities"] else None,
        "links": {"matrix": matrix, "problems": f"{matrix}?problem=any" if matrix else ""},
    }


# ---------------------------------------------------------------- intake ----

def intake_section(*, organization, user=None, now=None) -> dict:
    """Open requests by SLA state with the most urgent few, decisions taken on
    time: ``governance.selectors.intake.intake_overview`` (four queries)."""
    from governance.selectors.intake import intake_overview

    overview = intake_overview(organization=organization, user=user, now=now, window_days=LATENCY_WINDOW_DAYS,
                               list_limit=LIST_LIMIT)
    listing = _first_url(("governance:intake_list",), organization)
    keys = ("open", "on_track", "at_risk", "breached", "queue", "decided", "decided_on_time",
            "median_days_to_decision", "recent_decisions")
    return {**{key: overview[key] for key in keys},
            "links": {"queue": listing, "breached": f"{listing}?sla=breached" if listing else ""}}


# ------------------------------------------------------ joint decisions ----

def _subject_kind(model) -> tuple[str, tuple[str, ...], str]:
    """(label, detail URL names, fallback list URL name) for a sign-off subject."""
    return {
        "risk": ("Risk acceptance", ("risks:detail", "risks:risk_detail"), "risks:register"),
        "proposal": ("Budget submission", ("budgets:proposal_detail", "budgets:detail"), "budgets:proposal_list"),
        "intakerequest": ("Intake decision", ("governance:intake_detail",), "governance:intake_list"),
        "racimatrix": ("Ownership matrix approval", (), "governance:raci"),
    }.get(model._meta.model_name, (str(model._meta.verbose_name).capitalize(), (), ""))


def _decision_row(subject, organization, *, waiting_on: list[str], since, now) -> dict:
    label, detail_names, list_name = _subject_kind(type(subject))
    url = _first_url(detail_names, organization, subject.pk) if detail_names else ""
    reference = getattr(subject, "reference", "") or ""
    title = getattr(subject, "title", "") or str(subject)
    return {"kind": label, "reference": reference, "title": title, "waiting_on": waiting_on,
            "since": since.isoformat() if since else None,
            "age_days": (now - since).days if since else None,
            "url": url or _first_url((list_name,), organization)}


def decisions_section(*, organization, user=None, role: str | None = None, now=None) -> dict:
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
        (_scope(Proposal, organization, user), Q(status=ProposalStatus.JOINT_REVIEW)),
        (_scope(Risk, organization, user), Q(acceptance_expires_on__isnull=False)
         & ~Q(status__in=[RiskStatus.ACCEPTED, RiskStatus.CLOSED])),
        (_scope(IntakeRequest, organization, user), Q(status__in=OPEN_STATUSES) & ~Q(proposed_decision="")),
        (_scope(RaciMatrix, organization, user), None),
    ]
    known = [ContentType.objects.get_for_model(qs.model).pk for qs, _ in kinds]
    # Anything else one role signed and the other has not (a kind of subject added later).
    others = (SignOff.objects.filter(organization=organization, voided_at__isnull=True)
              .exclude(content_type_id__in=known).order_by().values_list("content_type_id", flat=True).distinct())
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
    waiting = [_decision_row(subject, organization, waiting_on=_waiting_on(subject), since=subject.since, now=now)
               for *_, subject in rows]
    mine = [w for w in waiting if role in w["waiting_on"]] if role else waiting
    return {"pending": totals["pending"], "overdue": totals["overdue"], "waiting": waiting[:LIST_LIMIT * 2],
            "for_role": role, "mine": mine[:LIST_LIMIT], "mine_count": totals["mine"],
            "limit_days": SIGNOFF_LIMIT_DAYS}


def _waiting_on(subject) -> list[str]:
    return [r for r, signed in ((Role.CIO.value, subject.cio_signed), (Role.CISO.value, subject.ciso_signed))
            if not signed]


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
    queryset = queryset.filter(pk__in=ids).annotate(
        cio_signed=Exists(own.filter(role=Role.CIO)),
        ciso_signed=Exists(own.filter(role=Role.CISO)),
        rejected=Exists(own.filter(decision=SignOffDecision.REJECT)),
        since=Coalesce(Subquery(own.order_by("signed_at").values("signed_at")[:1]), F("updated_at")),
    ).filter(rejected=False).exclude(cio_signed=True, ciso_signed=True)
    one_signed = Q(cio_signed=True) | Q(ciso_signed=True)
    queryset = queryset.filter(one_signed if candidate is None else candidate | one_signed)
    mine = Q(pk__isnull=False)  # without a role, everything waiting counts as the reader's
    if role in (Role.CIO, Role.CISO):
        mine = Q(cio_signed=False) if role == Role.CIO else Q(ciso_signed=False)
    by_age = [F("since").asc(), F("pk").asc()]
    return list(queryset.annotate(
        total_pending=Window(Count("pk")),
        total_overdue=Window(Count("pk", filter=Q(since__lte=cut))),
        total_mine=Window(Count("pk", filter=mine)),
        position=Window(RowNumber(), order_by=by_age),
        mine_position=Window(RowNumber(), partition_by=[ExpressionWrapper(mine, output_field=BooleanField())],
                             order_by=by_age),
    ).filter(Q(position__lte=LIST_LIMIT * 2) | (mine & Q(mine_position__lte=LIST_LIMIT))).order_by(*by_age))


# -------------------------------------------------------------- combined ----

def alignment_inputs(*, risks: dict, kpis: dict, budget: dict, raci: dict, intake: dict, decisions: dict) -> dict:
    """The plain inputs of each alignment part, from the sections above."""
    breached_open = intake["breached"]
    return {
        "agreement": {"open_risks": risks["open"], "divergent": risks["divergent_count"],
                      "not_assessed": min(risks["not_assessed_count"], risks["open"] - risks["divergent_count"])},
        "accountability": {"activities": raci["activities"], "gaps": raci["gaps"], "overlaps": raci["overlaps"]},
        "kpis": {"green": kpis["green"], "amber": kpis["amber"], "red": kpis["red"], "stale": kpis["stale"]},
        "latency": {"decided": intake["decided"], "decided_on_time": intake["decided_on_time"],
                    "pending": intake["open"] + decisions["pending"],
                    "pending_overdue": breached_open + decisions["overdue"]},
        "linkage": {"security_budget": budget["security_total"], "linked_budget": budget["linked_total"]},
    }


def shared_picture(*, organization, user=None, role: str | None = None, progress=None,
                   kpi_items: int | None = None) -> dict:
    """Every section plus the alignment score, as plain values, read fresh.

    ``progress(percent, step)`` is called between sections (report builds show it).
    ``kpi_items`` caps the KPIs listed (the dashboard shows a few; a report all).
    """
    progress = progress or (lambda percent, step: None)
    steps = (
        ("risks", "Reading the risk register", lambda: risk_section(organization=organization, user=user)),
        ("kpis", "Reading the KPI scorecard",
         lambda: kpi_section(organization=organization, user=user, item_limit=kpi_items)),
        ("budget", "Reading the budget", lambda: budget_section(organization=organization, user=user)),
        ("raci", "Checking the ownership matrix", lambda: raci_section(organization=organization, user=user)),
        ("intake", "Timing the intake queue", lambda: intake_section(organization=organization, user=user)),
        ("decisions", "Collecting joint decisions",
         lambda: decisions_section(organization=organization, user=user, role=role)),
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
        charts = report_selectors.picture_charts(picture, trend=trend, thresholds=organization.level_thresholds)
        return {"picture": picture, "trend": trend, "charts": charts}

    name = f"dashboard:{user.pk}:{member_role}:{role or '-'}:{timezone.localdate().isoformat()}"
    data, key = org_cache.cached_for_org_keyed(organization.pk, name, compute)
    return {**data, "cache_key": key}
