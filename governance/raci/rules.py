"""RACI validation: pure functions over plain values, no database.

Rules for one activity (one row of the matrix):

* exactly one **A** (accountable). None is a *gap*; several are an *overlap*;
* at least one **R** (responsible): without one nobody does the work;
* the CIO and the CISO must not both be accountable (a disguised overlap at
  the top), and must not both be absent (nobody at executive level even knows).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

CYCLE = ("", "R", "A", "C", "I")

GAP = "gap"
OVERLAP = "overlap"
NO_RESPONSIBLE = "no_responsible"
CIO_CISO_BOTH_ACCOUNTABLE = "cio_ciso_both_accountable"
CIO_CISO_BOTH_ABSENT = "cio_ciso_both_absent"

PROBLEM_LABELS = {
    GAP: "No one is accountable",
    OVERLAP: "Several parties are accountable",
    NO_RESPONSIBLE: "No one is responsible",
    CIO_CISO_BOTH_ACCOUNTABLE: "CIO and CISO are both accountable",
    CIO_CISO_BOTH_ABSENT: "Neither CIO nor CISO is involved",
}
PROBLEM_CHOICES = tuple(PROBLEM_LABELS.items())


def next_letter(letter: str) -> str:
    """The letter a click on a cell moves to: empty → R → A → C → I → empty."""
    try:
        return CYCLE[(CYCLE.index(letter or "") + 1) % len(CYCLE)]
    except ValueError:
        return "R"


@dataclass(frozen=True)
class ActivityCheck:
    problems: tuple[str, ...] = field(default_factory=tuple)
    accountable_count: int = 0
    responsible_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def is_gap(self) -> bool:
        return GAP in self.problems

    @property
    def is_overlap(self) -> bool:
        return OVERLAP in self.problems

    @property
    def cio_ciso_conflict(self) -> bool:
        return CIO_CISO_BOTH_ACCOUNTABLE in self.problems or CIO_CISO_BOTH_ABSENT in self.problems

    @property
    def labels(self) -> list[str]:
        return [PROBLEM_LABELS[p] for p in self.problems]


def check_activity(cells: Iterable[tuple[str, str]]) -> ActivityCheck:
    """Check one activity. ``cells`` holds (party kind, letter) for each filled
    cell of the row; party kinds "cio" and "ciso" are the executives."""
    accountable = responsible = 0
    cio_letters: set[str] = set()
    ciso_letters: set[str] = set()
    for kind, letter in cells:
        if not letter:
            continue
        if letter == "A":
            accountable += 1
        elif letter == "R":
            responsible += 1
        if kind == "cio":
            cio_letters.add(letter)
        elif kind == "ciso":
            ciso_letters.add(letter)
    return check_counts(
        accountable=accountable, responsible=responsible, cio_letters=cio_letters, ciso_letters=ciso_letters
    )


def check_counts(
    *, accountable: int, responsible: int, cio_letters: Collection[str], ciso_letters: Collection[str]
) -> ActivityCheck:
    """``check_activity`` from what it looks at: the number of A and of R in the
    row, and the letters of the CIO's and the CISO's cells (empty ones left out).
    For callers that count faster than cell by cell, e.g. the grid, which checks
    every activity of the matrix on each request."""
    problems: list[str] = []
    if accountable == 0:
        problems.append(GAP)
    elif accountable > 1:
        problems.append(OVERLAP)
    if responsible == 0:
        problems.append(NO_RESPONSIBLE)
    if "A" in cio_letters and "A" in ciso_letters:
        problems.append(CIO_CISO_BOTH_ACCOUNTABLE)
    if not cio_letters and not ciso_letters:
        problems.append(CIO_CISO_BOTH_ABSENT)
    return ActivityCheck(
        problems=tuple(problems), accountable_count=accountable, responsible_count=responsible
    )


@dataclass(frozen=True)
class MatrixSummary:
    activities: int
    ok: int
    gaps: int
    overlaps: int
    no_responsible: int
    cio_ciso_conflicts: int

    @property
    def problems(self) -> int:
        return self.activities - self.ok

    @property
    def coverage(self) -> float | None:
        """Share of activities with exactly one A and at least one R (None if empty)."""
        return None if not self.activities else self.ok / self.activities


def summarize(checks: Iterable[ActivityCheck]) -> MatrixSummary:
    checks = list(checks)
    return MatrixSummary(
        activities=len(checks),
        ok=sum(
            1
            for c in checks
            if GAP not in c.problems and OVERLAP not in c.problems and NO_RESPONSIBLE not in c.problems
        ),
        gaps=sum(1 for c in checks if c.is_gap),
        overlaps=sum(1 for c in checks if c.is_overlap),
        no_responsible=sum(1 for c in checks if NO_RESPONSIBLE in c.problems),
        cio_ciso_conflicts=sum(1 for c in checks if c.cio_ciso_conflict),
    )
