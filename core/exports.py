"""Heavy exports (board PDFs, large spreadsheets) prepared by the background
worker, so that a big proposal never holds a web worker.

Each app registers its exports (``register_export``) in its ``export_jobs.py``,
found at start-up like Django's ``admin.py``. An export has:
- ``authorize(user, organization, parameters)``: the same permission checks as
  its download page (raises ``Http404`` or ``PermissionDenied``); run when the
  export is requested, again by the worker, and again when the file is fetched;
- ``size(user, organization, parameters)``: how many rows it holds. Up to
  ``settings.EXPORTS_SYNC_MAX_ROWS`` rows the file is made at once, in the
  request, as before; above, the worker makes it (``export_or_queue``);
- ``render(user, organization, parameters, progress)``: the file, as
  ``ExportFile``; ``progress(percent, step)`` reports how far it got.

The ``ExportJob`` row is the durable hand-off: it is written in the request's
transaction; the task is sent after commit (a broker that is away is logged,
never an error page: the job simply stays "queued"); ``export_jobs_resend``
(every minute, from the scheduler) sends again any job still queued after a
minute, and any job whose worker vanished mid-way. Building is idempotent: a
job that is sent twice is built once, a redelivered job is rebuilt in place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from .downloads import download
from .errors import DomainError
from .models import ExportJob, ExportJobStatus, Organization

logger = logging.getLogger(__name__)

RESEND_AFTER = timedelta(minutes=1)
STALLED_AFTER = timedelta(minutes=15)
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class ExportKind:
    key: str  # "budgets.proposal_pdf"
    title: Callable  # (organization, parameters) -> "Budget FY2027 (PDF)"
    authorize: Callable
    size: Callable
    render: Callable


_KINDS: dict[str, ExportKind] = {}


def register_export(kind: ExportKind) -> ExportKind:
    _KINDS[kind.key] = kind
    return kind


def export_kind(key: str) -> ExportKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise DomainError("This kind of export does not exist.", field="kind") from None


def sync_max_rows() -> int:
    return int(getattr(settings, "EXPORTS_SYNC_MAX_ROWS", 200))


# ------------------------------------------------------------- requests ----


def export_or_queue(request, organization: Organization, *, key: str, parameters: dict) -> HttpResponse:
    """The view side: a small export is answered at once, through
    ``core.downloads.download`` (recorded on the Audit page); a large one, or
    any with ``?background=1``, becomes a job and the person is taken to its
    progress page. Permission checks have already run in the view."""
    kind = export_kind(key)
    user = request.user
    size = None if request.GET.get("background") else kind.size(user, organization, parameters)
    if size is not None and size <= sync_max_rows():
        export = kind.render(user, organization, parameters, lambda percent, step="": None)
        if export.rows is None:
            export = replace(export, rows=size)
        return download(request, organization, export, what=kind.title(organization, parameters))
    job = export_job_request(actor=user, organization=organization, key=key, parameters=parameters)
    return redirect("core:export_job", org=organization.slug, pk=job.pk)


@transaction.atomic
def export_job_request(*, actor, organization: Organization, key: str, parameters: dict) -> ExportJob:
    """Record the export to prepare; the worker is told after commit."""
    kind = export_kind(key)
    kind.authorize(actor, organization, parameters)
    job = ExportJob.objects.create(
        organization=organization,
        requested_by=actor,
        kind=key,
        title=kind.title(organization, parameters)[:200],
        parameters=parameters,
    )
    transaction.on_commit(lambda: export_job_dispatch(job_id=job.pk))
    return job


def export_job_dispatch(*, job_id: int) -> bool:
    """Hand the job to the worker. A broker that is away is logged and left to
    ``export_jobs_resend``: the job stays queued, nothing fails."""
    from .tasks import export_job_build

    try:
        export_job_build.delay(job_id)
    except Exception:
        logger.warning(
            "Export job %s could not be sent to the worker; it will be sent again.", job_id, exc_info=True
        )
        return False
    ExportJob.objects.filter(pk=job_id, status=ExportJobStatus.QUEUED).update(dispatched_at=timezone.now())
    return True


def export_jobs_resend(*, now=None) -> int:
    """Send again jobs still queued a minute after they were last sent (or
    never sent), and jobs whose worker stopped mid-way. Returns how many."""
    now = now or timezone.now()
    stalled = ExportJob.objects.filter(status=ExportJobStatus.RUNNING, started_at__lt=now - STALLED_AFTER)
    for job in stalled.filter(attempts__gte=MAX_ATTEMPTS):
        _finish_failed(
            job.pk,
            "The export stopped several times without finishing. Ask your administrator "
            "to check the background worker, then try again.",
        )
    stalled.filter(attempts__lt=MAX_ATTEMPTS).update(
        status=ExportJobStatus.QUEUED, dispatched_at=None, step="Restarting after an interruption"
    )
    waiting = ExportJob.objects.filter(
        status=ExportJobStatus.QUEUED, created_at__lt=now - RESEND_AFTER
    ).filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - RESEND_AFTER))
    sent = 0
    for job_id in waiting.order_by("pk").values_list("pk", flat=True):
        sent += export_job_dispatch(job_id=job_id)
    return sent


# -------------------------------------------------------------- building ----


def export_job_build(*, job_id: int) -> ExportJob | None:
    """Make the job's file (in the worker). Idempotent: a finished job is left
    alone; a job found running (redelivered after its worker died) is rebuilt."""
    job = _start(job_id)
    if job is None:
        return None
    kind = export_kind(job.kind)

    def progress(percent: int, step: str = "") -> None:
        ExportJob.objects.filter(pk=job_id).update(progress=max(0, min(99, int(percent))), step=step[:120])

    try:
        user = job.requested_by
        if user is None:
            raise PermissionDenied
        kind.authorize(user, job.organization, job.parameters)
        export = kind.render(user, job.organization, job.parameters, progress)
    except (Http404, PermissionDenied):
        _finish_failed(job_id, "You no longer have access to what this export contains.")
        return None
    except Exception as exc:
        logger.exception("Export job %s (%s) failed", job_id, job.kind)
        if not connection.in_atomic_block:
            close_old_connections()  # the failure may have been the connection itself: the next query reconnects
        _finish_failed(
            job_id,
            f"The export could not be prepared ({type(exc).__name__}). Try again; if it "
            "fails again, ask your administrator to look at the worker's log.",
        )
        return None
    job.file.save(export.filename, ContentFile(export.content), save=False)
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJobStatus.DONE,
        progress=100,
        step="",
        error="",
        file=job.file.name,
        filename=export.filename,
        content_type=export.content_type,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


@transaction.atomic
def _start(job_id: int) -> ExportJob | None:
    job = (
        ExportJob.objects.select_for_update(of=("self",))
        .select_related("organization", "requested_by")
        .filter(pk=job_id)
        .first()
    )
    if job is None or job.status in (ExportJobStatus.DONE, ExportJobStatus.FAILED):
        return None
    job.status, job.started_at, job.step = ExportJobStatus.RUNNING, timezone.now(), "Starting"
    job.attempts += 1
    job.save(update_fields=["status", "started_at", "step", "attempts"])
    return job


def _finish_failed(job_id: int, reason: str) -> None:
    ExportJob.objects.filter(pk=job_id).exclude(status=ExportJobStatus.DONE).update(
        status=ExportJobStatus.FAILED, error=reason[:500], finished_at=timezone.now()
    )


# --------------------------------------------------------------- reading ----


def export_job_get(*, user, organization: Organization, pk: int) -> ExportJob:
    """One of the person's own jobs, if they may still see what it contains (404 otherwise)."""
    job = ExportJob.objects.filter(pk=pk, organization=organization, requested_by=user).first()
    if job is None:
        raise Http404("Not found.")
    try:
        export_kind(job.kind).authorize(user, organization, job.parameters)
    except (DomainError, PermissionDenied):
        raise Http404("Not found.") from None
    return job


def export_jobs_recent(*, user, organization: Organization, limit: int = 20) -> list[ExportJob]:
    return list(ExportJob.objects.filter(organization=organization, requested_by=user)[:limit])
