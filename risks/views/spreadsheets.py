"""The register in and out of spreadsheets: export the filtered register as
CSV or XLSX; import CSV or XLSX with a preview, row-level errors and an
all-or-nothing commit."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from core.downloads import download
from core.exports import export_or_queue
from core.imports import ImportFlowView, ImportPreview
from core.roles import Perm
from core.tabular import csv_file

from .. import export_jobs, importing, selectors, services
from .pages import RiskPageMixin


class ExportView(RiskPageMixin, TemplateView):
    """``?format=csv|xlsx`` plus the register's filters and sort."""

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format", "xlsx")
        if fmt not in ("csv", "xlsx"):
            raise Http404("Unknown format.")
        if fmt == "xlsx":  # a large register is prepared by the background worker (core/exports.py)
            query = request.GET.copy()
            query.pop("background", None)
            return export_or_queue(
                request,
                self.organization,
                key=export_jobs.REGISTER_XLSX,
                parameters={"query": query.urlencode()},
            )
        risks = selectors.risk_register(request.user, self.organization, request.GET).prefetch_related(
            "annex_a_controls"
        )
        rows = importing.export_rows(risks, self.organization)
        name = f"{self.organization.slug}-risk-register-{timezone.localdate():%Y-%m-%d}.{fmt}"
        return download(
            request, self.organization, csv_file(importing.EXPORT_HEADERS, rows, name), what="Risk register"
        )


class ImportView(RiskPageMixin, ImportFlowView):
    """The register through the one import flow (core/imports.py): upload,
    every row checked, preview, confirm; all rows or none."""

    template_name = "risks/risk_import.html"
    preview_template = "risks/partials/import_preview.html"
    columns_template = "risks/partials/import_columns.html"
    import_key = "risks"
    import_perm = Perm.RISK_EDIT
    required_headers = importing.REQUIRED_HEADERS
    max_rows = importing.MAX_ROWS
    file_help = "Use the columns of the register export; up to 5,000 rows."
    confirm_note = (
        "Assessment scores in the file are ignored: each lens is assessed in Concord by the CIO or the CISO."
    )

    def check(self, rows):
        parsed, errors = importing.parse_rows(rows, self.organization)
        # The versions seen at the preview: a risk changed since then fails the import.
        versions = {p.risk.reference: p.risk.version for p in parsed if p.risk is not None}
        return ImportPreview(rows=parsed, errors=errors, state={"versions": versions})

    def write(self, rows, state):
        result = services.risks_import(
            actor=self.request.user, organization=self.organization, rows=rows, versions=state.get("versions")
        )
        return (
            f"Import done: {result.created} created, {result.updated} updated, {result.unchanged} unchanged."
        )

    def get_success_url(self):
        return reverse("risks:register", kwargs={"org": self.organization.slug})
