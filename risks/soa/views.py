"""Statement of applicability pages: the statement (93 controls, filters,
counts, approval), a control's line (edit, evidence, mapping, history), the
approval action, the auditor's XLSX and PDF, and the import."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from core.actions import ActionView, ServiceFormMixin
from core.downloads import download
from core.errors import ImportFailed
from core.history import history_entries
from core.imports import ImportFlowView, ImportPreview
from core.mixins import OrgViewMixin
from core.roles import Perm

from ..models import AnnexAControl, ControlTheme
from . import exports, importing, selectors, services
from .forms import FILTER_APPLICABLE, SoaEntryForm, initial_for
from .models import ImplementationStatus, OwnerLens


class SoaMixin(OrgViewMixin):
    required_perm = Perm.RISK_VIEW
    post_perm = Perm.RISK_EDIT

    def list_url(self) -> str:
        return reverse("soa:statement", kwargs={"org": self.organization.slug})


class StatementView(SoaMixin, TemplateView):
    template_name = "risks/soa/statement.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = {k: self.request.GET.get(k, "") for k in selectors.FILTERS}
        all_rows = selectors.soa_rows(self.request.user, self.organization)
        rows = [r for r in all_rows if selectors._matches(r, params)]
        context.update(
            rows=rows,
            summary=selectors.soa_summary(all_rows),
            statement=selectors.soa_statement(self.organization),
            params=params,
            filters={
                "theme": ("Theme", [("", "Any"), *ControlTheme.choices]),
                "applicable": ("Applies", FILTER_APPLICABLE),
                "status": ("Status", [("", "Any"), *ImplementationStatus.choices]),
                "owner": ("Owner", [("", "Any"), *OwnerLens.choices]),
            },
            can_edit=self.can(Perm.RISK_EDIT),
            can_approve=self.can(Perm.SIGN),
        )
        return context


class ControlView(SoaMixin, ServiceFormMixin, FormView):
    """One control's line: the form, its evidence, its CSF mapping, its history."""

    template_name = "risks/soa/control.html"
    form_class = SoaEntryForm
    success_message = "The statement is updated."
    conflict_status = 409

    def get_row(self):
        if not hasattr(self, "_row"):
            try:
                self._row = selectors.soa_row(self.request.user, self.organization, self.kwargs["code"])
            except AnnexAControl.DoesNotExist:
                raise Http404("No such Annex A control.") from None
        return self._row

    def get_initial(self):
        return initial_for(self.get_row().entry)

    def perform(self, form):
        values = form.values()
        return services.soa_entry_save(
            actor=self.request.user,
            organization=self.organization,
            control=self.get_row().control,
            expected_version=form.cleaned_data.get("version"),
            **values,
        )

    def get_success_url(self, result=None):
        return reverse("soa:control", kwargs={"org": self.organization.slug, "code": self.kwargs["code"]})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        row = self.get_row()
        context.update(
            row=row,
            control=row.control,
            history=history_entries(row.entry) if row.entry else [],
            can_edit=self.can(Perm.RISK_EDIT),
            can_add_evidence=self.can(Perm.EVIDENCE_ADD),
        )
        return context


class ApproveView(SoaMixin, ActionView):
    post_perm = Perm.SIGN
    step_up_required = True
    success_message = "You approved this version of the statement."

    def perform(self, form):
        return services.soa_approve(
            actor=self.request.user, organization=self.organization, expected_version=self.posted_version()
        )

    def get_success_url(self, result=None):
        return self.list_url()


class ExportView(SoaMixin, TemplateView):
    """The auditor's copy: ``export.xlsx`` or ``export.pdf``."""

    def get(self, request, *args, **kwargs):
        fmt = kwargs["fmt"]
        if fmt not in ("xlsx", "pdf"):
            raise Http404("Unknown format.")
        rows = selectors.soa_rows(request.user, self.organization)
        statement = selectors.soa_statement(self.organization)
        if fmt == "xlsx":
            file = exports.soa_xlsx(self.organization, statement, rows)
        else:
            file = exports.soa_pdf(self.organization, statement, rows, selectors.soa_summary(rows))
        return download(request, self.organization, file, what="Statement of applicability")


class ImportView(SoaMixin, ImportFlowView):
    template_name = "risks/soa/import.html"
    preview_template = "risks/soa/partials/import_preview.html"
    columns_template = "risks/soa/partials/import_columns.html"
    import_key = "soa"
    import_perm = Perm.RISK_EDIT
    required_headers = importing.REQUIRED_HEADERS
    max_rows = importing.MAX_ROWS
    file_help = "Use the columns of the statement's Excel export; one row per control."

    def check(self, rows):
        parsed, errors = importing.parse_rows(rows, self.organization)
        return ImportPreview(rows=parsed, errors=errors)

    def write(self, rows, state):
        parsed, errors = importing.parse_rows(rows, self.organization)
        if errors:
            raise ImportFailed(errors)
        result = services.soa_import(
            actor=self.request.user,
            organization=self.organization,
            rows=[p.as_row() for p in parsed if p.action != "unchanged"],
        )
        return f"Import done: {result.created} lines added, {result.updated} changed."

    def get_success_url(self):
        return self.list_url()
