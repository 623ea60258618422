"""Intake test data: requests filed directly (bypassing e-mails) at a given time."""

from datetime import datetime

from django.utils import timezone

from governance.intake.services import intake_sla_refresh
from governance.models import IntakeRequest, IntakeStatus

_counter = {"n": 0}


def make_request(
    organization,
    requester,
    *,
    title="New CRM",
    tier="medium",
    sla_days=5,
    status=IntakeStatus.SUBMITTED,
    submitted_at: datetime | None = None,
    pauses: tuple[tuple[datetime, datetime | None], ...] = (),
    now: datetime | None = None,
    reference: str | None = None,
    **extra,
) -> IntakeRequest:
    """A request with its ``pauses`` (started_at, ended_at or None) and its
    stored SLA moments computed at ``now``, as the services keep them."""
    _counter["n"] += 1
    request = IntakeRequest.objects.create(
        organization=organization,
        requester=requester,
        reference=reference or f"IR-{_counter['n']:03d}",
        title=title,
        description="Replace the CRM.",
        business_value="Faster sales.",
        sponsor="COO",
        tier=tier,
        sla_days=sla_days,
        status=status,
        submitted_at=submitted_at or timezone.now(),
        **extra,
    )
    for started_at, ended_at in pauses:
        request.pauses.create(organization=organization, started_at=started_at, ended_at=ended_at)
    intake_sla_refresh(organization=organization, requests=[request], now=now)
    return request


def filing_values(**overrides) -> dict:
    values = {
        "title": "Patient portal self-scheduling",
        "description": "Let patients book appointments online.",
        "business_value": "Fewer calls to the front desk.",
        "sponsor": "Chief Operating Officer",
        "target_date": None,
        "estimated_cost": None,
        "data_classification": "internal",
        "personal_data": "none",
        "internet_facing": False,
        "third_party": False,
        "changes_authentication": False,
        "business_criticality": "low",
    }
    values.update(overrides)
    return values
