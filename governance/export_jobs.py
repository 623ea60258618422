"""Governance exports the background worker prepares when they are large (see
core/exports.py): the ownership matrix (RACI) as PDF or XLSX, and an alignment
report's PDF."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone

from core.downloads import ExportFile
from core.errors import DomainError
from core.exports import ExportKind, register_export
from core.pdf import pdf_file
from core.permissions import has_perm
from core.roles import Perm
from core.tabular import Sheet, xlsx_file

from .alignment.selectors import reports as report_selectors
from .models import AlignmentReport, RaciActivity
from .raci import selectors as raci_selectors

RACI_PDF = "governance.raci_pdf"
RACI_XLSX = "governance.raci_xlsx"
REPORT_PDF = "governance.report_pdf"


# ------------------------------------------------------------------ RACI ----


def _raci_authorize(user, organization, parameters) -> None:
    if not has_perm(user, organization, Perm.RACI_VIEW):
        raise Http404("Not found.")


def _raci_size(user, organization, parameters) -> int:
    return RaciActivity.objects.filter(organization=organization).count()


def _raci_grid(user, organization, parameters, progress):
    progress(10, "Reading the ownership matrix")
    return raci_selectors.raci_grid(
        organization=organization,
        user=user,
        process_area=parameters.get("process_area", ""),
        problem=parameters.get("problem", ""),
        search=parameters.get("search", ""),
    )


def raci_pdf(user, organization, parameters, progress) -> ExportFile:
    grid = _raci_grid(user, organization, parameters, progress)
    matrix = raci_selectors.raci_matrix(organization=organization)
    progress(40, "Laying out the PDF")
    return pdf_file(
        "governance/raci/matrix_pdf.html",
        {
            "org": organization,
            "grid": grid,
            "matrix": matrix,
            "generated": timezone.now(),
            "title": "Ownership matrix (RACI)",
            "filtered": bool(parameters.get("filtered")),
        },
        f"raci-{organization.slug}-{timezone.localdate().isoformat()}.pdf",
        rows=len(grid.rows),
    )


def raci_xlsx(user, organization, parameters, progress) -> ExportFile:
    grid = _raci_grid(user, organization, parameters, progress)
    progress(50, "Writing the workbook")
    headers = ["Activity", "Process area", "NIST CSF 2.0", *[p.name for p in grid.parties], "Check"]
    rows = [
        [
            r.activity.name,
            r.activity.get_process_area_display(),
            r.activity.csf_category,
            *[letter for _, letter in r.cells],
            "; ".join(r.check.labels) or "OK",
        ]
        for r in grid.rows
    ]
    widths = [40, 24, 12, *[max(8, min(18, len(p.name) + 2)) for p in grid.parties], 40]
    name = f"raci-{organization.slug}-{timezone.localdate().isoformat()}.xlsx"
    return xlsx_file([Sheet("Ownership matrix", headers, rows, widths=widths)], name)


register_export(
    ExportKind(
        key=RACI_PDF,
        title=lambda org, params: "Ownership matrix (RACI): PDF",
        authorize=_raci_authorize,
        size=_raci_size,
        render=raci_pdf,
    )
)
register_export(
    ExportKind(
        key=RACI_XLSX,
        title=lambda org, params: "Ownership matrix (RACI): workbook (XLSX)",
        authorize=_raci_authorize,
        size=_raci_size,
        render=raci_xlsx,
    )
)


# -------------------------------------------------------------- reports ----


def _report_authorize(user, organization, parameters) -> AlignmentReport:
    if not has_perm(user, organization, Perm.REPORT_VIEW_PUBLISHED):
        raise Http404("Not found.")
    report = report_selectors.report_get(user=user, organization=organization, pk=parameters["report"])
    if not report.is_ready or not report.snapshot:
        raise DomainError("The PDF is available once the report has been built.")
    return report


def _report_size(user, organization, parameters) -> int:
    """The rows the PDF lays out: every list in the report's snapshot."""
    snapshot = (
        AlignmentReport.objects.filter(organization=organization, pk=parameters["report"])
        .values_list("snapshot", flat=True)
        .first()
        or {}
    )
    return (
        sum(len(value) for value in snapshot.values() if isinstance(value, list))
        if isinstance(snapshot, dict)
        else 0
    )


def report_pdf(user, organization, parameters, progress) -> ExportFile:
    from .alignment.views.reports import pdf_context, pdf_template

    report = _report_authorize(user, organization, parameters)
    progress(20, "Laying out the report")
    slug = report.period_label.lower().replace(" ", "-").replace("–", "to")
    return pdf_file(
        pdf_template(report), pdf_context(report), f"alignment-report-{organization.slug}-{slug}.pdf"
    )


def _report_title(organization, parameters) -> str:
    report = AlignmentReport.objects.get(organization=organization, pk=parameters["report"])
    return f"Alignment report {report.period_label}: PDF"


register_export(
    ExportKind(
        key=REPORT_PDF, title=_report_title, authorize=_report_authorize, size=_report_size, render=report_pdf
    )
)
