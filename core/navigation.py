"""The main navigation. Each entry shows only to roles whose permission it
names, and only once the page behind it exists (its URL name resolves)."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from .roles import Perm, membership_has


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    perms: tuple[Perm, ...]  # any one of them is enough
    icon: str


NAVIGATION = (
    NavEntry("Dashboard", "governance:dashboard", (Perm.DASHBOARD_VIEW,), "speedometer2"),
    NavEntry("Risks", "risks:register", (Perm.RISK_VIEW,), "exclamation-triangle"),
    NavEntry("Statement of applicability", "soa:statement", (Perm.RISK_VIEW,), "list-check"),
    NavEntry("Evidence", "evidence:list", (Perm.EVIDENCE_VIEW, Perm.EVIDENCE_ADD), "file-earmark-check"),
    NavEntry("KPIs", "kpis:scorecard", (Perm.KPI_VIEW,), "graph-up"),
    NavEntry("Budget", "budgets:proposal_list", (Perm.BUDGET_VIEW, Perm.BUDGET_VIEW_SUBMITTED), "cash-coin"),
    NavEntry("Profile", "profile:page", (Perm.PROFILE_VIEW,), "bullseye"),
    NavEntry("Ownership", "governance:raci", (Perm.RACI_VIEW,), "diagram-3"),
    NavEntry("Intake", "governance:intake_list", (Perm.INTAKE_REVIEW, Perm.INTAKE_FILE), "inbox"),
    NavEntry("Reports", "governance:report_list", (Perm.REPORT_VIEW_PUBLISHED,), "file-earmark-bar-graph"),
    NavEntry("People", "core:members", (Perm.MEMBERS_MANAGE,), "people"),
    NavEntry("Audit", "core:audit", (Perm.AUDIT_VIEW,), "journal-check"),
    NavEntry("Settings", "core:org_settings", (Perm.ORG_SETTINGS,), "gear"),
)


def navigation_for(role: str, org_slug: str, current_path: str, *, is_admin: bool = False) -> list[dict]:
    items = []
    for entry in NAVIGATION:
        if not any(membership_has(role, is_admin, perm) for perm in entry.perms):
            continue
        try:
            url = reverse(entry.url_name, kwargs={"org": org_slug})
        except NoReverseMatch:
            continue
        items.append(
            {"label": entry.label, "url": url, "icon": entry.icon, "active": current_path.startswith(url)}
        )
    return items
