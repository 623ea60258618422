"""A person's portfolio: one row per organization they belong to, and the same
KPI keys side by side for the organizations they lead.

Every figure comes from the dashboard's own data (``dashboard_data``: the same
summary selectors of each app, cached the same way), so a row always equals
that organization's dashboard. Each organization costs a fixed number of
queries; nothing is read of an organization the person is not a member of.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from core.permissions import has_perm, memberships_of, signing_role
from core.portfolio import extra_figures
from core.roles import Perm, Role
from governance.alignment import rules as alignment
from governance.alignment.selectors.dashboard import dashboard_data
from kpis import selectors as kpi_selectors
from kpis import status as periods

SORTS = {
    "name": (lambda r: r["name"].lower(), False),
    "score": (lambda r: r["score"], False),
    "risks": (lambda r: r["risks_above"], True),
    "decisions": (lambda r: r["decisions_mine"], True),
    "intake": (lambda r: r["intake_breached"], True),
    "kpis": (lambda r: r["kpis_red"], True),
    "report": (lambda r: r["next_report"] or date.max, False),
}
LEADING_ROLES = (Role.CIO, Role.CISO)


def portfolio_memberships(user) -> list:
    """The person's memberships in organizations that are not archived, by name."""
    return sorted(
        (m for m in memberships_of(user).values() if m.organization.archived_at is None),
        key=lambda m: m.organization.name.lower(),
    )


def next_report_date(organization, today: date | None = None) -> date:
    """The day the schedule's next report is due: the day after the current period ends."""
    today = today or timezone.localdate()
    schedule = organization.report_schedule
    return periods.period_end(periods.align_period(today, schedule), schedule) + timedelta(days=1)


def _row(membership, user) -> dict:
    org = membership.organization
    home = reverse("core:org_home", args=[org.slug])
    row = {
        "slug": org.slug,
        "name": org.name,
        "role": membership.role,
        "role_label": Role(membership.role).label + (" and admin" if membership.is_admin else ""),
        "url": home,
        "has_figures": False,
        "score": None,
        "band": "none",
        "change": None,
        "risks_above": None,
        "decisions_mine": None,
        "intake_breached": None,
        "kpis_red": None,
        "budget": None,
        "next_report": next_report_date(org),
        "links": {},
        "extras": [],
    }
    if has_perm(user, org, Perm.DASHBOARD_VIEW):
        role = signing_role(user, org)
        data = dashboard_data(organization=org, user=user, role=role, member_role=membership.role)
        picture, trend = data["picture"], data["trend"]
        score = picture["alignment"]["score"]
        previous = next((p["score"] for p in reversed(trend) if p["score"] is not None), None)
        proposal = picture["budget"]["proposal"]
        dashboard = reverse("governance:dashboard", args=[org.slug])
        row.update(
            has_figures=True,
            score=score,
            band=alignment.score_band(score),
            change=alignment.score_change(score, previous),
            risks_above=picture["risks"]["above_appetite_count"],
            decisions_mine=picture["decisions"]["mine_count"],
            intake_breached=picture["intake"]["breached"],
            kpis_red=picture["kpis"]["red"],
            budget=_budget(proposal),
            links={
                "score": dashboard,
                "risks": picture["risks"]["links"]["above_appetite"],
                "decisions": f"{dashboard}#decisions",
                "intake": picture["intake"]["links"]["breached"],
                "kpis": picture["kpis"]["links"]["red"],
                "budget": proposal["url"] if proposal else picture["budget"]["links"]["proposals"],
                "report": reverse("governance:report_list", args=[org.slug]),
            },
        )
    for key, label, compute in extra_figures():
        figure = compute(org, user)
        if figure is not None:
            row["extras"].append({"key": key, "label": label, **figure})
    return row


def _budget(proposal: dict | None) -> dict:
    """The latest proposal's state in words, e.g. "FY 2027: in joint review since 3 Nov 2026"."""
    if not proposal:
        return {"label": "No proposal yet", "status": ""}
    state = proposal["state_label"] or proposal["status"]
    if proposal.get("state_date"):
        when = date.fromisoformat(proposal["state_date"][:10])
        state = f"{state} {date_format(when, 'j M Y')}"
    return {
        "label": f"FY {proposal['fiscal_year']}: {state[:1].lower()}{state[1:]}",
        "status": proposal["status_key"],
    }


def needs_attention(row: dict) -> bool:
    return any((row[k] or 0) > 0 for k in ("risks_above", "decisions_mine", "intake_breached", "kpis_red"))


def portfolio(
    *,
    user,
    sort: str = "name",
    descending: bool | None = None,
    q: str = "",
    attention: bool = False,
    role: str = "",
) -> list[dict]:
    """One row per organization of ``user`` (archived ones aside), filtered
    (name contains ``q``; ``attention``: something needs them; ``role``) and
    sorted by ``sort`` (``SORTS``; unknown keys sort by name)."""
    memberships = portfolio_memberships(user)
    q = (q or "").strip().lower()
    if q:
        memberships = [m for m in memberships if q in m.organization.name.lower() or q in m.organization.slug]
    if role:
        memberships = [m for m in memberships if m.role == role]
    rows = [_row(m, user) for m in memberships]
    if attention:
        rows = [r for r in rows if needs_attention(r)]
    key, default_desc = SORTS.get(sort, SORTS["name"])
    rows.sort(key=lambda r: r["name"].lower())
    # Rows without the figure (a role with no dashboard, no score yet) always
    # come last, in either direction, by name.
    with_figure = [r for r in rows if key(r) is not None]
    without = [r for r in rows if key(r) is None]
    with_figure.sort(key=key, reverse=default_desc if descending is None else descending)
    return with_figure + without


# ---------------------------------------------------------------- compare ----


def organizations_compared(user) -> list:
    """Organizations ``user`` leads (CIO or CISO), not archived, whose KPIs they see."""
    return [
        m.organization
        for m in portfolio_memberships(user)
        if m.role in LEADING_ROLES and has_perm(user, m.organization, Perm.KPI_VIEW)
    ]


def kpi_comparison(*, user, shared_only: bool = True) -> dict:
    """The same KPI keys side by side across the organizations ``user`` leads
    (a benchmark): one ``kpi_overview`` per organization (one query each).
    ``shared_only`` keeps the keys at least two of them track."""
    organizations = organizations_compared(user)
    rows: dict[str, dict] = {}
    for org in organizations:
        overview = kpi_selectors.kpi_overview(org, user=user)
        for item in overview["items"]:
            if not item["key"]:
                continue
            row = rows.setdefault(item["key"], {"key": item["key"], "name": item["name"], "cells": {}})
            row["cells"][org.slug] = {
                "value": item["value"],
                "target": item["target"],
                "unit": item["unit"],
                "status": item["status"],
                "period": item["period"],
                "url": reverse("kpis:detail", args=[org.slug, item["id"]]),
            }
    listed = [r for r in rows.values() if not shared_only or len(r["cells"]) >= 2]
    listed.sort(key=lambda r: r["name"].lower())
    for row in listed:
        row["by_org"] = [row["cells"].get(org.slug) for org in organizations]
    return {
        "organizations": [{"slug": o.slug, "name": o.name} for o in organizations],
        "rows": listed,
        "shared_only": shared_only,
    }
