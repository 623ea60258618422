"""Durable hand-off of background work to Celery (the transactional outbox).

``enqueue(task, key=..., **kwargs)`` records the job in the caller's
transaction: if the change rolls back, so does the job; if it commits, the job
is there even when the broker is not. Right after the commit the job is handed
to Celery; a broker error is logged, never raised into the request. The
periodic ``core.outbox_dispatch`` task re-sends every job not yet picked up
(never handed over, or handed over so long ago that the message must be lost),
claiming rows with ``SELECT … FOR UPDATE SKIP LOCKED`` so that several
dispatchers never send the same job twice at once.

A job is *picked up* when a worker starts its task and *done* when the task
succeeds (Celery signals, matched by the task id ``outbox-<pk>``). Tasks must
be idempotent: a job may run more than once (at least once, never zero times).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from celery import current_app
from celery.signals import task_failure, task_prerun, task_success
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Organization, OutboxJob

logger = logging.getLogger(__name__)

ID_PREFIX = "outbox-"


def redispatch_after() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_REDISPATCH_AFTER_SECONDS)


def enqueue(task, *, key: str = "", organization: Organization | None = None, **kwargs) -> OutboxJob | None:
    """Record ``task(**kwargs)`` to run after the current transaction commits.

    ``task`` is a Celery task or its registered name; kwargs must be JSON
    values (pass ids, not objects). A ``key`` makes the job unique among those
    not yet picked up: enqueueing the same key again adds nothing. Returns the
    waiting job (None if a worker picked it up in the meantime).
    """
    name = getattr(task, "name", task)
    job = OutboxJob(task=name, kwargs=kwargs, organization=organization, key=key[:200])
    if key:
        # ON CONFLICT DO NOTHING: a job already waiting under this key stands for this one.
        OutboxJob.objects.bulk_create([job], ignore_conflicts=True)
        job = OutboxJob.objects.filter(key=job.key, picked_up_at__isnull=True).order_by("pk").first()
        if job is None:
            return None
    else:
        job.save()
    transaction.on_commit(partial(dispatch, job.pk), robust=True)
    return job


def _due(now) -> Q:
    return Q(picked_up_at__isnull=True) & (
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - redispatch_after())
    )


def dispatch(job_id: int) -> bool:
    """Hand one job to Celery if nobody else is doing so; True once the broker has it."""
    now = timezone.now()
    claimed = OutboxJob.objects.filter(_due(now), pk=job_id).update(
        dispatched_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    return _send(OutboxJob.objects.get(pk=job_id))


def dispatch_waiting(*, limit: int = 500) -> int:
    """Hand over every job not yet picked up (oldest first); returns how many the broker took."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            OutboxJob.objects.select_for_update(skip_locked=True)
            .filter(_due(now))
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        OutboxJob.objects.filter(pk__in=ids).update(dispatched_at=now, attempts=F("attempts") + 1)
    sent = sum(_send(job) for job in OutboxJob.objects.filter(pk__in=ids).order_by("created_at", "pk"))
    keep = timedelta(days=settings.OUTBOX_KEEP_DONE_DAYS)
    OutboxJob.objects.filter(done_at__lt=now - keep).delete()
    return sent


def _task(name: str):
    task = current_app.tasks.get(name)
    if task is None:  # the web process imports task modules lazily
        current_app.loader.import_default_modules()
        task = current_app.tasks.get(name)
    return task


def _send(job: OutboxJob) -> bool:
    eager = bool(current_app.conf.task_always_eager)
    try:
        task = _task(job.task)
        if task is None:
            raise LookupError(f"no Celery task is registered as {job.task!r}")
        task.apply_async(
            kwargs=job.kwargs,
            task_id=job.celery_id,
            retry_policy={"max_retries": 1, "interval_start": 0.2, "interval_step": 0.5},
        )
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"[:2000]
        if eager:  # the task itself ran here and failed (no worker signal in this mode)
            logger.exception("Background job %s (%s) failed when run in-process", job.pk, job.task)
            record_failure(job.pk, reason)
        else:
            logger.warning(
                "Background job %s (%s) is queued but the broker is unavailable (%s); "
                "it will be sent again by the dispatcher.",
                job.pk,
                job.task,
                reason,
            )
            OutboxJob.objects.filter(pk=job.pk, picked_up_at__isnull=True).update(
                dispatched_at=None, last_error=reason
            )
        return False
    return True


def waiting_summary() -> dict:
    """How many jobs wait for a worker, and since when, and how many failed (for /healthz).

    ``failing`` counts jobs whose last run failed and that will be sent again;
    ``failed`` those that gave up after ``OUTBOX_MAX_ATTEMPTS`` and need an
    operator (``manage.py outbox_retry`` sends them again once the cause is fixed)."""
    waiting = OutboxJob.objects.filter(picked_up_at__isnull=True)
    oldest = waiting.order_by("created_at").values_list("created_at", flat=True).first()
    unfinished_with_error = OutboxJob.objects.filter(done_at__isnull=True).exclude(last_error="")
    return {
        "waiting": waiting.count(),
        "oldest_waiting_seconds": None if oldest is None else int((timezone.now() - oldest).total_seconds()),
        "failing": unfinished_with_error.filter(picked_up_at__isnull=True).count(),
        "failed": unfinished_with_error.filter(picked_up_at__isnull=False).count(),
    }


def retry_failed() -> int:
    """Send again every job that gave up (after its cause, e.g. the mail settings, is fixed)."""
    count = 0
    for job in OutboxJob.objects.filter(done_at__isnull=True, picked_up_at__isnull=False).exclude(
        last_error=""
    ):
        try:
            with transaction.atomic():
                OutboxJob.objects.filter(pk=job.pk).update(picked_up_at=None, dispatched_at=None, attempts=0)
        except IntegrityError:  # a newer job with the same key is waiting: it stands for this one
            continue
        count += 1
    dispatch_waiting()
    return count


# ------------------------------------------------- worker-side bookkeeping ---


def _job_pk(task_id: str | None) -> int | None:
    if task_id and task_id.startswith(ID_PREFIX) and task_id[len(ID_PREFIX) :].isdigit():
        return int(task_id[len(ID_PREFIX) :])
    return None


def _mark(task_id: str | None, **changes) -> None:
    pk = _job_pk(task_id)
    if pk is None:
        return
    try:
        OutboxJob.objects.filter(pk=pk).update(**changes)
    except Exception:
        logger.warning("could not record the state of background job %s", pk, exc_info=True)


def is_done(task_id: str | None) -> bool:
    """Whether the outbox job behind this task id already succeeded (a duplicate delivery)."""
    pk = _job_pk(task_id)
    return pk is not None and OutboxJob.objects.filter(pk=pk, done_at__isnull=False).exists()


@task_prerun.connect
def _on_prerun(sender=None, task_id=None, **kwargs):
    pk = _job_pk(task_id)
    if pk is not None:
        try:
            OutboxJob.objects.filter(pk=pk, picked_up_at__isnull=True).update(picked_up_at=timezone.now())
        except Exception:
            logger.warning("could not record that background job %s started", pk, exc_info=True)


@task_success.connect
def _on_success(sender=None, **kwargs):
    _mark(getattr(sender.request, "id", None), done_at=timezone.now(), last_error="")


@task_failure.connect
def _on_failure(sender=None, task_id=None, exception=None, **kwargs):
    pk = _job_pk(task_id)
    if pk is not None:
        record_failure(pk, f"{type(exception).__name__}: {exception}"[:2000])


def record_failure(pk: int, reason: str) -> None:
    """The job's task failed for good (its own retries, if any, are spent). The
    job is sent again later by the dispatcher, up to ``OUTBOX_MAX_ATTEMPTS``
    hand-offs; after that it stays failed, counted by /healthz, until an
    operator retries it (``manage.py outbox_retry``)."""
    try:
        job = OutboxJob.objects.filter(pk=pk, done_at__isnull=True).first()
        if job is None:
            return
        if job.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            OutboxJob.objects.filter(pk=pk).update(last_error=reason)
            logger.error(
                "Background job %s (%s) gave up after %s attempts: %s", pk, job.task, job.attempts, reason
            )
            return
        # Waiting again; the dispatcher sends it after OUTBOX_REDISPATCH_AFTER_SECONDS.
        with transaction.atomic():
            OutboxJob.objects.filter(pk=pk).update(
                picked_up_at=None, dispatched_at=timezone.now(), last_error=reason
            )
    except IntegrityError:  # a newer job with the same key is waiting: it stands for this one
        OutboxJob.objects.filter(pk=pk).update(last_error=reason)
    except Exception:
        logger.warning("could not record the failure of background job %s", pk, exc_info=True)
