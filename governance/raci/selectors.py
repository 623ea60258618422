"""Every read of the ownership matrix.

The grid and the summary need every activity's check, so they read the whole
matrix: each table once — activities (the narrow columns the grid shows), the
cells as plain values, the CIO and CISO parties — into a ``MatrixState`` of
plain values, cached under the organization's data version (core.cache: any
saved or deleted party, activity or cell makes a new version). Only the page of
rows on screen becomes ``GridRow`` objects with one entry per party."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Q

from core.cache import cached_for_org
from core.models import Organization
from core.permissions import has_perm
from core.roles import Perm
from core.selectors import JointStatus, signoff_status, signoffs_waiting_for, signoffs_with_log

from . import rules as raci_rules
from .models import RaciActivity, RaciAssignment, RaciMatrix, RaciParty
from .services import APPROVAL_PURPOSE

PAGE_SIZE = 25
SIGNOFF_LOG_LENGTH = 20
# What the grid, its rows and the exports show of an activity (not its
# description), in the model's field order: ``Model.from_db`` expects it.
GRID_COLUMNS = ("id", "organization_id", "name", "process_area", "csf_category", "position")


@dataclass
class GridRow:
    activity: RaciActivity
    cells: list[tuple[RaciParty, str]]  # one per party, in column order; "" when empty
    check: raci_rules.ActivityCheck


@dataclass
class Grid:
    parties: list[RaciParty]
    rows: list[GridRow]  # the requested page of matching rows, or every matching row without a page
    summary: raci_rules.MatrixSummary  # over the whole matrix, not just the filtered rows
    total: int  # activities in the matrix
    matched: int  # activities that match the filters, on every page
    page: Page | None = None


def _letters_by_activity(organization: Organization) -> dict[int, dict[int, str]]:
    letters: dict[int, dict[int, str]] = {}
    for activity_id, party_id, letter in RaciAssignment.objects.filter(organization=organization).values_list(
        "activity_id", "party_id", "letter"
    ):
        letters.setdefault(activity_id, {})[party_id] = letter
    return letters


def _check(letters: dict[int, str], executives: dict[int, str]) -> raci_rules.ActivityCheck:
    """``raci_rules.check_activity`` of one row (party id → letter of its filled
    cells), counted with list and dict operations rather than cell by cell, as
    every activity is checked whenever the matrix is read. ``executives`` maps
    the CIO and CISO parties' ids to their kind."""
    found = list(letters.values())
    executive_letters: dict[str, set[str]] = {"cio": set(), "ciso": set()}
    for party_id, kind in executives.items():
        if party_id in letters:
            executive_letters[kind].add(letters[party_id])
    return raci_rules.check_counts(
        accountable=found.count("A"),
        responsible=found.count("R"),
        cio_letters=executive_letters["cio"],
        ciso_letters=executive_letters["ciso"],
    )


@dataclass
class MatrixState:
    """The whole matrix as plain values, in grid order: what the checks, the
    counters, the filters and the page of rows are computed from."""

    activities: list[tuple]  # GRID_COLUMNS of each activity
    letters: dict[int, dict[int, str]]  # activity id → party id → letter, filled cells only
    checks: list[raci_rules.ActivityCheck]  # one per activity


def _read_matrix_state(organization: Organization) -> MatrixState:
    executives = dict(
        RaciParty.objects.filter(organization=organization, kind__in=("cio", "ciso")).values_list(
            "pk", "kind"
        )
    )
    activities = list(raci_activity_list(organization=organization).values_list(*GRID_COLUMNS))
    letters = _letters_by_activity(organization)
    checks = [_check(letters.get(activity[0], {}), executives) for activity in activities]
    return MatrixState(activities=activities, letters=letters, checks=checks)


# Holds MatrixState's shape: change it with the dataclass, so that no process
# reads a state pickled by an older release.
_STATE_CACHE_NAME = "raci:matrix-state:1"


def raci_matrix_state(organization: Organization) -> MatrixState:
    """Three queries when the organization's data changed since it was last
    read (or without a cache), none otherwise."""
    return cached_for_org(organization.pk, _STATE_CACHE_NAME, lambda: _read_matrix_state(organization))


def _row(
    activity: RaciActivity,
    parties: list[RaciParty],
    letters: dict[int, str],
    check: raci_rules.ActivityCheck | None = None,
) -> GridRow:
    cells = [(party, letters.get(party.pk, "")) for party in parties]
    if check is None:
        check = raci_rules.check_activity((party.kind, letter) for party, letter in cells)
    return GridRow(activity=activity, cells=cells, check=check)


def raci_party_list(*, organization: Organization, user=None):
    qs = RaciParty.objects.visible_to(user) if user is not None else RaciParty.objects.all()
    return qs.filter(organization=organization).prefetch_related("members").order_by("position", "name")


def raci_activity_list(*, organization: Organization, user=None):
    qs = RaciActivity.objects.visible_to(user) if user is not None else RaciActivity.objects.all()
    return qs.filter(organization=organization).order_by("position", "name")


def _matches(
    activity: tuple, check: raci_rules.ActivityCheck, *, process_area: str, problem: str, needle: str
) -> bool:
    _, _, name, area, csf_category, _ = activity
    if process_area and area != process_area:
        return False
    if needle and needle not in name.lower() and needle not in csf_category.lower():
        return False
    if problem == "any":
        return not check.ok
    return not problem or problem in check.problems


def raci_grid(
    *,
    organization: Organization,
    user,
    process_area: str = "",
    problem: str = "",
    search: str = "",
    page: int | str | None = None,
    per_page: int = PAGE_SIZE,
) -> Grid:
    """The matrix for the grid page (one ``page`` of rows) and the exports
    (``page=None``: every matching row). ``problem`` is one of the raci_rules
    problem codes, or "any" for every row that breaks a rule. The parties, and
    the ``MatrixState``: at most four queries whatever the size of the matrix
    or the page."""
    parties = list(
        RaciParty.objects.visible_to(user).filter(organization=organization).order_by("position", "name")
    )
    if has_perm(user, organization, RaciActivity.view_permission):
        state = raci_matrix_state(organization)
    else:
        state = MatrixState(activities=[], letters={}, checks=[])
    needle = search.lower()
    matching = [
        (activity, check)
        for activity, check in zip(state.activities, state.checks, strict=True)
        if _matches(activity, check, process_area=process_area, problem=problem, needle=needle)
    ]
    page_obj = None
    shown = matching
    if page is not None:
        page_obj = Paginator(matching, per_page).get_page(page)
        shown = page_obj.object_list
    db = RaciActivity.objects.db
    rows = [
        _row(
            RaciActivity.from_db(db, GRID_COLUMNS, activity),
            parties,
            state.letters.get(activity[0], {}),
            check,
        )
        for activity, check in shown
    ]
    return Grid(
        parties=parties,
        rows=rows,
        summary=raci_rules.summarize(state.checks),
        total=len(state.activities),
        matched=len(matching),
        page=page_obj,
    )


def raci_grid_row(*, activity: RaciActivity) -> GridRow:
    """One row (after a cell changed): two queries."""
    parties = list(
        RaciParty.objects.filter(organization_id=activity.organization_id).order_by("position", "name")
    )
    letters = dict(RaciAssignment.objects.filter(activity=activity).values_list("party_id", "letter"))
    return _row(activity, parties, letters)


def raci_activity_page(*, activity: RaciActivity, per_page: int = PAGE_SIZE) -> int:
    """The page of the unfiltered grid that shows ``activity`` (one count)."""
    before = (
        RaciActivity.objects.filter(organization_id=activity.organization_id)
        .filter(Q(position__lt=activity.position) | Q(position=activity.position, name__lt=activity.name))
        .count()
    )
    return before // per_page + 1


def raci_matrix(*, organization: Organization) -> RaciMatrix | None:
    return RaciMatrix.objects.filter(organization=organization).first()


def _summary_dict(
    summary: raci_rules.MatrixSummary, matrix: RaciMatrix | None, status: JointStatus | None
) -> dict:
    approved = bool(matrix and summary.activities and status is not None and status.approved)
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


def raci_summary(organization: Organization) -> dict:
    """The matrix's health for the grid's counters, the dashboard and the alignment report.

    Returns ``{"activities", "ok", "gaps", "overlaps", "no_responsible",
    "cio_ciso_conflicts", "problems", "coverage" (0–1 or None), "approved",
    "matrix_version"}``. Gaps are activities without an A, overlaps those with
    several; ``approved`` is True when CIO and CISO both approved the current
    version. The ``MatrixState``, the matrix and its sign-offs: at most five
    queries whatever the size of the matrix.
    """
    summary = raci_rules.summarize(raci_matrix_state(organization).checks)
    matrix = raci_matrix(organization=organization)
    status = signoff_status(matrix, APPROVAL_PURPOSE) if matrix and summary.activities else None
    return _summary_dict(summary, matrix, status)


def raci_grid_summary(grid: Grid, matrix: RaciMatrix, status: JointStatus) -> dict:
    """``raci_summary``'s dict from what the grid page has already read (no query)."""
    return _summary_dict(grid.summary, matrix, status)


def raci_signoffs(matrix: RaciMatrix) -> tuple[JointStatus, list]:
    """The joint status of the matrix's current version and its sign-off log, in one query."""
    return signoffs_with_log(matrix, APPROVAL_PURPOSE, log_length=SIGNOFF_LOG_LENGTH)


def raci_waiting_for(organization: Organization, role: str) -> list[RaciMatrix]:
    """The matrix, in a list, when its approval waits for ``role``'s signature
    ("cio" or "ciso"): it has activities and that role has not signed its
    current version. Three queries at most."""
    matrix = raci_matrix(organization=organization)
    if matrix is None or not RaciActivity.objects.filter(organization=organization).exists():
        return []
    waiting = signoffs_waiting_for(
        organization=organization, role=role, subjects_by_purpose={APPROVAL_PURPOSE: [matrix]}
    )
    return [subject for _, subject in waiting]


def raci_overview(organization: Organization, *, user=None, limit: int = 8) -> dict:
    """The matrix's health for the dashboard and reports, as plain values:
    the counts of ``raci_rules.summarize`` (``gaps``: activities without an
    Accountable; ``overlaps``: with several; ``problem_count``: activities
    with any problem) and the first ``limit`` activities with a problem, in
    grid order. Empty for a person who may not see the matrix. The same
    cached ``MatrixState`` as the grid page: its counters and these agree."""
    if user is not None and not has_perm(user, organization, Perm.RACI_VIEW):
        state = MatrixState(activities=[], letters={}, checks=[])
    else:
        state = raci_matrix_state(organization)
    summary = raci_rules.summarize(state.checks)
    problems = [
        {"id": activity[0], "name": activity[2], "problems": check.labels, "overlap": check.is_overlap}
        for activity, check in zip(state.activities, state.checks, strict=True)
        if not check.ok
    ]
    return {
        "activities": summary.activities,
        "ok": summary.ok,
        "gaps": summary.gaps,
        "overlaps": summary.overlaps,
        "no_responsible": summary.no_responsible,
        "problem_count": len(problems),
        "problems": problems[:limit],
        "coverage": summary.coverage,
    }
