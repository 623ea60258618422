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
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Subquery, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from budgets.models import BOARD_VISIBLE_STATUSES, BudgetItem, ItemRiskLink, Proposal, ProposalStatus
from core.models import SignOff
from core.roles import Role
from governance import alignment, intake_rules, raci_rules
from governance.models import (
    IntakePause,
    IntakeRequest,
    IntakeSettings,
    IntakeStatus,
    RaciActivity,
    RaciAssignment,
)
from governance.models.intake import DECIDED_STATUSES, OPEN_STATUSES
from kpis import status as kpi_status
from kpis.models import KPI, Measurement
from risks import scoring
from risks.models import Risk, RiskStatus

TOP_RISKS = 5
TOP_DIVERGENCES = 5
LIST_LIMIT = 8
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

RISK_FIELDS = ("id", "reference", "title", "impact_statement", "status", "origin", "inherent_likelihood",
               "inherent_impact", "inherent_score", "residual_likelihood", "residual_impact", "residual_score",
               "cio_score", "ciso_score", "is_agreed", "expected_annual_loss", "owner__full_name", "owner__email")


def _risk_row(row: dict, organization, thresholds) -> dict:
    return {
        "id": row["id"],
        "reference": row["reference"],
        "title": row["title"],
        "impact": row["impact_statement"],
        "status": RiskStatus(row["status"]).label,
        "origin": row["origin"],
        "score": row["inherent_score"],
        "level": scoring.level_key(row["inherent_score"], thresholds),
        "residual_score": row["residual_score"],
        "residual_level": scoring.level_key(row["residual_score"], thresholds),
        "cio_score": row["cio_score"],
        "ciso_score": row["ciso_score"],
        "levels_apart": scoring.divergence(row["cio_score"], row["ciso_score"], thresholds),
        "expected_annual_loss": float(row["expected_annual_loss"]) if row["expected_annual_loss"] is not None else None,
        "owner": row["owner__full_name"] or row["owner__email"],
        "url": _first_url(("risks:detail", "risks:risk_detail"), organization, row["id"]),
    }


def _heat_grid(rows, lkey: str, ikey: str) -> list[list[int]]:
    """5×5 counts, impact rows from 5 (top) to 1, likelihood columns 1 to 5."""
    grid = [[0] * 5 for _ in range(5)]
    for row in rows:
        likelihood, impact = row[lkey], row[ikey]
        if likelihood and impact:
            grid[5 - impact][likelihood - 1] += 1
    return grid


def risk_section(*, organization, user=None) -> dict:
    """Heat map, levels, top risks, divergences, risks above appetite. One query."""
    thresholds = organization.level_thresholds
    rows = list(_scope(Risk, organization, user).exclude(status=RiskStatus.CLOSED)
                .order_by("-inherent_score", "number").values(*RISK_FIELDS))
    divergent = [r for r in rows if scoring.is_divergent(r["cio_score"], r["ciso_score"], thresholds,
                                                          agreed=r["is_agreed"])]
    not_assessed = [r for r in rows if not r["is_agreed"] and (r["cio_score"] is None or r["ciso_score"] is None)]
    above = [r for r in rows if scoring.above_appetite(r["inherent_score"], organization.risk_appetite)
             and r["status"] != RiskStatus.ACCEPTED]
    levels = {"critical": 0, "high": 0, "medium": 0, "low": 0, "": 0}
    for r in rows:
        levels[scoring.level_key(r["inherent_score"], thresholds)] += 1
    divergent.sort(key=lambda r: (-scoring.divergence(r["cio_score"], r["ciso_score"], thresholds),
                                  -(r["inherent_score"] or 0)))
    register = _first_url(("risks:register",), organization)
    return {
        "open": len(rows),
        "appetite": organization.risk_appetite,
        "levels": {"critical": levels["critical"], "high": levels["high"], "medium": levels["medium"],
                   "low": levels["low"], "not_assessed": levels[""]},
        "divergent_count": len(divergent),
        "not_assessed_count": len(not_assessed),
        "above_appetite_count": len(above),
        "expected_annual_loss": float(sum((r["expected_annual_loss"] or Decimal(0)) for r in rows)),
        "heatmap": {"inherent": _heat_grid(rows, "inherent_likelihood", "inherent_impact"),
                    "residual": _heat_grid(rows, "residual_likelihood", "residual_impact")},
        "top": [_risk_row(r, organization, thresholds) for r in rows if r["inherent_score"]][:TOP_RISKS],
        "divergences": [_risk_row(r, organization, thresholds) for r in divergent[:TOP_DIVERGENCES]],
        "above_appetite": [_risk_row(r, organization, thresholds) for r in above[:LIST_LIMIT]],
        "links": {
            "register": register,
            # The register's own filters (risks.filters.RiskFilterSet).
            "divergent": f"{register}?divergent=yes" if register else "",
            "above_appetite": f"{register}?appetite=above&status=open" if register else "",
            "heatmap": _first_url(("risks:heatmap",), organization) or register,
        },
    }


# ----------------------------------------------------------------- KPIs ----

def kpi_section(*, organization, user=None, today=None) -> dict:
    """Scorecard: each KPI's latest value, status (stale wins) and counts. One query."""
    today = today or timezone.localdate()
    latest = Measurement.objects.filter(kpi=OuterRef("pk")).order_by("-period")
    rows = list(_scope(KPI, organization, user).annotate(
        latest_period=Subquery(latest.values("period")[:1]),
        latest_value=Subquery(latest.values("value")[:1]),
    ).order_by("domain", "name").values("id", "name", "domain", "unit", "direction", "target", "warning", "critical",
                                        "frequency", "latest_period", "latest_value"))
    counts = {kpi_status.GREEN: 0, kpi_status.AMBER: 0, kpi_status.RED: 0, kpi_status.STALE: 0}
    items = []
    for row in rows:
        colour = kpi_status.status_for(row["latest_value"], direction=row["direction"], target=row["target"],
                                       warning=row["warning"], critical=row["critical"])
        stale = kpi_status.is_stale(row["latest_period"], frequency=row["frequency"], today=today)
        shown = kpi_status.display_status(colour, stale)
        counts[shown] += 1
        items.append({
            "id": row["id"], "name": row["name"], "domain": row["domain"], "unit": row["unit"],
            "status": shown, "target": float(row["target"]),
            "value": float(row["latest_value"]) if row["latest_value"] is not None else None,
            "period": row["latest_period"].isoformat() if row["latest_period"] else None,
            "url": _first_url(("kpis:detail", "kpis:kpi_detail"), organization, row["id"]),
        })
    order = {kpi_status.RED: 0, kpi_status.STALE: 1, kpi_status.AMBER: 2, kpi_status.GREEN: 3}
    items.sort(key=lambda k: (order[k["status"]], k["name"]))
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
    linked = (items.filter(domain__in=SECURITY_DOMAINS)
              .filter(pk__in=ItemRiskLink.objects.values("item_id")).aggregate(total=Sum("amount"))["total"])
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

def raci_section(*, organization, user=None) -> dict:
    """Activities with gaps or overlaps (the RACI rules). Two queries."""
    activities = list(_scope(RaciActivity, organization, user).order_by("position", "name").values("id", "name"))
    cells = defaultdict(list)
    for row in _scope(RaciAssignment, organization, user).values("activity_id", "party__kind", "letter"):
        cells[row["activity_id"]].append((row["party__kind"], row["letter"]))
    problems, checks = [], []
    for activity in activities:
        check = raci_rules.check_activity(cells.get(activity["id"], []))
        checks.append(check)
        if not check.ok:
            problems.append({"id": activity["id"], "name": activity["name"], "problems": check.labels,
                             "overlap": check.is_overlap})
    summary = raci_rules.summarize(checks)
    structural = summary.activities - summary.ok  # no A, several A or no R
    matrix = _first_url(("governance:raci",), organization)
    return {
        "activities": summary.activities, "ok": summary.ok, "gaps": structural - summary.overlaps,
        "overlaps": summary.overlaps, "problem_count": len(problems), "problems": problems[:LIST_LIMIT],
        "coverage": summary.coverage,
        "links": {"matrix": matrix, "problems": f"{matrix}?problem=any" if matrix else ""},
    }


# ---------------------------------------------------------------- intake ----

def _elapsed(request: dict, pauses, end) -> float:
    start = timezone.localtime(request["submitted_at"])
    return intake_rules.business_days(start, timezone.localtime(end),
                                      [(timezone.localtime(s), e and timezone.localtime(e)) for s, e in pauses])


def intake_section(*, organization, user=None, now=None) -> dict:
    """Open requests with their SLA clocks, decisions taken on time. Four queries."""
    now = now or timezone.now()
    settings_row = IntakeSettings.objects.filter(organization=organization).first()
    at_risk = settings_row.at_risk_percent if settings_row else 75
    base = _scope(IntakeRequest, organization, user)
    fields = ("id", "reference", "title", "tier", "sla_days", "status", "submitted_at", "decided_at")
    open_rows = list(base.filter(status__in=OPEN_STATUSES).order_by("submitted_at").values(*fields))
    since = now - timedelta(days=LATENCY_WINDOW_DAYS)
    decided_rows = list(base.filter(status__in=DECIDED_STATUSES, decided_at__gte=since).values(*fields))
    pauses = defaultdict(list)
    ids = [r["id"] for r in open_rows + decided_rows]
    for p in IntakePause.objects.filter(request_id__in=ids).values("request_id", "started_at", "ended_at"):
        pauses[p["request_id"]].append((p["started_at"], p["ended_at"]))
    queue, states = [], {intake_rules.ON_TRACK: 0, intake_rules.AT_RISK: 0, intake_rules.BREACHED: 0}
    for row in open_rows:
        elapsed = _elapsed(row, pauses[row["id"]], now)
        state = intake_rules.sla_status(elapsed, row["sla_days"], at_risk_percent=at_risk)
        states[state] += 1
        queue.append({"id": row["id"], "reference": row["reference"], "title": row["title"], "tier": row["tier"],
                      "status": row["status"], "sla_days": row["sla_days"], "elapsed_days": round(elapsed, 1),
                      "left_days": round(row["sla_days"] - elapsed, 1), "sla_state": state,
                      "sla_label": intake_rules.SLA_LABELS[state],
                      "used": round(min(intake_rules.sla_used_share(elapsed, row["sla_days"]), 1.0), 2),
                      "url": _first_url(("governance:intake_detail",), organization, row["id"])})
    queue.sort(key=lambda q: q["left_days"])
    decided_days = [(_elapsed(r, pauses[r["id"]], r["decided_at"]), r["sla_days"]) for r in decided_rows]
    listing = _first_url(("governance:intake_list",), organization)
    decided_rows.sort(key=lambda r: r["decided_at"], reverse=True)
    recent = [{"reference": r["reference"], "title": r["title"], "decision": IntakeStatus(r["status"]).label,
               "decided_at": r["decided_at"].isoformat(), "tier": r["tier"],
               "url": _first_url(("governance:intake_detail",), organization, r["id"])} for r in decided_rows]
    return {
        "open": len(open_rows), **states, "queue": queue[:LIST_LIMIT],
        "decided": len(decided_rows), "decided_on_time": sum(1 for d, sla in decided_days if d <= sla),
        "median_days_to_decision": intake_rules.median_days(d for d, _ in decided_days),
        "recent_decisions": recent[:LIST_LIMIT],
        "links": {"queue": listing, "breached": f"{listing}?sla=breached" if listing else ""},
    }


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
    to what that role has not signed. A fixed number of queries (one per kind).
    """
    now = now or timezone.now()
    active = list(SignOff.objects.filter(organization=organization, voided_at__isnull=True)
                  .values("content_type_id", "object_id", "role", "signed_at", "decision"))
    signed = defaultdict(dict)
    for row in active:
        signed[(row["content_type_id"], row["object_id"])][row["role"]] = row
    candidates = {}
    for qs in (
        _scope(Proposal, organization, user).filter(status=ProposalStatus.JOINT_REVIEW),
        _scope(Risk, organization, user).filter(acceptance_expires_on__isnull=False)
        .exclude(status__in=[RiskStatus.ACCEPTED, RiskStatus.CLOSED]),
        _scope(IntakeRequest, organization, user).filter(status__in=OPEN_STATUSES).exclude(proposed_decision=""),
    ):
        ct = ContentType.objects.get_for_model(qs.model)
        for subject in qs:
            candidates[(ct.pk, subject.pk)] = subject
    # Anything else one role signed and the other has not (e.g. the RACI matrix).
    missing = defaultdict(list)
    for key, by_role in signed.items():
        if key not in candidates and len(by_role) == 1:
            missing[key[0]].append(key[1])
    for ct_id, ids in missing.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None or not hasattr(model.objects, "visible_to"):
            continue
        for subject in _scope(model, organization, user).filter(pk__in=ids):
            candidates[(ct_id, subject.pk)] = subject
    waiting, overdue = [], 0
    for key, subject in candidates.items():
        by_role = signed.get(key, {})
        waiting_on = [r.value for r in (Role.CIO, Role.CISO) if r.value not in by_role]
        if not waiting_on or any(s["decision"] == "reject" for s in by_role.values()):
            continue
        since = min((s["signed_at"] for s in by_role.values()), default=None) or getattr(subject, "updated_at", None)
        row = _decision_row(subject, organization, waiting_on=waiting_on, since=since, now=now)
        overdue += int(row["age_days"] is not None and row["age_days"] > SIGNOFF_LIMIT_DAYS)
        waiting.append(row)
    waiting.sort(key=lambda w: w["since"] or "")
    mine = [w for w in waiting if role in w["waiting_on"]] if role else waiting
    return {"pending": len(waiting), "overdue": overdue, "waiting": waiting[:LIST_LIMIT * 2],
            "for_role": role, "mine": mine[:LIST_LIMIT], "mine_count": len(mine),
            "limit_days": SIGNOFF_LIMIT_DAYS}


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


def shared_picture(*, organization, user=None, role: str | None = None, progress=None) -> dict:
    """Every section plus the alignment score, as plain values.

    ``progress(percent, step)`` is called between sections (report builds show it).
    """
    progress = progress or (lambda percent, step: None)
    steps = (
        ("risks", "Reading the risk register", lambda: risk_section(organization=organization, user=user)),
        ("kpis", "Reading the KPI scorecard", lambda: kpi_section(organization=organization, user=user)),
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
