"""Roles and the one table that says what each role may do.

Pages, API, forms' choice lists and exports all ask this table (through
``core.permissions``); nothing else grants rights.
"""

from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    CIO = "cio", "CIO"
    CISO = "ciso", "CISO"
    BOARD = "board", "Board member"
    CONTRIBUTOR = "contributor", "Contributor"
    ADMIN = "admin", "Organization admin"


# Roles that sign joint decisions, each in its own capacity.
SIGNING_ROLES = (Role.CIO, Role.CISO)


class Perm(StrEnum):
    DASHBOARD_VIEW = "dashboard.view"
    RISK_VIEW = "risk.view"
    RISK_EDIT = "risk.edit"
    KPI_VIEW = "kpi.view"
    KPI_EDIT = "kpi.edit"
    BUDGET_VIEW = "budget.view"  # every proposal, drafts included
    BUDGET_VIEW_SUBMITTED = "budget.view_submitted"  # proposals submitted to the board
    BUDGET_EDIT = "budget.edit"
    BUDGET_DECIDE = "budget.decide"  # record the board's decision: approve or return
    RACI_VIEW = "raci.view"
    RACI_EDIT = "raci.edit"
    PROFILE_VIEW = "profile.view"  # the CSF profile: current against target, per outcome
    PROFILE_EDIT = "profile.edit"  # scope, targets, tiers, and one's own assessment
    INTAKE_FILE = "intake.file"  # file requests and follow one's own
    INTAKE_REVIEW = "intake.review"  # see and decide every request
    REPORT_VIEW_PUBLISHED = "report.view_published"
    REPORT_VIEW_DRAFT = "report.view_draft"
    REPORT_MANAGE = "report.manage"  # generate and publish
    SIGN = "signoff.sign"
    MEMBERS_MANAGE = "members.manage"
    ORG_SETTINGS = "org.settings"
    AUDIT_VIEW = "audit.view"
    EVIDENCE_VIEW = "evidence.view"  # every piece of evidence and its file
    EVIDENCE_ADD = "evidence.add"  # add evidence; a contributor sees only what they added
    EVIDENCE_SUMMARY = "evidence.summary"  # open the evidence page (the board: counts, not files)


_EXECUTIVE = frozenset(
    {
        Perm.DASHBOARD_VIEW,
        Perm.RISK_VIEW,
        Perm.RISK_EDIT,
        Perm.KPI_VIEW,
        Perm.KPI_EDIT,
        Perm.BUDGET_VIEW,
        Perm.BUDGET_VIEW_SUBMITTED,
        Perm.BUDGET_EDIT,
        Perm.BUDGET_DECIDE,
        Perm.RACI_VIEW,
        Perm.RACI_EDIT,
        Perm.PROFILE_VIEW,
        Perm.PROFILE_EDIT,
        Perm.INTAKE_FILE,
        Perm.INTAKE_REVIEW,
        Perm.REPORT_VIEW_PUBLISHED,
        Perm.REPORT_VIEW_DRAFT,
        Perm.REPORT_MANAGE,
        Perm.SIGN,
        Perm.ORG_SETTINGS,
        Perm.AUDIT_VIEW,
        Perm.EVIDENCE_VIEW,
        Perm.EVIDENCE_ADD,
        Perm.EVIDENCE_SUMMARY,
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.CIO: _EXECUTIVE,
    Role.CISO: _EXECUTIVE,
    # The board reads; it changes nothing.
    Role.BOARD: frozenset({Perm.REPORT_VIEW_PUBLISHED, Perm.BUDGET_VIEW_SUBMITTED, Perm.EVIDENCE_SUMMARY}),
    Role.CONTRIBUTOR: frozenset(
        {Perm.INTAKE_FILE, Perm.RACI_VIEW, Perm.PROFILE_VIEW, Perm.EVIDENCE_ADD, Perm.EVIDENCE_SUMMARY}
    ),
    # An admin manages people and settings; it grants no business rights by itself.
    Role.ADMIN: frozenset({Perm.MEMBERS_MANAGE, Perm.ORG_SETTINGS, Perm.AUDIT_VIEW}),
}


# What a role may only do, never merely see: refused everywhere in an archived
# organization (core.permissions.has_perm), so the buttons disappear too.
CHANGE_PERMS = frozenset(
    {
        Perm.RISK_EDIT,
        Perm.KPI_EDIT,
        Perm.BUDGET_EDIT,
        Perm.BUDGET_DECIDE,
        Perm.RACI_EDIT,
        Perm.REPORT_MANAGE,
        Perm.SIGN,
    }
)


def role_has(role: str, perm: Perm) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())


def roles_with(perm: Perm) -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]


def membership_has(role: str, is_admin: bool, perm: Perm) -> bool:
    """A membership's rights: its role's, plus an admin's for the founder who
    named themselves CIO or CISO (``Membership.is_admin``)."""
    return role_has(role, perm) or (is_admin and role_has(Role.ADMIN, perm))
