"""The register in and out of spreadsheets: export the filtered register as
CSV or XLSX; import CSV or XLSX with a preview, row-level errors and an
all-or-nothing commit."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView

from core.errors import DomainError
from core.exports import export_or_queue
from core.mixins import add_domain_error
from core.roles import Perm
from core.tabular import csv_response, read_rows

from .. import export_jobs, importing, selectors, services
from ..forms import ImportForm
from .pages import RiskPageMixin

SESSION_KEY = "risks_import"


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
        return csv_response(importing.EXPORT_HEADERS, rows, name)


class ImportView(RiskPageMixin, TemplateView):
    """GET: the upload form. POST with a file: check every row and show a
    preview (or every error). POST ``confirm``: import the previewed rows."""

    template_name = "risks/risk_import.html"

    def get(self, request, *args, **kwargs):
        if not self.can(Perm.RISK_EDIT):
            raise Http404("Not found.")
        return self.render_to_response(self.get_context_data(form=ImportForm()))

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.commit()
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            rows = read_rows(
                form.cleaned_data["file"],
                required_headers=importing.REQUIRED_HEADERS,
                max_rows=importing.MAX_ROWS,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        parsed, errors = importing.parse_rows(rows, self.organization)
        if errors:
            request.session.pop(SESSION_KEY, None)
        else:
            request.session[SESSION_KEY] = {
                "rows": rows,
                "filename": form.cleaned_data["file"].name,
                "versions": {p.risk.reference: p.risk.version for p in parsed if p.risk is not None},
            }
        return self.render_to_response(
            self.get_context_data(
                form=ImportForm(),
                parsed=parsed,
                errors=errors,
                filename=form.cleaned_data["file"].name,
                counts=_counts(parsed),
            ),
            status=400 if errors else 200,
        )

    def commit(self):
        stored = self.request.session.get(SESSION_KEY)
        if not stored:
            messages.error(self.request, "There is no previewed file to import. Upload it again.")
            return redirect("risks:import", org=self.organization.slug)
        try:
            result = services.risks_import(
                actor=self.request.user,
                organization=self.organization,
                rows=stored["rows"],
                versions=stored.get("versions"),
            )
        except services.ImportFailed as exc:
            self.request.session.pop(SESSION_KEY, None)
            return self.render_to_response(
                self.get_context_data(form=ImportForm(), errors=exc.errors, filename=stored.get("filename")),
                status=400,
            )
        self.request.session.pop(SESSION_KEY, None)
        messages.success(
            self.request,
            f"Import done: {result.created} created, {result.updated} updated, {result.unchanged} unchanged.",
        )
        return redirect("risks:register", org=self.organization.slug)


def _counts(parsed) -> dict:
    counts = {"create": 0, "update": 0, "unchanged": 0}
    for item in parsed:
        counts[item.action] += 1
    return counts
