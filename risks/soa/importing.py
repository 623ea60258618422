"""The statement of applicability from a spreadsheet (the columns of its own
XLSX export): each row checked into a line, every problem as
``row N, field: message``. Used by the one import flow (core/imports.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.errors import DomainError

from ..models import AnnexAControl
from .models import ImplementationStatus, OwnerLens, SoaEntry
from .services import check_entry

REQUIRED_HEADERS = ("control", "applicable", "justification")
MAX_ROWS = 500
_YES = {"yes", "y", "true", "applicable", "1"}
_NO = {"no", "n", "false", "excluded", "not applicable", "0"}
_UNDECIDED = {"", "not decided", "undecided"}
STATUSES = {label.lower(): value for value, label in ImplementationStatus.choices} | {
    value: value for value in ImplementationStatus.values
}
OWNERS = (
    {label.lower(): value for value, label in OwnerLens.choices}
    | {v: v for v in OwnerLens.values}
    | {
        "cio": OwnerLens.CIO,
        "ciso": OwnerLens.CISO,
        "joint": OwnerLens.JOINT,
        "cio and ciso": OwnerLens.JOINT,
    }
)


@dataclass
class ParsedLine:
    line: int
    control: str
    title: str
    values: dict
    action: str = "create"
    changes: list = field(default_factory=list)

    def as_row(self) -> dict:
        return {"row": self.line, "control": self.control, **self.values}


def _applicable(text: str):
    lowered = text.strip().lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    if lowered in _UNDECIDED:
        return None
    raise DomainError("Write yes, no or leave it empty (not decided).", field="applicable")


def _choice(text: str, choices: dict, name: str, label: str) -> str:
    lowered = text.strip().lower()
    if not lowered:
        return ""
    if lowered not in choices:
        allowed = ", ".join(sorted({k for k in choices if " " in k or k.isalpha()}))
        raise DomainError(f"Unknown {label} “{text.strip()[:40]}”; use one of: {allowed}.", field=name)
    return choices[lowered]


def parse_rows(rows: list[dict], organization) -> tuple[list[ParsedLine], list[str]]:
    controls = {c.code.upper(): c for c in AnnexAControl.objects.all()}
    existing = {e.control_id: e for e in SoaEntry.objects.filter(organization=organization)}
    parsed, errors, seen = [], [], set()
    for index, row in enumerate(rows, start=2):
        code = (row.get("control") or "").strip().upper()
        control = controls.get(code)
        if control is None:
            errors.append(
                f"row {index}, control: “{code[:20]}” is not an ISO/IEC 27001:2022 Annex A control."
            )
            continue
        if code in seen:
            errors.append(f"row {index}, control: {code} appears twice in the file.")
            continue
        seen.add(code)
        try:
            values = {
                "applicable": _applicable(row.get("applicable") or ""),
                "justification": (row.get("justification") or "").strip(),
                "status": _choice(row.get("implementation_status") or "", STATUSES, "status", "status"),
                "owner_lens": _choice(row.get("owner") or "", OWNERS, "owner_lens", "owner"),
            }
            if values["applicable"] is False:
                values["status"] = ""
            check_entry(**values)
        except DomainError as exc:
            errors.append(f"row {index}, {exc.field or 'row'}: {exc.message}")
            continue
        line = ParsedLine(line=index, control=control.code, title=control.title, values=values)
        before = existing.get(control.pk)
        if before is not None:
            line.changes = [k for k, v in values.items() if getattr(before, k) != v]
            line.action = "update" if line.changes else "unchanged"
        parsed.append(line)
    return parsed, errors
