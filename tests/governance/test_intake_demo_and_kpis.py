"""Demo seeding of the RACI and intake parts, and the computed KPIs they feed."""

from datetime import timedelta
from decimal import Decimal

from django.core import mail
from django.utils import timezone

from governance.intake.demo import seed_intake
from governance.intake.selectors import intake_overview, intake_waiting_for
from governance.models import IntakeRequest, IntakeStatus, RaciActivity
from governance.raci.demo import seed_raci
from governance.raci.selectors import raci_summary, raci_waiting_for
from kpis.registry import registered_computed_kpis

from .factories_intake import make_request


def test_demo_seeds_raci_with_deliberate_problems_and_is_idempotent(org, people):
    seed_raci(org, people)
    seed_raci(org, people)
    summary = raci_summary(org)
    assert summary["activities"] == RaciActivity.objects.filter(organization=org).count() >= 25
    assert summary["gaps"] >= 1 and summary["overlaps"] >= 1 and summary["cio_ciso_conflicts"] >= 1
    assert raci_waiting_for(org, "ciso") and not raci_waiting_for(org, "cio")


def test_demo_seeds_intake_in_every_state_without_mail(org, people):
    seed_intake(org, people)
    seed_intake(org, people)
    requests = IntakeRequest.objects.filter(organization=org)
    assert 20 <= requests.count() <= 30
    assert set(requests.values_list("status", flat=True)) == set(IntakeStatus.values)
    summary = intake_overview(organization=org)
    assert summary["breached"] >= 2 and summary["median_days_to_decision"] is not None
    assert intake_waiting_for(org, "ciso")
    assert mail.outbox == []


def test_computed_kpis_are_registered_and_compute(org, people):
    specs = registered_computed_kpis()
    median, gaps = specs["intake_median_days_to_decision"], specs["raci_gaps"]
    assert (median.unit, median.direction, gaps.unit) == ("days", "lower", "count")
    today = timezone.localdate()
    start = today.replace(day=1)
    assert median.compute(org, start, today) is None  # nothing decided yet
    assert gaps.compute(org, start, today) is None  # no matrix yet
    now = timezone.now()
    make_request(
        org,
        people["contributor"],
        status=IntakeStatus.APPROVED,
        submitted_at=now - timedelta(days=7),
        decided_at=now,
    )
    assert median.compute(org, start - timedelta(days=31), today) > Decimal(0)
    seed_raci(org, people)
    summary = raci_summary(org)
    assert summary["gaps"] and summary["overlaps"]  # a gap and an overlap are told apart
    assert gaps.compute(org, start, today) == Decimal(summary["gaps"])
    # A finished period keeps the figure measured while it ran.
    assert gaps.compute(org, start - timedelta(days=40), start - timedelta(days=10)) is None
