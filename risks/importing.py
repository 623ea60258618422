"""The register as a spreadsheet: export rows, and the import's row checks.

Export and import use the same columns, so an export can be edited and
imported back. Rows whose reference is already in the register update that
risk; rows without one (or with a reference unknown here) create new risks.
Score columns are exported for reading only: each lens is assessed in Concord
by its owner, never by a file. ``parse_rows`` checks every row and returns all
the errors at once; ``services.risks_import`` writes all rows or none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core.members import NOT_A_MEMBER
from core.models import Organization, User
from core.validation import parse_decimal, text_problem

from . import scoring
from .models import AnnexAControl, CsfCategory, Origin, Risk, RiskCategory, RiskStatus, Treatment

EDITABLE_HEADERS = [
    "reference",
    "title",
    "business_impact",
    "category",
    "origin",
    "owner_email",
    "status",
    "treatment",
    "due_date",
    "next_review_date",
    "affected_services",
    "csf_categories",
    "annex_a_controls",
    "loss_low",
    "loss_most_likely",
    "loss_high",
    "events_per_year",
]
READ_ONLY_HEADERS = [
    "expected_annual_loss",
    "cio_score",
    "ciso_score",
    "agreed",
    "current_score",
    "level",
    "residual_score",
    "divergence_levels",
    "above_appetite",
]
EXPORT_HEADERS = EDITABLE_HEADERS + READ_ONLY_HEADERS
REQUIRED_HEADERS = ["title", "business_impact", "category", "origin", "owner_email"]
MONEY_COLUMNS = tuple(
    EXPORT_HEADERS.index(h) for h in ("loss_low", "loss_most_likely", "loss_high", "expected_annual_loss")
)
MAX_ROWS = 5000

FIELD_OF_COLUMN = {"business_impact": "impact_statement", "owner_email": "owner"}
COMPARED = (
    "title",
    "impact_statement",
    "category",
    "origin",
    "owner",
    "status",
    "treatment",
    "due_date",
    "next_review_date",
    "affected_services",
    "loss_low",
    "loss_most_likely",
    "loss_high",
    "events_per_year",
)


def _codes(values) -> str:
    return ", ".join(v.code for v in values)


def export_row(risk: Risk, organization: Organization) -> list:
    thresholds = organization.level_thresholds
    return [
        risk.reference,
        risk.title,
        risk.impact_statement,
        risk.get_category_display(),
        risk.get_origin_display(),
        risk.owner.email,
        risk.get_status_display(),
        risk.get_treatment_display() if risk.treatment else "",
        risk.due_date,
        risk.next_review_date,
        risk.affected_services,
        _codes(risk.csf_categories.all()),
        _codes(risk.annex_a_controls.all()),
        risk.loss_low,
        risk.loss_most_likely,
        risk.loss_high,
        risk.events_per_year,
        risk.expected_annual_loss,
        risk.cio_score,
        risk.ciso_score,
        "yes" if risk.is_agreed else "no",
        risk.inherent_score,
        scoring.level_key(risk.inherent_score, thresholds),
        risk.residual_score,
        getattr(risk, "divergence_levels", ""),
        "yes" if scoring.above_appetite(risk.inherent_score, organization.risk_appetite) else "no",
    ]


def export_rows(risks, organization: Organization) -> list[list]:
    """Rows for ``EXPORT_HEADERS`` (dates stay dates and amounts Decimals)."""
    return [export_row(risk, organization) for risk in risks]


# ----------------------------------------------------------------- import ----


@dataclass
class ParsedRow:
    line: int  # the row number as the spreadsheet shows it (header is row 1)
    values: dict
    risk: Risk | None = None  # the risk it updates, if any
    changes: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        if self.risk is None:
            return "create"
        return "update" if self.changes else "unchanged"


class RowErrors(list):
    def add(self, line: int, column: str, message: str) -> None:
        self.append(f"Row {line}, {column}: {message}")


def _choice(value: str, choices) -> str | None:
    wanted = value.strip().lower()
    for key, label in choices:
        if wanted in (str(key).lower(), str(label).lower()):
            return key
    return None


def _date(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError("use a date like 2026-12-31") from None


# (max_digits, decimal_places) of each model field: a number that does not fit is
# refused on its row, never sent to the database.
AMOUNT_DIGITS = {
    "loss_low": (14, 2),
    "loss_most_likely": (14, 2),
    "loss_high": (14, 2),
    "events_per_year": (7, 3),
}


def _amount(value: str, column: str) -> Decimal | None:
    value = value.strip()
    if not value:
        return None
    max_digits, places = AMOUNT_DIGITS[column]
    return parse_decimal(value, max_digits=max_digits, decimal_places=places, min_value=Decimal(0))


def _split_codes(value: str) -> list[str]:
    return [c.strip().upper() for c in re.split(r"[,;\s]+", value or "") if c.strip()]


class _Lookups:
    """Everything the rows refer to, loaded once (constant queries per import)."""

    def __init__(self, organization: Organization):
        self.owners = {
            u.email.lower(): u for u in User.objects.filter(memberships__organization=organization)
        }
        self.csf = {c.code.upper(): c for c in CsfCategory.objects.all()}
        self.controls = {c.code.upper(): c for c in AnnexAControl.objects.all()}
        self.risks = {
            r.reference.upper(): r
            for r in Risk.objects.filter(organization=organization).prefetch_related(
                "csf_categories", "annex_a_controls"
            )
        }


ONE_LINE_COLUMNS = (
    "reference",
    "title",
    "category",
    "origin",
    "owner_email",
    "status",
    "treatment",
    "due_date",
    "next_review_date",
    "affected_services",
    "csf_categories",
    "annex_a_controls",
    "loss_low",
    "loss_most_likely",
    "loss_high",
    "events_per_year",
)


def _control_characters(row: dict, line: int, errors: RowErrors) -> bool:
    """Refuse NUL and control characters in every cell (line breaks only in the
    business impact); True when the row has any."""
    found = False
    for column, text in row.items():
        problem = text_problem(text, one_line=column in ONE_LINE_COLUMNS)
        if problem:
            errors.add(line, column, problem)
            found = True
    return found


def _parse_text(row: dict, line: int, errors: RowErrors, values: dict) -> None:
    for column, limit in (("title", 200), ("business_impact", 20000), ("affected_services", 500)):
        text = (row.get(column) or "").strip()
        if column != "affected_services" and not text:
            errors.add(line, column, "is required.")
        elif len(text) > limit:
            errors.add(line, column, f"is longer than {limit} characters.")
        values[FIELD_OF_COLUMN.get(column, column)] = text


def _parse_choices(row: dict, line: int, errors: RowErrors, values: dict, existing: Risk | None) -> None:
    specs = (
        ("category", RiskCategory.choices, True),
        ("origin", Origin.choices, True),
        ("status", RiskStatus.choices, False),
        ("treatment", Treatment.choices, False),
    )
    for column, choices, required in specs:
        raw = (row.get(column) or "").strip()
        if not raw:
            if required:
                errors.add(line, column, "is required.")
            values[column] = (
                ""
                if column == "treatment"
                else (existing.status if existing and column == "status" else RiskStatus.IDENTIFIED)
            )
            continue
        found = _choice(raw, choices)
        if found is None:
            allowed = ", ".join(label for _k, label in choices)
            errors.add(line, column, f"'{raw}' is not one of: {allowed}.")
        values[column] = found
    if values.get("status") == RiskStatus.ACCEPTED and (
        existing is None or existing.status != RiskStatus.ACCEPTED
    ):
        errors.add(line, "status", "a risk becomes Accepted only by joint sign-off of the CIO and the CISO.")


def _parse_refs(row: dict, line: int, errors: RowErrors, values: dict, lookups: _Lookups) -> None:
    email = (row.get("owner_email") or "").strip().lower()
    values["owner"] = lookups.owners.get(email)
    if not email:
        errors.add(line, "owner_email", "is required.")
    elif values["owner"] is None:
        errors.add(line, "owner_email", NOT_A_MEMBER)
    csf, controls = [], []
    for code in _split_codes(row.get("csf_categories", "")):
        (
            csf.append(lookups.csf[code])
            if code in lookups.csf
            else errors.add(line, "csf_categories", f"'{code}' is not a NIST CSF 2.0 category.")
        )
    for code in _split_codes(row.get("annex_a_controls", "")):
        code = code if code.startswith("A.") else f"A.{code}"
        (
            controls.append(lookups.controls[code])
            if code in lookups.controls
            else errors.add(line, "annex_a_controls", f"'{code}' is not an ISO 27001:2022 Annex A control.")
        )
    values["csf_categories"], values["annex_a_controls"] = csf, controls


def _parse_numbers(row: dict, line: int, errors: RowErrors, values: dict) -> None:
    for column in ("due_date", "next_review_date"):
        try:
            values[column] = _date(row.get(column, ""))
        except ValueError as exc:
            errors.add(line, column, str(exc) + ".")
    amounts = ("loss_low", "loss_most_likely", "loss_high", "events_per_year")
    for column in amounts:
        try:
            values[column] = _amount(row.get(column, ""), column)
        except ValueError as exc:
            errors.add(line, column, str(exc) + ".")
    given = [c for c in amounts if values.get(c) is not None]
    if given and len(given) < len(amounts):
        errors.add(
            line,
            next(c for c in amounts if values.get(c) is None),
            "fill in all four loss figures or none of them.",
        )
    elif given and not values["loss_low"] <= values["loss_most_likely"] <= values["loss_high"]:
        errors.add(line, "loss_most_likely", "the losses must go low ≤ most likely ≤ high.")


def _changes(risk: Risk, values: dict) -> list[str]:
    changed = [
        name for name in COMPARED if getattr(risk, name if name != "owner" else "owner") != values[name]
    ]
    if {c.pk for c in risk.csf_categories.all()} != {c.pk for c in values["csf_categories"]}:
        changed.append("csf_categories")
    if {c.pk for c in risk.annex_a_controls.all()} != {c.pk for c in values["annex_a_controls"]}:
        changed.append("annex_a_controls")
    return changed


def parse_rows(rows: list[dict], organization: Organization) -> tuple[list[ParsedRow], list[str]]:
    """Check every row. Returns the parsed rows and every error found
    ("Row N, column: message"); the import may proceed only without errors."""
    errors = RowErrors()
    if len(rows) > MAX_ROWS:
        errors.append(f"The file has {len(rows)} rows; import at most {MAX_ROWS} at a time.")
        return [], errors
    lookups = _Lookups(organization)
    parsed, seen = [], {}
    for index, row in enumerate(rows, start=2):
        reference = (row.get("reference") or "").strip().upper()
        existing = lookups.risks.get(reference) if reference else None
        if reference and reference in seen:
            errors.add(index, "reference", f"{reference} is also on row {seen[reference]}.")
        seen.setdefault(reference, index) if reference else None
        values: dict = {}
        if _control_characters(row, index, errors):
            parsed.append(ParsedRow(line=index, values=values, risk=existing))
            continue
        _parse_text(row, index, errors, values)
        _parse_choices(row, index, errors, values, existing)
        _parse_refs(row, index, errors, values, lookups)
        _parse_numbers(row, index, errors, values)
        item = ParsedRow(line=index, values=values, risk=existing)
        if existing is not None and not any(e.startswith(f"Row {index},") for e in errors):
            item.changes = _changes(existing, values)
        parsed.append(item)
    return parsed, list(errors)
