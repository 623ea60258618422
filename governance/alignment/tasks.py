"""Thin Celery tasks for alignment reports: build one, and the periodic
dispatcher that requests each organization's report when its schedule is due."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.schedules import crontab
from django.db import DatabaseError, close_old_connections, connection

from core import outbox
from governance.alignment import services

logger = logging.getLogger(__name__)

MAX_RETRIES = 3


def _fresh_connection() -> None:
    """After a failure the database connection may be dead (PostgreSQL restarted,
    network cut): drop it so that the failure is recorded on a new one. Never
    inside a transaction (eager runs in tests): that one is not ours to close."""
    if not connection.in_atomic_block:
        close_old_connections()
        if connection.connection is not None and not connection.is_usable():
            connection.close()


def _record_failure(report_id: int, reason: str, final: bool) -> None:
    _fresh_connection()
    try:
        services.report_build_failed(report_id=report_id, reason=reason, final=final)
    except DatabaseError:  # the database is still away: the retry (or the stall check) will tell
        logger.warning("Could not record the failure of alignment report %s", report_id, exc_info=True)
        _fresh_connection()


@shared_task(
    bind=True,
    max_retries=MAX_RETRIES,
    acks_late=True,
    reject_on_worker_lost=True,
    name="governance.build_alignment_report",
)
def build_alignment_report(self, report_id: int) -> int | None:
    """Build one report's snapshot; retried with exponential backoff; the last
    failure's reason is stored on the report and shown on its page. Idempotent:
    a redelivered build rebuilds the same report row."""
    try:
        report = services.report_build(report_id=report_id)
    except services.ReportNotFound:
        logger.info("Alignment report %s was deleted before it was built.", report_id)
        return None
    except Exception as exc:  # any failure is recorded, then retried or given up
        final = self.request.retries >= self.max_retries
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        _record_failure(report_id, reason, final)
        if final:
            raise
        raise self.retry(exc=exc, countdown=min(600, 10 * 2**self.request.retries)) from exc
    return report.pk


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=5,
    name="governance.notify_board_of_report",
)
def notify_board_of_report(self, report_id: int) -> int:
    """E-mail board members a link to a newly published report (retried if the mail server is down)."""
    if outbox.is_done(self.request.id):
        return 0  # a duplicate delivery: the board was told already
    return services.report_notify_board(report_id=report_id)


@shared_task(name="governance.dispatch_scheduled_reports")
def dispatch_scheduled_reports() -> int:
    """Request the reports whose period has closed (weekly, monthly or quarterly per organization)."""
    return len(services.scheduled_reports_due())


@shared_task(name="governance.retry_stalled_reports")
def retry_stalled_reports() -> int:
    """Queue again the builds without progress for REPORT_STALL_MINUTES (a worker died mid-build)."""
    return len(services.reports_retry_stalled())


BEAT_SCHEDULE = {
    "governance-scheduled-alignment-reports": {
        "task": "governance.dispatch_scheduled_reports",
        "schedule": crontab(minute=7),  # hourly: a closed period is picked up within the hour
    },
    "governance-retry-stalled-reports": {
        "task": "governance.retry_stalled_reports",
        "schedule": crontab(minute="*/5"),
    },
}

__all__ = [
    "BEAT_SCHEDULE",
    "build_alignment_report",
    "dispatch_scheduled_reports",
    "notify_board_of_report",
    "retry_stalled_reports",
]
