"""Time building the large organization's alignment report and rendering its
PDF, through the governance services, as the Celery worker and the PDF view
do (run inside ``bench.probe report``, a process of its own)."""

from __future__ import annotations

import resource
import time

from core.models import Membership


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_alignment_report(org) -> dict:
    try:
        from governance.alignment.services import report_build, report_delete, report_request
        from governance.alignment.views.reports import pdf_context
    except ImportError as exc:
        return {"missing": f"governance report services not available: {exc}"}
    from core.pdf import render_pdf

    cio = Membership.objects.filter(organization=org, role="cio").select_related("user").first().user
    # The current period: the seeded published reports cover the quarters before it.
    draft = report_request(actor=cio, organization=org, enqueue=False)
    rss_before = _rss_mb()
    started = time.perf_counter()
    report = report_build(report_id=draft.pk)
    build = time.perf_counter() - started
    rss_build = _rss_mb()
    context = pdf_context(report)  # what the PDF view and the API render
    started = time.perf_counter()
    pdf = render_pdf("governance/alignment/pdf.html", context)
    first_pdf = time.perf_counter() - started
    started = time.perf_counter()
    render_pdf("governance/alignment/pdf.html", context)
    second_pdf = time.perf_counter() - started
    # Leave the database as it was, so reruns measure the same data.
    report_delete(actor=cio, report=report)
    return {
        "build_seconds": round(build, 3),
        "pdf_seconds": round(first_pdf, 3),
        "pdf_seconds_warm": round(second_pdf, 3),
        "pdf_bytes": len(pdf),
        "peak_rss_mb_before_build": round(rss_before, 1),
        "peak_rss_mb_after_build": round(rss_build, 1),
        "peak_rss_mb_after_pdf": round(_rss_mb(), 1),
        "snapshot_bytes": len(str(report.snapshot)),
    }
