"""Evidence pages: the list (the CIO and the CISO: everything; a contributor:
their own; the board: counts only), add, a piece's page, edit, delete, the
permission-checked download and the metadata export."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView, TemplateView

from core.actions import ActionView, ServiceFormMixin
from core.downloads import ExportFile, download
from core.errors import DomainError, ImportFailed
from core.history import history_entries
from core.imports import ImportFlowView, ImportPreview
from core.mixins import OrgViewMixin
from core.roles import Perm
from core.tabular import Sheet, csv_file, xlsx_file

from . import exports, importing, selectors, services
from .forms import EvidenceAddForm, EvidenceEditForm
from .models import Evidence
from .uploads import ALLOWED

PAGE_SIZE = 25
LINK_PARAMS = {
    "control": "annex_a_controls",
    "risk": "risks",
    "mitigation": "mitigations",
    "outcome": "csf_subcategories",
}


class EvidenceMixin(OrgViewMixin):
    required_perm = Perm.EVIDENCE_ADD

    def get_evidence(self) -> Evidence:
        try:
            return selectors.evidence_detail(self.request.user, self.organization, self.kwargs["pk"])
        except Evidence.DoesNotExist:
            raise Http404("No such evidence.") from None

    def list_url(self) -> str:
        return reverse("evidence:list", kwargs={"org": self.organization.slug})


class EvidenceListView(EvidenceMixin, TemplateView):
    template_name = "risks/evidence/evidence_list.html"
    required_perm = Perm.EVIDENCE_SUMMARY

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.can(Perm.EVIDENCE_ADD):  # the board: how much, not what
            context.update(counts_only=True, counts=selectors.evidence_counts(self.organization))
            return context
        filterset = selectors.evidence_filterset(self.request.user, self.organization, self.request.GET)
        queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        page = Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("page"))
        todo = list(selectors.evidence_todo(self.request.user, self.organization)[:20])
        context.update(
            form=filterset.form,
            page_obj=page,
            items=page.object_list,
            todo=todo,
            sees_all=self.can(Perm.EVIDENCE_VIEW),
            counts=selectors.evidence_counts(self.organization) if self.can(Perm.EVIDENCE_VIEW) else None,
            today=timezone.localdate(),
            query=self.request.GET.urlencode(),
        )
        return context


class EvidenceAddView(EvidenceMixin, ServiceFormMixin, FormView):
    template_name = "risks/evidence/evidence_form.html"
    form_class = EvidenceAddForm
    success_message = "Evidence added."

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["organization"] = self.organization
        return kwargs

    def get_initial(self):
        initial = {"owner": self.request.user.pk}
        for param, field in LINK_PARAMS.items():
            values = self.request.GET.getlist(param)
            if values:
                initial[field] = values
        return initial

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # Links given as codes in the query string (?control=A.5.1, ?risk=<id>) preselect the choices.
        for field in ("annex_a_controls", "csf_subcategories"):
            codes = form.initial.get(field)
            if codes and field in form.fields:
                form.initial[field] = list(form.fields[field].queryset.filter(code__in=codes))
        return form

    def perform(self, form):
        data = form.cleaned_data
        common = {
            "actor": self.request.user,
            "organization": self.organization,
            "title": data["title"],
            "owner": data["owner"],
            "valid_until": data["valid_until"],
            "description": data["description"],
            **form.links(),
        }
        if data["kind"] == "link":
            return services.evidence_add_link(url=data["url"], **common)
        upload = data["file"]
        limit = settings.EVIDENCE_MAX_BYTES
        content = upload.read(limit + 1)
        return services.evidence_add_file(upload_name=upload.name, data=content, **common)

    def get_success_url(self, result=None):
        back = self.request.GET.get("next", "")
        if back.startswith(f"/o/{self.organization.slug}/") and url_has_allowed_host_and_scheme(
            back, allowed_hosts=None
        ):
            return back  # back to the outcome or control the evidence was added from
        return reverse("evidence:detail", kwargs={"org": self.organization.slug, "pk": result.pk})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["types"] = sorted({t.label for t in ALLOWED.values()})
        return context


class EvidenceDetailView(EvidenceMixin, TemplateView):
    template_name = "risks/evidence/evidence_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        evidence = self.get_evidence()
        context.update(
            evidence=evidence,
            history=history_entries(evidence),
            outcomes=list(evidence.csf_subcategories.all()),
        )
        return context


class EvidenceEditView(EvidenceMixin, ServiceFormMixin, FormView):
    template_name = "risks/evidence/evidence_form.html"
    form_class = EvidenceEditForm
    success_message = "Evidence saved."
    conflict_status = 409

    def get_form_kwargs(self):
        self.evidence = self.get_evidence()
        kwargs = super().get_form_kwargs()
        kwargs.update(organization=self.organization, instance=self.evidence)
        kwargs.setdefault("initial", {})["version"] = self.evidence.version
        return kwargs

    def perform(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        links = form.links()
        for name in links:
            data.pop(name, None)
        return services.evidence_update(
            actor=self.request.user, evidence=self.evidence, expected_version=version, **data, **links
        )

    def get_success_url(self, result=None):
        return reverse("evidence:detail", kwargs={"org": self.organization.slug, "pk": self.evidence.pk})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["evidence"] = self.evidence
        return context


class EvidenceDeleteView(EvidenceMixin, ActionView):
    success_message = "Evidence deleted."

    def perform(self, form):
        services.evidence_delete(
            actor=self.request.user, evidence=self.get_evidence(), expected_version=self.posted_version()
        )

    def get_success_url(self, result=None):
        return self.list_url()

    def get_failure_url(self):
        return reverse("evidence:detail", kwargs={"org": self.organization.slug, "pk": self.kwargs["pk"]})


class EvidenceDownloadView(EvidenceMixin, TemplateView):
    """The only way to a stored file: found through ``visible_to``, handed
    over by ``core.downloads.download`` (no caching, no sniffing) and recorded."""

    def get(self, request, *args, **kwargs):
        evidence = self.get_evidence()
        try:
            handle = services.evidence_open(actor=request.user, evidence=evidence)
        except DomainError:
            raise Http404("The file is not available.") from None
        content_type = ALLOWED[evidence.file_type].content_type
        file = ExportFile(handle, evidence.file_name, content_type)
        return download(request, self.organization, file, what=f"Evidence file “{evidence.title}”")


class EvidenceExportView(EvidenceMixin, TemplateView):
    """The evidence metadata the person can see (never the files), CSV or XLSX."""

    def get(self, request, *args, **kwargs):
        fmt = kwargs["fmt"]
        if fmt not in ("csv", "xlsx"):
            raise Http404("Unknown format.")
        items = selectors.evidence_list(request.user, self.organization, request.GET)
        rows = exports.evidence_rows(items)
        name = f"{self.organization.slug}-evidence-{timezone.localdate():%Y-%m-%d}.{fmt}"
        if fmt == "csv":
            file = csv_file(exports.EVIDENCE_HEADERS, rows, name)
        else:
            file = xlsx_file([Sheet("Evidence", exports.EVIDENCE_HEADERS, rows, widths=exports.WIDTHS)], name)
        return download(request, self.organization, file, what="Evidence list")


class EvidenceImportView(EvidenceMixin, ImportFlowView):
    """Evidence links from a spreadsheet through the one import flow (core/imports.py)."""

    template_name = "risks/evidence/evidence_import.html"
    preview_template = "risks/evidence/partials/import_preview.html"
    columns_template = "risks/evidence/partials/import_columns.html"
    import_key = "evidence"
    import_perm = Perm.EVIDENCE_ADD
    required_headers = importing.REQUIRED_HEADERS
    max_rows = importing.MAX_ROWS
    file_help = "Use the columns of the evidence export; links only (upload files on the Add evidence page)."

    def check(self, rows):
        parsed, errors = importing.parse_rows(rows, self.organization)
        if not self.can(Perm.EVIDENCE_VIEW):  # a contributor updates only their own pieces
            own = set(
                selectors.evidence_base(self.request.user, self.organization).values_list("pk", flat=True)
            )
            errors += [
                f"row {p.line}, title: a piece with this title and link exists and is not yours."
                for p in parsed
                if p.evidence_id and p.evidence_id not in own
            ]
        return ImportPreview(rows=parsed, errors=errors)

    def write(self, rows, state):
        parsed, errors = importing.parse_rows(rows, self.organization)
        if errors:
            raise ImportFailed(errors)
        created, updated = services.evidence_import(
            actor=self.request.user, organization=self.organization, rows=parsed
        )
        return f"Import done: {created} links added, {updated} updated."

    def get_success_url(self):
        return self.list_url()
