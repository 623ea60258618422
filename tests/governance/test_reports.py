"""Alignment report services: idempotent generation, immutability once
published, board e-mails, failures recorded, and the schedule."""

from datetime import date

import pytest
from django.core import mail

from core.errors import DomainError, NotAllowed
from governance.alignment import services
from governance.models import AlignmentReport, BuildStatus, ReportStatus
from risks.models import Risk

from .factories_reports import make_report, populate

pytestmark = pytest.mark.django_db

Q3 = (date(2026, 7, 1), date(2026, 9, 30), "Q3 2026")


def generate(org, actor, period=Q3):
    start, end, label = period
    report = services.report_request(
        actor=actor, organization=org, period_start=start, period_end=end, period_label=label, enqueue=False
    )
    return services.report_build(report_id=report.pk)


def test_generation_builds_a_snapshot_with_score_and_sections(org, people):
    populate(org, people)
    report = generate(org, people["cio"])
    assert report.build_status == BuildStatus.READY and report.build_progress == 100
    assert report.status == ReportStatus.DRAFT
    snap = report.snapshot
    assert snap["period"] == {"start": "2026-07-01", "end": "2026-09-30", "label": "Q3 2026"}
    assert report.score == snap["alignment"]["score"] is not None
    assert {p["key"] for p in snap["alignment"]["parts"]} == {
        "assessment_agreement",
        "accountability_coverage",
        "kpi_health",
        "decision_latency",
        "budget_risk_linkage",
    }
    assert snap["risks"]["top"][0]["title"] == "Ransomware on clinical systems 0"
    assert snap["summary"][0].startswith("IT and security alignment is")
    assert snap["trend"][-1] == {
        "label": "Q3 2026",
        "period_end": "2026-09-30",
        "score": report.score,
        "current": True,
    }


def test_request_through_the_task_runs_eagerly_in_tests(org, people, django_capture_on_commit_callbacks):
    populate(org, people)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(actor=people["ciso"], organization=org)
    report.refresh_from_db()
    assert report.is_ready and report.snapshot["alignment"]["score"] is not None


def test_generation_is_idempotent_and_replaces_the_draft(org, people):
    populate(org, people)
    first = generate(org, people["cio"])
    Risk.objects.filter(organization=org).update(title="Renamed risk")
    second = generate(org, people["ciso"])
    assert second.pk == first.pk
    assert AlignmentReport.objects.filter(organization=org).count() == 1
    assert second.snapshot["risks"]["top"][0]["title"] == "Renamed risk"
    assert second.generated_by == people["ciso"]


def test_published_report_is_never_rebuilt_edited_or_deleted(org, people):
    populate(org, people)
    report = services.report_publish(actor=people["cio"], report=generate(org, people["cio"]))
    frozen = report.snapshot
    Risk.objects.filter(organization=org).update(title="Changed after publishing")
    with pytest.raises(DomainError, match="already published"):
        generate(org, people["ciso"])
    with pytest.raises(DomainError, match="cannot be deleted"):
        services.report_delete(actor=people["cio"], report=report)
    with pytest.raises(DomainError, match="already published"):
        services.report_publish(actor=people["ciso"], report=report)
    with pytest.raises(DomainError):
        services.report_refuse_change(report=report)
    services.report_build(report_id=report.pk)  # a stray queued build does nothing
    report.refresh_from_db()
    assert report.snapshot == frozen
    assert report.snapshot["risks"]["top"][0]["title"] == "Ransomware on clinical systems 0"


def test_publish_emails_board_members_a_link_not_the_content(org, people, django_capture_on_commit_callbacks):
    populate(org, people)
    report = generate(org, people["cio"])
    with django_capture_on_commit_callbacks(execute=True):
        services.report_publish(actor=people["ciso"], report=report)
    # The executives are told through core.notifications; the board gets its own e-mail.
    board_mail = [m for m in mail.outbox if people["board"].email in m.to]
    assert [m.to for m in board_mail] == [[people["board"].email]]
    assert {m.to[0] for m in mail.outbox if m not in board_mail} <= {"cio@acme.test", "ciso@acme.test"}
    body = board_mail[0].body
    assert f"/o/acme/reports/{report.pk}/" in body
    assert "Ransomware" not in body and str(report.score) not in board_mail[0].subject
    report.refresh_from_db()
    assert report.published_by == people["ciso"] and report.published_at


def test_only_cio_and_ciso_generate_and_publish(org, people):
    populate(org, people)
    for role in ("board", "contributor", "admin"):
        with pytest.raises(NotAllowed):
            services.report_request(actor=people[role], organization=org, enqueue=False)
    report = generate(org, people["cio"])
    with pytest.raises(NotAllowed):
        services.report_publish(actor=people["board"], report=report)


def test_a_report_not_ready_cannot_be_published(org, people):
    report = services.report_request(actor=people["cio"], organization=org, enqueue=False)
    with pytest.raises(DomainError, match="not ready"):
        services.report_publish(actor=people["cio"], report=report)


def test_draft_can_be_deleted(org, people):
    report = generate(org, people["cio"])
    services.report_delete(actor=people["cio"], report=report)
    assert not AlignmentReport.objects.filter(pk=report.pk).exists()


def test_trend_lists_earlier_published_reports_only(org, people):
    make_report(org, label="Q1 2026", start=date(2026, 1, 1), end=date(2026, 3, 31), score=50)
    make_report(org, label="Q2 2026", start=date(2026, 4, 1), end=date(2026, 6, 30), score=58)
    make_report(
        org, label="Draft", start=date(2026, 5, 1), end=date(2026, 5, 31), score=99, status=ReportStatus.DRAFT
    )
    populate(org, people)
    report = generate(org, people["cio"])
    assert [p["label"] for p in report.snapshot["trend"]] == ["Q1 2026", "Q2 2026", "Q3 2026"]
    assert report.snapshot["alignment"]["change"] == report.score - 58


def test_failed_build_is_retried_then_records_the_reason(org, people, monkeypatch):
    from celery.exceptions import Retry

    from governance.alignment.tasks import MAX_RETRIES, build_alignment_report

    def explode(*args, **kwargs):
        raise RuntimeError("the risk register could not be read")

    monkeypatch.setattr(services, "build_snapshot", explode)
    report = services.report_request(actor=people["cio"], organization=org, enqueue=False)
    with pytest.raises(Retry):
        build_alignment_report.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.build_status == BuildStatus.QUEUED and report.build_step == "Retrying after an error"
    assert "could not be read" in report.failure_reason
    with pytest.raises(RuntimeError):
        build_alignment_report.apply(args=[report.pk], retries=MAX_RETRIES)
    report.refresh_from_db()
    assert report.build_status == BuildStatus.FAILED
    assert (
        report.failure_reason
        == "The report could not be built: RuntimeError: the risk register could not be read"
    )
    assert report.build_attempts == 2


def test_build_of_a_deleted_draft_is_dropped(org, people):
    from governance.alignment.tasks import build_alignment_report

    report = services.report_request(actor=people["cio"], organization=org, enqueue=False)
    services.report_delete(actor=people["cio"], report=report)
    assert build_alignment_report.apply(args=[report.pk]).get() is None


def test_schedule_requests_each_organizations_closed_period_once(
    org, people, other_org, django_capture_on_commit_callbacks
):
    org.report_schedule = "monthly"
    org.save()
    with django_capture_on_commit_callbacks(execute=True):
        made = services.scheduled_reports_due(today=date(2026, 11, 23))
    assert {(r.organization.slug, r.period_label) for r in made} == {
        ("acme", "Oct 2026"),
        ("globex", "Q3 2026"),
    }
    acme = AlignmentReport.objects.get(organization=org)
    assert acme.scheduled and acme.generated_by is None and acme.is_ready
    assert (acme.period_start, acme.period_end) == (date(2026, 10, 1), date(2026, 10, 31))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.scheduled_reports_due(today=date(2026, 11, 24)) == []
    assert AlignmentReport.objects.count() == 2


def test_beat_schedule_runs_the_dispatcher_hourly():
    from config.celery import app
    from governance.tasks import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["governance-scheduled-alignment-reports"]
    assert entry["task"] == "governance.dispatch_scheduled_reports"
    assert entry["task"] in app.tasks
    assert "governance.build_alignment_report" in app.tasks


@pytest.mark.parametrize(
    ("schedule", "today", "current", "closed"),
    [
        (
            "weekly",
            date(2026, 11, 25),
            (date(2026, 11, 23), date(2026, 11, 29)),
            (date(2026, 11, 16), date(2026, 11, 22)),
        ),
        (
            "monthly",
            date(2026, 1, 15),
            (date(2026, 1, 1), date(2026, 1, 31)),
            (date(2025, 12, 1), date(2025, 12, 31)),
        ),
        (
            "quarterly",
            date(2026, 4, 1),
            (date(2026, 4, 1), date(2026, 6, 30)),
            (date(2026, 1, 1), date(2026, 3, 31)),
        ),
    ],
)
def test_periods(schedule, today, current, closed):
    assert services.current_period(schedule, today)[:2] == current
    assert services.last_closed_period(schedule, today)[:2] == closed


def test_a_running_build_blocks_rebuilds_until_it_stalls(org, people):
    from datetime import timedelta

    from django.utils import timezone

    report = services.report_request(actor=people["cio"], organization=org, enqueue=False)
    AlignmentReport.objects.filter(pk=report.pk).update(
        build_status=BuildStatus.RUNNING, updated_at=timezone.now()
    )
    with pytest.raises(DomainError, match="being built right now"):
        services.report_request(actor=people["ciso"], organization=org, enqueue=False)
    with pytest.raises(DomainError, match="being built right now"):
        services.report_delete(actor=people["ciso"], report=AlignmentReport.objects.get(pk=report.pk))
    AlignmentReport.objects.filter(pk=report.pk).update(updated_at=timezone.now() - timedelta(minutes=20))
    assert AlignmentReport.objects.get(pk=report.pk).is_stalled
    again = services.report_request(actor=people["ciso"], organization=org, enqueue=False)
    assert again.pk == report.pk and again.build_status == BuildStatus.QUEUED and not again.is_stalled


def test_schedule_retries_failed_builds_but_not_running_ones(
    org, people, other_org, django_capture_on_commit_callbacks
):
    start, end, label = services.last_closed_period(org.report_schedule, date(2026, 11, 23))
    failed = make_report(org, label=label, start=start, end=end, score=None, status=ReportStatus.DRAFT)
    AlignmentReport.objects.filter(pk=failed.pk).update(
        build_status=BuildStatus.FAILED, failure_reason="boom"
    )
    with django_capture_on_commit_callbacks(execute=True):
        made = services.scheduled_reports_due(today=date(2026, 11, 23))
    assert failed.pk in [r.pk for r in made]
    failed.refresh_from_db()
    assert failed.is_ready and failed.failure_reason == ""
