"""Intake background work: flag requests past their decision SLA and e-mail the
reviewers. A thin wrapper around the service."""

from celery import shared_task
from celery.schedules import crontab

__all__ = ["intake_flag_breaches"]

BEAT_SCHEDULE: dict = {
    "governance-intake-flag-breaches": {
        "task": "governance.intake_flag_breaches",
        # Hourly on weekdays: the clocks only run on business days.
        "schedule": crontab(minute=15, day_of_week="mon-fri"),
    },
}


@shared_task(
    name="governance.intake_flag_breaches", autoretry_for=(Exception,), retry_backoff=True, max_retries=3
)
def intake_flag_breaches() -> int:
    from .services import intake_flag_breaches as flag

    return flag()
