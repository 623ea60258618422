"""The profile in and out of spreadsheets: the export's columns, and the import's
row checks (every problem as "Row N, column: message"; nothing is written here)."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.models import Organization
from core.permissions import signing_role
from core.roles import Role

from . import rules
from .models import OwnerLens, ProfileOutcome

EXPORT_HEADERS = [
    "subcategory",
    "function",
    "category",
    "outcome",
    "in_scope",
    "scope_reason",
    "owner",
    "target_level",
    "cio_level",
    "ciso_level",
    "current_level",
    "gap",
    "notes",
    "risks",
]
WIDTHS = [12, 12, 12, 60, 10, 30, 10, 22, 22, 22, 22, 8, 40, 20]
REQUIRED_HEADERS = ("subcategory",)
MAX_ROWS = 500
_LENS_BY_LABEL = {"cio": OwnerLens.CIO, "ciso": OwnerLens.CISO, "joint": OwnerLens.JOINT}
_LENS_LABEL = {OwnerLens.CIO: "CIO", OwnerLens.CISO: "CISO", OwnerLens.JOINT: "Joint"}
_YES = {"yes", "y", "true", "1", "in"}
_NO = {"no", "n", "false", "0", "out"}


def _level_text(level: int | None) -> str:
    return "" if level is None else rules.LEVEL_LABELS[level]


def export_row(outcome: ProfileOutcome, *, include_risks: bool) -> list:
    sub = outcome.subcategory
    return [
        sub.code,
        sub.category.function.code,
        sub.category.code,
        sub.statement,
        "yes" if outcome.in_scope else "no",
        outcome.scope_reason,
        _LENS_LABEL[OwnerLens(outcome.owner_lens)],
        _level_text(outcome.target_level),
        _level_text(outcome.cio_level),
        _level_text(outcome.ciso_level),
        _level_text(outcome.current_level),
        "yes" if outcome.is_gap else "no",
        outcome.notes,
        " ".join(r.reference for r in outcome.risks.all()) if include_risks else "",
    ]


def export_rows(outcomes, *, include_risks: bool) -> list[list]:
    return [export_row(o, include_risks=include_risks) for o in outcomes]


def parse_level(value: str) -> int | None:
    """ "" → None; 0–3 or a level's name ("Largely implemented", "largely") → the level."""
    text = (value or "").strip().lower()
    if not text:
        return None
    if text in {"0", "1", "2", "3"}:
        return int(text)
    for level, label in rules.LEVEL_LABELS.items():
        if text in (label.lower(), rules.SHORT_LABELS[level].lower()):
            return level
    raise ValueError("use Not, Partially, Largely or Fully implemented (or 0 to 3)")


@dataclass
class ParsedRow:
    line: int
    code: str
    version: int
    target: dict = field(default_factory=dict)
    level: int | None = None  # the importer's own assessment, when it changes
    changes: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        return "update" if self.changes else "unchanged"


def _parse_target(row: dict, outcome: ProfileOutcome, line: int, errors: list) -> dict:
    target = {}
    if "in_scope" in row and row["in_scope"].strip():
        text = row["in_scope"].strip().lower()
        if text not in _YES | _NO:
            errors.append(f"Row {line}, in_scope: write yes or no.")
        else:
            target["in_scope"] = text in _YES
    if "scope_reason" in row:
        target["scope_reason"] = row["scope_reason"].strip()
    if "owner" in row and row["owner"].strip():
        lens = _LENS_BY_LABEL.get(row["owner"].strip().lower())
        if lens is None:
            errors.append(f"Row {line}, owner: write CIO, CISO or Joint.")
        else:
            target["owner_lens"] = lens.value
    if "target_level" in row:
        try:
            level = parse_level(row["target_level"])
        except ValueError as exc:
            errors.append(f"Row {line}, target_level: {exc}.")
        else:
            if level is not None:
                target["target_level"] = level
    if "notes" in row:
        target["notes"] = row["notes"].strip()
    if target.get("in_scope") is False and not target.get("scope_reason", outcome.scope_reason):
        errors.append(f"Row {line}, scope_reason: say why this outcome is out of scope.")
    return {k: v for k, v in target.items() if getattr(outcome, k) != v}


def _parse_assessment(row, outcome, column, line, errors, lens) -> int | None:
    if column is None or column not in row:
        return None
    try:
        level = parse_level(row[column])
    except ValueError as exc:
        errors.append(f"Row {line}, {column}: {exc}.")
        return None
    if level is None or level == getattr(outcome, column):
        return None
    owners = {"it": "cio_level", "security": "ciso_level"}
    if lens != "joint" and owners[lens] != column:
        errors.append(f"Row {line}, {column}: this outcome is assessed by its owner, not by you.")
        return None
    return level


def parse_rows(rows: list[dict], organization: Organization, user) -> tuple[list[ParsedRow], list[str]]:
    """Check every row against the organization's outcomes."""
    errors: list[str] = []
    if len(rows) > MAX_ROWS:
        return [], [f"The file has {len(rows)} rows; the profile has at most {MAX_ROWS}."]
    outcomes = {
        o.subcategory.code.upper(): o
        for o in ProfileOutcome.objects.filter(organization=organization).select_related("subcategory")
    }
    column = {Role.CIO: "cio_level", Role.CISO: "ciso_level"}.get(signing_role(user, organization))
    parsed, seen = [], set()
    for line, row in enumerate(rows, start=2):
        code = (row.get("subcategory") or "").strip().upper()
        outcome = outcomes.get(code)
        if outcome is None:
            errors.append(f"Row {line}, subcategory: '{code}' is not a CSF 2.0 subcategory such as GV.OC-01.")
            continue
        if code in seen:
            errors.append(f"Row {line}, subcategory: {code} appears twice in the file.")
            continue
        seen.add(code)
        target = _parse_target(row, outcome, line, errors)
        lens = target.get("owner_lens", outcome.owner_lens)
        level = _parse_assessment(row, outcome, column, line, errors, lens)
        changes = sorted(target) + ([column] if level is not None else [])
        parsed.append(
            ParsedRow(
                line=line,
                code=outcome.subcategory.code,
                version=outcome.version,
                target=target,
                level=level,
                changes=changes,
            )
        )
    return parsed, errors
