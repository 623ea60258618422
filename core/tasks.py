"""Core's Celery tasks: thin wrappers around core/exports.py."""
from celery import shared_task
from celery.schedules import crontab

from . import exports

BEAT_SCHEDULE = {
    "core-export-jobs-resend": {
        "task": "core.export_jobs_resend",
        "schedule": crontab(),  # every minute
    },
}


@shared_task(acks_late=True, reject_on_worker_lost=True, name="core.export_job_build")
def export_job_build(job_id: int) -> int | None:
    """Prepare one export's file (a redelivered job is rebuilt in place)."""
    job = exports.export_job_build(job_id=job_id)
    return job.pk if job else None


@shared_task(name="core.export_jobs_resend")
def export_jobs_resend() -> int:
    """Send again exports still waiting for a worker."""
    return exports.export_jobs_resend()
