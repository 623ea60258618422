"""The statement of applicability in the form auditors expect: one line per
Annex A control (control, title, theme, applicable, justification, status,
owner, evidence references, mapped CSF outcomes) and the document's
particulars (organization, version, date, approver). XLSX through
``core.tabular``, PDF through ``core.pdf``; both handed over by
``core.downloads.download``."""

from __future__ import annotations

from django.utils import timezone

from core.pdf import pdf_file
from core.tabular import Sheet, xlsx_file

HEADERS = (
    "Control",
    "Title",
    "Theme",
    "Applicable",
    "Justification",
    "Implementation status",
    "Owner",
    "Evidence references",
    "CSF 2.0 outcomes (own mapping)",
)
WIDTHS = (9, 44, 15, 12, 60, 20, 20, 50, 26)


def _day(value) -> str:
    """6 Dec 2026 (local time for a moment)."""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    return f"{value.day} {value:%b %Y}"


def evidence_reference(evidence, today) -> str:
    state = "expired" if evidence.valid_until < today else "valid until"
    return f"{evidence.title} ({state} {_day(evidence.valid_until)})"


def line(row, today) -> tuple:
    entry = row.entry
    return (
        row.control.code,
        row.control.title,
        row.control.get_theme_display(),
        row.applicable_label,
        entry.justification if entry else "",
        entry.get_status_display() if entry and entry.status else "",
        entry.get_owner_lens_display() if entry and entry.owner_lens else "",
        "; ".join(evidence_reference(e, today) for e in row.evidence),
        ", ".join(s.code for s in row.outcomes),
    )


def particulars(organization, statement, generated_at) -> list[tuple[str, str]]:
    version = statement.version if statement else 1
    if statement and statement.is_approved:
        approval = f"Approved by {statement.approved_by} on {_day(statement.approved_at)}"
    elif statement and statement.approved_at:
        approval = f"Not approved since it changed (version {statement.approved_version} was approved)"
    else:
        approval = "Not approved yet"
    changed = statement.updated_at if statement else generated_at
    return [
        ("Organization", organization.name),
        ("Document", "Statement of applicability, ISO/IEC 27001:2022 Annex A"),
        ("Version", str(version)),
        ("Last changed", _day(changed)),
        ("Approval", approval),
        ("Generated", f"{_day(generated_at)}, {generated_at:%H:%M}"),
    ]


def _name(organization, fmt: str) -> str:
    return f"{organization.slug}-statement-of-applicability-{timezone.localdate():%Y-%m-%d}.{fmt}"


def soa_xlsx(organization, statement, rows):
    today = timezone.localdate()
    now = timezone.localtime()
    sheets = [
        Sheet("Statement of applicability", HEADERS, [line(r, today) for r in rows], widths=WIDTHS),
        Sheet("Document", ("Field", "Value"), particulars(organization, statement, now), widths=(16, 80)),
    ]
    return xlsx_file(sheets, _name(organization, "xlsx"))


def soa_pdf(organization, statement, rows, summary):
    today = timezone.localdate()
    now = timezone.localtime()
    context = {
        "org": organization,
        "statement": statement,
        "particulars": particulars(organization, statement, now),
        "lines": [line(r, today) for r in rows],
        "summary": summary,
        "generated_at": now,
    }
    return pdf_file("risks/soa/soa_pdf.html", context, _name(organization, "pdf"), rows=len(rows))
