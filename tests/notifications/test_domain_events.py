"""The events domain apps register: each reaches the right people (and only
those who may see the item), once, whatever the number of sweeps."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from budgets import services as budget_services
from core.models import Notification
from core.notifications import sweeps
from core.roles import Role
from governance.intake import services as intake_services
from governance.models import IntakeStatus
from risks import services as risk_services
from risks.models import RiskStatus
from tests.core.joint_subjects import _budget_submission
from tests.governance.factories_intake import make_request
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.risks.factories import assessed_risk, make_risk, request_acceptance

EXECUTIVES = ["cio@acme.test", "ciso@acme.test"]


def _told(event):
    return sorted(Notification.objects.filter(event=event).values_list("recipient__email", flat=True))


def _accepted_risk(org, people, days):
    risk = request_acceptance(
        assessed_risk(org, people, cio=(4, 4), ciso=(4, 5)), people[Role.CIO], days=days
    )
    risk_services.acceptance_sign(actor=people[Role.CIO], risk=risk, decision="approve")
    risk_services.acceptance_sign(actor=people[Role.CISO], risk=risk, decision="approve")
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ACCEPTED
    return risk


def test_acceptance_expiry_warnings_at_30_7_and_1_days_then_expired(org, people):
    risk = _accepted_risk(org, people, days=31)
    today = timezone.localdate()
    for offset in range(0, 33):
        sweeps.run_sweeps(today=today + timedelta(days=offset))
        sweeps.run_sweeps(today=today + timedelta(days=offset))  # a second run the same day adds nothing
    titles = sorted(
        Notification.objects.filter(event="risk.acceptance_expiring", recipient=people[Role.CIO]).values_list(
            "title", flat=True
        )
    )
    assert [t.rsplit(" expires in ", 1)[1] for t in titles] == ["1 day", "30 days", "7 days"]
    assert _told("risk.acceptance_expiring") == sorted(EXECUTIVES * 3)
    assert _told("risk.acceptance_expired") == EXECUTIVES
    note = Notification.objects.filter(event="risk.acceptance_expired").first()
    assert note.link == f"/o/acme/risks/{risk.pk}/"


def test_overdue_mitigation_and_review_reach_only_those_who_see_the_register(org, people):
    today = timezone.localdate()
    risk = make_risk(org, people[Role.CIO], title="Old firewall", next_review_date=today - timedelta(days=1))
    risk_services.mitigation_create(
        actor=people[Role.CIO],
        risk=risk,
        title="Replace firewall",
        owner=people[Role.CISO],
        due_date=today - timedelta(days=2),
    )
    sweeps.run_sweeps(today=today)
    sweeps.run_sweeps(today=today)
    assert _told("risk.review_overdue") == EXECUTIVES
    assert _told("risk.mitigation_overdue") == EXECUTIVES


def test_a_kpi_turning_red_or_going_stale(org, people):
    red = KPIFactory(organization=org, name="Patch coverage", frequency="monthly")
    today = timezone.localdate().replace(day=15)
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    MeasurementFactory(kpi=red, period=(last_month - timedelta(days=1)).replace(day=1), value=Decimal("97"))
    MeasurementFactory(kpi=red, period=last_month, value=Decimal("70"))
    KPIFactory(organization=org, name="Phishing clicks", frequency="monthly")  # never measured: stale
    sweeps.run_sweeps(today=today)
    sweeps.run_sweeps(today=today)
    assert _told("kpi.turned_red") == EXECUTIVES
    assert "Patch coverage" in Notification.objects.filter(event="kpi.turned_red").first().title
    assert _told("kpi.stale") == EXECUTIVES


def test_intake_request_awaiting_requester_and_sla_at_risk(org, people, django_capture_on_commit_callbacks):
    contributor = people[Role.CONTRIBUTOR]
    request = make_request(org, contributor, status=IntakeStatus.IN_REVIEW)
    intake_services.intake_request_information(
        actor=people[Role.CISO], request=request, question="Which SSO?"
    )
    assert _told("intake.awaiting_requester") == ["contributor@acme.test"]
    assert "Which SSO?" in Notification.objects.get(event="intake.awaiting_requester").body

    late = make_request(org, people[Role.BOARD], title="Tablets")
    # The stored SLA moments (kept by the intake services) say it is at risk now.
    late.sla_at_risk_at, late.sla_due_at = (
        timezone.now() - timedelta(hours=1),
        timezone.now() + timedelta(days=1),
    )
    late.save(update_fields=["sla_at_risk_at", "sla_due_at"])
    sweeps.run_sweeps()
    sweeps.run_sweeps()
    assert _told("intake.sla_at_risk") == EXECUTIVES


def test_budget_sent_to_the_board_and_returned(org, people):
    proposal = _budget_submission(org, people)
    budget_services.proposal_sign(actor=people[Role.CIO], proposal=proposal)
    budget_services.proposal_sign(actor=people[Role.CISO], proposal=proposal)
    proposal = budget_services.proposal_submit(actor=people[Role.CIO], proposal=proposal)
    # The board sees submitted proposals: it is told too; contributors are not.
    assert _told("budget.submitted") == ["board@acme.test", *EXECUTIVES]
    budget_services.proposal_return(actor=people[Role.CISO], proposal=proposal, reason="Too much opex")
    assert _told("budget.returned") == ["board@acme.test", *EXECUTIVES]
    assert "Too much opex" in Notification.objects.filter(event="budget.returned").first().body


def test_a_value_turning_a_kpi_red_is_told_on_commit_and_the_sweep_adds_nothing(
    org, people, django_capture_on_commit_callbacks
):
    from kpis import services as kpi_services

    kpi = KPIFactory(organization=org, name="Patch coverage", frequency="monthly")
    today = timezone.localdate().replace(day=15)
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    MeasurementFactory(kpi=kpi, period=(last_month - timedelta(days=1)).replace(day=1), value=Decimal("97"))
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.measurement_record(
            actor=people[Role.CIO], kpi=kpi, period=last_month, value=Decimal("70"), today=today
        )
    assert _told("kpi.turned_red") == EXECUTIVES  # at once, not at the next sweep
    with django_capture_on_commit_callbacks(execute=True):
        sweeps.run_sweeps(today=today)
    assert _told("kpi.turned_red") == EXECUTIVES
    assert Notification.objects.filter(event="kpi.turned_red").count() == 2


def test_a_value_that_keeps_a_kpi_green_tells_nobody(org, people, django_capture_on_commit_callbacks):
    from kpis import services as kpi_services

    kpi = KPIFactory(organization=org, name="Patch coverage", frequency="monthly")
    today = timezone.localdate().replace(day=15)
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.measurement_record(
            actor=people[Role.CIO], kpi=kpi, period=last_month, value=Decimal("99"), today=today
        )
    assert _told("kpi.turned_red") == []
