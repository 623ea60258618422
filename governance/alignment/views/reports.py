"""Alignment reports: the list (the board's report room), a report, its PDF,
its build progress, and the CIO/CISO actions generate, publish and delete."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from core.actions import ActionView
from core.exports import export_or_queue
from core.mixins import OrgViewMixin
from core.roles import Perm
from governance import export_jobs
from governance.alignment import services
from governance.alignment.forms import ReportGenerateForm
from governance.alignment.selectors import reports as selectors
from governance.definitions import board_definitions_html, definitions_html
from governance.models import ReportStatus

PAGE_SIZE = 20


def report_context(report) -> dict:
    """What the report page and the PDF render: the frozen snapshot only."""
    snapshot = report.snapshot or {}
    if not snapshot:
        return {"snapshot": None}
    thresholds = snapshot.get("organization", {}).get("thresholds") or report.organization.level_thresholds
    built_at = snapshot.get("built_at")
    charts = selectors.picture_charts(snapshot, trend=snapshot.get("trend", []), thresholds=thresholds)
    if snapshot.get("pack"):
        from governance.alignment.selectors.board_pack_charts import pack_charts

        charts.update(pack_charts(snapshot))
    return {
        "snapshot": snapshot,
        "built_at": datetime.fromisoformat(built_at) if built_at else None,
        "charts": charts,
        "currency": snapshot.get("organization", {}).get("currency", report.organization.currency),
    }


def is_board_pack(report) -> bool:
    """Reports built since the board pack carry it; earlier ones keep their own layout."""
    return bool((report.snapshot or {}).get("pack"))


def pdf_template(report) -> str:
    return "governance/alignment/pack_pdf.html" if is_board_pack(report) else "governance/alignment/pdf.html"


def pdf_context(report) -> dict:
    return {
        "report": report,
        "org": report.organization,
        "definitions_html": board_definitions_html() if is_board_pack(report) else definitions_html(),
        "pdf": True,
        **report_context(report),
    }


class ReportListView(OrgViewMixin, TemplateView):
    template_name = "governance/alignment/report_list.html"
    required_perm = Perm.REPORT_VIEW_PUBLISHED

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "") if self.can(Perm.REPORT_VIEW_DRAFT) else ""
        reports = selectors.report_list(
            user=self.request.user,
            organization=self.organization,
            status=status,
            sort=self.request.GET.get("sort", ""),
        )
        page = Paginator(reports, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            page_obj=page,
            reports=page.object_list,
            status=status,
            statuses=ReportStatus.choices,
            can_manage=self.can(Perm.REPORT_MANAGE),
            can_see_drafts=self.can(Perm.REPORT_VIEW_DRAFT),
            generate_form=ReportGenerateForm(organization=self.organization),
        )
        return context


class ReportDetailView(OrgViewMixin, TemplateView):
    template_name = "governance/alignment/report_detail.html"
    required_perm = Perm.REPORT_VIEW_PUBLISHED

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = selectors.report_get(
            user=self.request.user, organization=self.organization, pk=self.kwargs["pk"]
        )
        context.update(report=report, can_manage=self.can(Perm.REPORT_MANAGE), **report_context(report))
        if is_board_pack(report) or not report.snapshot:
            self.template_name = "governance/alignment/pack_detail.html"
            context["definitions_html"] = board_definitions_html()
            context.setdefault("currency", report.organization.currency)
        if context["can_manage"] and not report.is_published:
            from governance.alignment.views.board_asks import asks_context

            context.update(asks_context(report=report, user=self.request.user))
            context["publish_notes"] = selectors.publish_notes(report)
        if context["snapshot"] and not is_board_pack(report):
            # Reports built before the board pack keep their bounded KPI table; the
            # board pack lists the whole scorecard from its snapshot (no query).
            context["kpi_table"] = selectors.kpi_rows_for_page(context["snapshot"].get("kpis") or {})
        if self.can(Perm.REPORT_MANAGE):
            from core.history import history_entries

            context["history"] = history_entries(report)
        return context


class ReportProgressView(OrgViewMixin, TemplateView):
    """The build progress fragment, polled by HTMX until the report is ready or failed."""

    template_name = "governance/alignment/partials/report_progress.html"
    required_perm = Perm.REPORT_VIEW_DRAFT

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["report"] = selectors.report_progress(
            user=self.request.user, organization=self.organization, pk=self.kwargs["pk"]
        )
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        report = context["report"]
        # On the report's own page, reload once the build is over so the report shows.
        if self.request.GET.get("reload") and not report.is_building:
            response["HX-Refresh"] = "true"
        return response


class ReportPdfView(OrgViewMixin, View):
    required_perm = Perm.REPORT_VIEW_PUBLISHED

    def get(self, request, org, pk):
        report = selectors.report_get(user=request.user, organization=self.organization, pk=pk)
        if not report.is_ready or not report.snapshot:
            messages.error(request, "The PDF is available once the report has been built.")
            return redirect("governance:report_detail", org=org, pk=pk)
        return export_or_queue(
            request, self.organization, key=export_jobs.REPORT_PDF, parameters={"report": report.pk}
        )


class ReportActionView(ActionView):
    """A CIO/CISO action on a report; back to the report's page."""

    required_perm = Perm.REPORT_MANAGE
    post_perm = Perm.REPORT_MANAGE

    def get_report(self):
        return selectors.report_get(
            user=self.request.user, organization=self.organization, pk=self.kwargs["pk"]
        )

    def get_success_url(self, result=None) -> str:
        return reverse("governance:report_detail", args=[self.organization.slug, self.kwargs["pk"]])


class ReportGenerateView(ReportActionView):
    http_method_names = ["get", "post", "options"]

    def get(self, request, org):
        return redirect("governance:report_list", org=org)

    def get_form(self):
        return ReportGenerateForm(self.request.POST, organization=self.organization)

    def form_invalid(self, form, status: int = 400):
        messages.error(self.request, "Choose the period to report on.")
        return redirect(self.get_failure_url())

    def perform(self, form):
        start, end, label = form.chosen_period()
        return services.report_request(
            actor=self.request.user,
            organization=self.organization,
            period_start=start,
            period_end=end,
            period_label=label,
        )

    def get_success_message(self, report) -> str:
        return (
            f"The report for {report.period_label} is queued and is built in the background; "
            "this page shows its progress."
        )

    def get_success_url(self, report=None) -> str:
        return reverse("governance:report_detail", args=[self.organization.slug, report.pk])

    def get_failure_url(self) -> str:
        return reverse("governance:report_list", args=[self.organization.slug])


class ReportRebuildView(ReportActionView):
    """Rebuild a draft with today's data (a published report is refused by the service)."""

    success_message = "The rebuild with today's data is queued; this page shows its progress."

    def perform(self, form):
        report = self.get_report()
        return services.report_request(
            actor=self.request.user,
            organization=self.organization,
            period_start=report.period_start,
            period_end=report.period_end,
            period_label=report.period_label,
        )


class ReportPublishView(ReportActionView):
    def perform(self, form):
        report = self.get_report()
        services.report_publish(actor=self.request.user, report=report)
        return report

    def get_success_message(self, report) -> str:
        return f"Published. An e-mail with a link to {report.period_label} is queued for the board members."


class ReportDeleteView(ReportActionView):
    def perform(self, form):
        report = self.get_report()
        services.report_delete(actor=self.request.user, report=report)
        return report

    def get_success_message(self, report) -> str:
        return f"The draft for {report.period_label} was deleted."

    def get_success_url(self, result=None) -> str:
        return reverse("governance:report_list", args=[self.organization.slug])

    def get_failure_url(self) -> str:
        return super().get_success_url()
