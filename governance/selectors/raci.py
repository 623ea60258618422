"""Every read of the ownership matrix. The grid costs a fixed number of queries
(parties, activities, assignments) whatever its size."""
from __future__ import annotations

from dataclasses import dataclass

from core.models import Organization
from core.selectors import signoff_status, signoffs_waiting_for

from .. import raci_rules
from ..models import RaciActivity, RaciAssignment, RaciMatrix, RaciParty
from ..services.raci import APPROVAL_PURPOSE


@dataclass
class GridRow:
    activity: RaciActivity
    cells: list[tuple[RaciParty, str]]  # one per party, in column order; "" when empty
    check: raci_rules.ActivityCheck


@dataclass
class Grid:
    parties: list[RaciParty]
    rows: list[GridRow]
    summary: raci_rules.MatrixSummary  # over the whole matrix, not just the filtered rows
    total: int


def _letters_by_activity(organization: Organization) -> dict[int, dict[int, str]]:
    letters: dict[int, dict[int, str]] = {}
    for activity_id, party_id, letter in RaciAssignment.objects.filter(organization=organization).values_list(
            "activity_id", "party_id", "letter"):
        letters.setdefault(activity_id, {})[party_id] = letter
    return letters


def _row(activity: RaciActivity, parties: list[RaciParty], letters: dict[int, str]) -> GridRow:
    cells = [(party, letters.get(party.pk, "")) for party in parties]
    check = raci_rules.check_activity((party.kind, letter) for party, letter in cells)
    return GridRow(activity=activity, cells=cells, check=check)


def raci_party_list(*, organization: Organization, user=None):
    qs = RaciParty.objects.visible_to(user) if user is not None else RaciParty.objects.all()
    return qs.filter(organization=organization).prefetch_related("members").order_by("position", "name")


def raci_activity_list(*, organization: Organization, user=None):
    qs = RaciActivity.objects.visible_to(user) if user is not None else RaciActivity.objects.all()
    return qs.filter(organization=organization).order_by("position", "name")


def raci_grid(*, organization: Organization, user, process_area: str = "", problem: str = "",
              search: str = "") -> Grid:
    """The matrix for the grid page and the exports. ``problem`` is one of the
    raci_rules problem codes, or "any" for every row that breaks a rule."""
    parties = list(RaciParty.objects.visible_to(user).filter(organization=organization).order_by("position", "name"))
    activities = list(raci_activity_list(organization=organization, user=user))
    letters = _letters_by_activity(organization)
    rows = [_row(a, parties, letters.get(a.pk, {})) for a in activities]
    summary = raci_rules.summarize(row.check for row in rows)
    if process_area:
        rows = [r for r in rows if r.activity.process_area == process_area]
    if search:
        needle = search.lower()
        rows = [r for r in rows if needle in r.activity.name.lower() or needle in r.activity.csf_category.lower()]
    if problem == "any":
        rows = [r for r in rows if not r.check.ok]
    elif problem:
        rows = [r for r in rows if problem in r.check.problems]
    return Grid(parties=parties, rows=rows, summary=summary, total=len(activities))


def raci_grid_row(*, activity: RaciActivity) -> GridRow:
    """One row (after a cell changed): two queries."""
    parties = list(RaciParty.objects.filter(organization_id=activity.organization_id).order_by("position", "name"))
    letters = dict(RaciAssignment.objects.filter(activity=activity).values_list("party_id", "letter"))
    return _row(activity, parties, letters)


def raci_matrix(*, organization: Organization) -> RaciMatrix | None:
    return RaciMatrix.objects.filter(organization=organization).first()


def raci_summary(organization: Organization) -> dict:
    """The matrix's health for the dashboard and the alignment report.

    Returns ``{"activities", "ok", "gaps", "overlaps", "no_responsible",
    "cio_ciso_conflicts", "problems", "coverage" (0–1 or None), "approved",
    "matrix_version"}``. Gaps are activities without an A, overlaps those with
    several; ``approved`` is True when CIO and CISO both approved the current
    version. Five queries whatever the size of the matrix.
    """
    parties = dict(RaciParty.objects.filter(organization=organization).values_list("pk", "kind"))
    cells: dict[int, list[tuple[str, str]]] = {}
    for activity_id, party_id, letter in RaciAssignment.objects.filter(organization=organization).values_list(
            "activity_id", "party_id", "letter"):
        cells.setdefault(activity_id, []).append((parties.get(party_id, ""), letter))
    activity_ids = RaciActivity.objects.filter(organization=organization).values_list("pk", flat=True)
    summary = raci_rules.summarize(raci_rules.check_activity(cells.get(pk, [])) for pk in activity_ids)
    matrix = raci_matrix(organization=organization)
    approved = bool(matrix and summary.activities and signoff_status(matrix, APPROVAL_PURPOSE).approved)
    return {
        "activities": summary.activities,
        "ok": summary.ok,
        "gaps": summary.gaps,
        "overlaps": summary.overlaps,
        "no_responsible": summary.no_responsible,
        "cio_ciso_conflicts": summary.cio_ciso_conflicts,
        "problems": summary.problems,
        "coverage": summary.coverage,
        "approved": approved,
        "matrix_version": matrix.version if matrix else None,
    }


def raci_waiting_for(organization: Organization, role: str) -> list[RaciMatrix]:
    """The matrix, in a list, when its approval waits for ``role``'s signature
    ("cio" or "ciso"): it has activities and that role has not signed its
    current version. Three queries at most."""
    matrix = raci_matrix(organization=organization)
    if matrix is None or not RaciActivity.objects.filter(organization=organization).exists():
        return []
    waiting = signoffs_waiting_for(organization=organization, role=role,
                                   subjects_by_purpose={APPROVAL_PURPOSE: [matrix]})
    return [subject for _, subject in waiting]
