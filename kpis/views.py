"""KPI pages: scorecard, KPI page, forms, starter library, import and export."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from core.charts import AMBER, GREEN, GREY, RED, line_chart, sparkline
from core.downloads import download
from core.errors import DomainError
from core.exports import export_or_queue
from core.history import history_entries
from core.imports import ImportFailed, ImportFlowView, ImportPreview
from core.mixins import OrgViewMixin, add_domain_error
from core.roles import Perm
from core.tabular import csv_file

from . import export_jobs, selectors, services
from .forms import KPIForm, MeasurementFilterForm, MeasurementForm, ScorecardFilterForm
from .library import library_entries
from .models import NON_NEGATIVE_UNITS, Measurement
from .status import period_label

STATUS_COLOURS = {"green": GREEN, "amber": AMBER, "red": RED, "stale": GREY}
MAX_IMPORT_ROWS = 20_000
EXPORT_HEADERS = export_jobs.EXPORT_HEADERS


class KpiViewMixin(OrgViewMixin):
    required_perm = Perm.KPI_VIEW
    post_perm = Perm.KPI_EDIT

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = self.can(Perm.KPI_EDIT)
        return context

    def get_kpi(self):
        return selectors.kpi_get(self.request.user, self.organization, self.kwargs["pk"])


def _with_sparklines(groups):
    for group in groups:
        for row in group.rows:
            row.sparkline_svg = sparkline(
                [float(v) if v is not None else None for v in row.sparkline],
                color=STATUS_COLOURS[row.display_status],
                label=f"{row.kpi.name}: last 12 periods",
            )
    return groups


class ScorecardView(KpiViewMixin, TemplateView):
    """The scorecard, a page of KPIs at a time; the counts cover every KPI that matches the filters."""

    template_name = "kpis/kpi_scorecard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = ScorecardFilterForm(self.request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        scorecard = selectors.kpi_scorecard_page(
            self.request.user,
            self.organization,
            page=self.request.GET.get("page"),
            domain=filters.get("domain", ""),
            status=filters.get("status", ""),
            search=filters.get("q", ""),
        )
        context.update(
            groups=_with_sparklines(scorecard.groups),
            page_obj=scorecard.page_obj,
            filter_form=form,
            counts=scorecard.counts,
            total=scorecard.counts["total"],
            filtered=bool(
                self.request.GET.get("q") or self.request.GET.get("domain") or self.request.GET.get("status")
            ),
        )
        return context


def _chart(kpi, *, periods: int = selectors.CHART_PERIODS, width: int = 720, height: int = 260):
    labels, values = selectors.kpi_chart_series(kpi, periods=periods)
    if width < 500:  # a phone-sized chart has room for every fourth label only
        labels = [label if i % 4 == 0 or i == len(labels) - 1 else "" for i, label in enumerate(labels)]
    references = [
        ("Target", float(kpi.target), GREEN),
        ("Warning", float(kpi.warning), AMBER),
        ("Critical", float(kpi.critical), RED),
    ]
    numbers = [float(v) for v in values if v is not None] + [value for _, value, _ in references]
    # Counts, durations and percentages cannot go below zero: start the axis there
    # when the data sits near it, rather than at a meaningless negative tick.
    near_zero = kpi.unit in NON_NEGATIVE_UNITS | {"percent"} and min(numbers) <= 0.3 * max(numbers)
    top = 100.0 if kpi.unit == "percent" and max(numbers) > 90 else None
    return line_chart(
        labels,
        {kpi.name: [float(v) if v is not None else None for v in values]},
        reference_lines=references,
        y_min=0.0 if near_zero else None,
        y_max=top,
        title=f"{kpi.name}, last {len(labels)} periods",
        width=width,
        height=height,
    )


class KPIDetailView(KpiViewMixin, TemplateView):
    template_name = "kpis/kpi_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kpi = self.get_kpi()
        row = selectors.kpi_row(kpi)
        source_form = MeasurementFilterForm(self.request.GET or None)
        measurements = selectors.kpi_measurements(kpi)
        if source_form.is_valid() and source_form.cleaned_data.get("source"):
            measurements = measurements.filter(source=source_form.cleaned_data["source"])
        page_obj = Paginator(measurements, 24).get_page(self.request.GET.get("page"))
        for m in page_obj:
            m.status = kpi.status_of(m.value)
            m.label = period_label(m.period, kpi.frequency)
        context.update(
            kpi=kpi,
            row=row,
            chart=_chart(kpi),
            chart_small=_chart(kpi, periods=12, width=360, height=240),
            page_obj=page_obj,
            source_form=source_form,
            measurement_form=kwargs.get("measurement_form")
            or MeasurementForm(initial={"period": timezone.localdate()}),
            history=history_entries(kpi),
            value_changes=selectors.measurement_changes(kpi),
        )
        return context


class KPIFormMixin(KpiViewMixin):
    required_perm = Perm.KPI_EDIT
    form_class = KPIForm
    template_name = "kpis/kpi_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["organization"] = self.organization
        return kwargs

    def save(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            kpi = self.save(form)
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        return redirect("kpis:detail", org=self.organization.slug, pk=kpi.pk)


class KPICreateView(KPIFormMixin, FormView):
    def get_initial(self):
        return {
            "domain": self.request.GET.get("domain", "joint"),
            "direction": "higher",
            "frequency": "monthly",
            "unit": "percent",
        }

    def save(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        kpi = services.kpi_create(actor=self.request.user, organization=self.organization, **data)
        messages.success(self.request, f"“{kpi.name}” is on the scorecard. Record its first value below.")
        return kpi


class KPIEditView(KPIFormMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        self.kpi = None
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        self.kpi = self.kpi or self.get_kpi()
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.kpi
        kwargs.setdefault("initial", {})["version"] = self.kpi.version
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kpi"] = self.kpi
        return context

    def save(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        if self.kpi.computed:
            data.pop("key", None)
        kpi = services.kpi_update(
            actor=self.request.user, kpi=self.kpi, expected_version=form.cleaned_data.get("version"), **data
        )
        messages.success(self.request, "KPI saved.")
        return kpi


class KPIDeleteView(KpiViewMixin, TemplateView):
    required_perm = Perm.KPI_EDIT
    template_name = "kpis/kpi_confirm_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kpi"] = self.get_kpi()
        context["measurement_count"] = context["kpi"].measurements.count()
        return context

    def post(self, request, org, pk):
        kpi = self.get_kpi()
        services.kpi_delete(actor=request.user, kpi=kpi)
        messages.success(request, f"“{kpi.name}” and its values were removed from the scorecard.")
        return redirect("kpis:scorecard", org=org)


class MeasurementCreateView(KpiViewMixin, FormView):
    required_perm = Perm.KPI_EDIT
    form_class = MeasurementForm
    template_name = "kpis/measurement_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kpi"] = self.get_kpi()
        return context

    def get_initial(self):
        return {"period": timezone.localdate()}

    def form_valid(self, form):
        kpi = self.get_kpi()
        try:
            measurement, created = services.measurement_record(
                actor=self.request.user, kpi=kpi, **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        label = period_label(measurement.period, kpi.frequency)
        messages.success(self.request, f"Value for {label} {'recorded' if created else 'updated'}.")
        return redirect("kpis:detail", org=self.organization.slug, pk=kpi.pk)


class MeasurementDeleteView(KpiViewMixin, View):
    def post(self, request, org, pk, measurement_pk):
        kpi = self.get_kpi()
        measurement = get_object_or_404(Measurement, pk=measurement_pk, kpi=kpi)
        if kpi.computed:
            messages.error(request, "Concord computes this KPI's values; they cannot be deleted by hand.")
        else:
            services.measurement_delete(actor=request.user, measurement=measurement)
            messages.success(request, f"Value for {period_label(measurement.period, kpi.frequency)} deleted.")
        return redirect("kpis:detail", org=org, pk=pk)


class LibraryView(KpiViewMixin, TemplateView):
    template_name = "kpis/kpi_library.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        added = dict(
            selectors.kpi_list(self.request.user, self.organization).exclude(key="").values_list("key", "pk")
        )
        entries = library_entries()
        groups = []
        for value, label in (("it", "IT"), ("security", "Security"), ("joint", "Joint")):
            groups.append(
                {
                    "domain": value,
                    "label": label,
                    "entries": [(e, added.get(e.key)) for e in entries if e.domain == value],
                }
            )
        context.update(
            groups=groups, added_count=sum(1 for e in entries if e.key in added), total=len(entries)
        )
        return context


class LibraryAddView(KpiViewMixin, View):
    def post(self, request, org):
        try:
            kpi = services.kpi_add_from_library(
                actor=request.user, organization=self.organization, key=request.POST.get("key", "")
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("kpis:library", org=org)
        messages.success(
            request,
            f"“{kpi.name}” added to the scorecard. Adjust its target and thresholds "
            "to your organization if needed.",
        )
        return redirect(f"{reverse('kpis:library', kwargs={'org': org})}#lib-{kpi.key}")


class ImportView(KpiViewMixin, ImportFlowView):
    """KPI values through the one import flow (core/imports.py): upload, every
    row checked, preview, confirm; all rows or none."""

    required_perm = Perm.KPI_EDIT
    template_name = "kpis/measurement_import.html"
    preview_template = "kpis/partials/import_preview.html"
    columns_template = "kpis/partials/import_columns.html"
    import_key = "kpis"
    required_headers = ("kpi", "period", "value")
    max_rows = MAX_IMPORT_ROWS
    file_help = (
        "CSV or Excel (.xlsx) with the columns kpi, period, value and optionally note. "
        "kpi is the KPI's key or number."
    )

    def check(self, rows):
        preview, errors = services.measurements_import_check(organization=self.organization, rows=rows)
        return ImportPreview(rows=preview, errors=errors)

    def write(self, rows, state):
        try:
            result = services.measurements_import(
                actor=self.request.user, organization=self.organization, rows=rows
            )
        except services.BulkValidationError as exc:  # the data changed since the preview
            raise ImportFailed([f"Row {e.index}, {e.field}: {e.message}" for e in exc.item_errors]) from None
        return (
            f"Imported: {result.created} new value(s), {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )

    def get_success_url(self):
        return reverse("kpis:scorecard", kwargs={"org": self.organization.slug})


class ExportView(KpiViewMixin, View):
    """Every value of every KPI (or of one, with ?kpi=<number>), ready to re-import.
    A large XLSX is prepared by the background worker (core/exports.py)."""

    def get(self, request, org):
        parameters = {"kpi": request.GET.get("kpi", "")}
        if request.GET.get("format") == "xlsx":
            return export_or_queue(
                request, self.organization, key=export_jobs.VALUES_XLSX, parameters=parameters
            )
        rows = export_jobs.export_rows(export_jobs.measurements(request.user, self.organization, parameters))
        file = csv_file(EXPORT_HEADERS, rows, f"kpi-values-{org}-{timezone.localdate().isoformat()}.csv")
        return download(request, self.organization, file, what="KPI values")
