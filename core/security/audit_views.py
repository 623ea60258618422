"""The Audit page: every change and every security event in an organization,
filterable, paginated, exportable (CSV / XLSX). Read-only by construction."""

from __future__ import annotations

from datetime import UTC

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from core import audit_trail
from core.downloads import download
from core.forms import StyledFormMixin
from core.mixins import OrgViewMixin
from core.roles import Perm
from core.tabular import Sheet, csv_file, xlsx_file

PAGE_SIZE = 50
EXPORT_LIMIT = 20000
EXPORT_HEADERS = ["When (UTC)", "Category", "Action", "What", "Who", "Details", "Address"]


class AuditFilterForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Show", required=False)
    person = forms.TypedChoiceField(label="Person", required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = audit_trail.kind_choices()
        self.fields["person"].choices = [("", "Anyone"), *audit_trail.people_choices(organization)]
        # StyledFormMixin validated before the choices above existed: validate again.
        self._errors = None
        for name, field in self.fields.items():
            attrs = field.widget.attrs
            attrs["class"] = attrs.get("class", "").replace(" is-invalid", "")
            attrs.pop("aria-invalid", None)
            if self.is_bound and name in self.errors:
                attrs["class"] += " is-invalid"
                attrs["aria-invalid"] = "true"

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def filters(self) -> audit_trail.AuditFilters:
        if not self.is_valid():
            return audit_trail.AuditFilters()
        return audit_trail.AuditFilters(**{k: v for k, v in self.cleaned_data.items() if v not in ("", None)})


class AuditView(OrgViewMixin, TemplateView):
    required_perm = Perm.AUDIT_VIEW
    template_name = "core/audit.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = AuditFilterForm(self.request.GET or None, organization=self.organization)
        rows = audit_trail.audit_queryset(
            organization=self.organization, filters=form.filters(), viewer=self.request.user
        )
        page_obj = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            form=form,
            page_obj=page_obj,
            entries=audit_trail.describe(list(page_obj.object_list)),
            filtered=any(self.request.GET.get(k) for k in form.fields),
            query=self.request.GET.urlencode(),
        )
        return context


class AuditExportView(OrgViewMixin, View):
    """The filtered audit trail as a file; the download itself is recorded."""

    required_perm = Perm.AUDIT_VIEW

    def get(self, request, org, fmt):
        if fmt not in ("csv", "xlsx"):
            raise Http404("Unknown format.")
        form = AuditFilterForm(request.GET or None, organization=self.organization)
        rows = audit_trail.audit_queryset(
            organization=self.organization, filters=form.filters(), viewer=self.request.user
        )
        lines = []
        picked = list(rows[:EXPORT_LIMIT])
        for start in range(0, len(picked), 500):
            for entry in audit_trail.describe(picked[start : start + 500]):
                lines.append(
                    [
                        entry.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                        entry.category,
                        entry.action,
                        entry.what,
                        entry.who,
                        "; ".join(entry.details),
                        entry.ip_address,
                    ]
                )
        filename = f"{self.organization.slug}-audit-{timezone.now():%Y%m%d}.{fmt}"
        if fmt == "csv":
            file = csv_file(EXPORT_HEADERS, lines, filename)
        else:
            widths = (20, 10, 28, 40, 30, 60, 16)
            file = xlsx_file([Sheet("Audit trail", EXPORT_HEADERS, lines, widths=widths)], filename)
        return download(request, self.organization, file, what="Audit trail")
