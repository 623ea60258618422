"""Background work of the risk register (thin wrappers around services)."""

from celery import shared_task
from celery.schedules import crontab

from . import services

BEAT_SCHEDULE = {
    "risks-expire-acceptances": {
        "task": "risks.tasks.expire_acceptances",
        "schedule": crontab(hour=2, minute=0),
    },
}


@shared_task(
    name="risks.tasks.expire_acceptances", autoretry_for=(Exception,), retry_backoff=True, max_retries=5
)
def expire_acceptances() -> int:
    """Daily: joint acceptances past their expiry date return the risk to "assessed"."""
    return services.acceptances_expire()
