"""Background work: recompute computed KPIs (thin wrapper over the service)."""

from celery import shared_task
from celery.schedules import crontab

from . import services

BEAT_SCHEDULE = {
    "kpis-refresh-computed": {
        "task": "kpis.tasks.refresh_computed_kpis",
        # Nightly, after the day's changes; the service also refreshes the last finished period.
        "schedule": crontab(hour=2, minute=15),
    },
}


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=60, max_retries=3)
def refresh_computed_kpis(self) -> int:
    """Recompute every organization's computed KPIs; returns the number of values written."""
    return services.computed_kpis_refresh_all()


@shared_task(
    name="kpis.tasks.refresh_computed_kpi", autoretry_for=(Exception,), retry_backoff=30, max_retries=5
)
def refresh_computed_kpi(*, organization_id: int, kpi_key: str) -> int:
    """Compute one newly added computed KPI's values (queued when it is added)."""
    from core.models import Organization

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    return services.computed_kpis_refresh(organization=organization, keys=[kpi_key])
