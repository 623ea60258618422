"""Pages of worker-built exports: the progress page (polled by HTMX) and the download."""

from __future__ import annotations

from django.http import Http404
from django.views.generic import TemplateView, View

from .downloads import ExportFile, download
from .exports import export_job_get
from .mixins import OrgViewMixin


class ExportJobMixin(OrgViewMixin):
    """Any member may open their own exports; ``export_job_get`` re-runs the
    export's own permission checks (404 for anyone else)."""

    allow_any_member = True

    def get_job(self):
        return export_job_get(user=self.request.user, organization=self.organization, pk=self.kwargs["pk"])


class ExportJobView(ExportJobMixin, TemplateView):
    template_name = "core/exportjob_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["job"] = self.get_job()
        return context


class ExportJobProgressView(ExportJobView):
    template_name = "core/partials/exportjob_progress.html"


class ExportJobDownloadView(ExportJobMixin, View):
    def get(self, request, org, pk):
        job = self.get_job()
        if job.status != "done" or not job.file:
            raise Http404("This export is not ready.")
        try:
            handle = job.file.open("rb")
        except FileNotFoundError:
            raise Http404("This export's file is no longer available. Prepare it again.") from None
        return download(
            request, self.organization, ExportFile(handle, job.filename, job.content_type), what=job.title
        )
