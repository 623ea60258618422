"""Reports that nothing loses: builds and the board's e-mail are queued in the
outbox with the change, the schedule catches up every missed period exactly
once, stalled builds are retried with the reason shown, and a build whose
database connection died records its failure on a fresh one."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from core.models import OutboxJob
from governance.alignment import services
from governance.alignment.tasks import build_alignment_report
from governance.models import AlignmentReport, BuildStatus, ReportStatus
from tests.concurrency import run_together

from .factories_reports import make_report, populate


def _monthly(org):
    org.report_schedule = "monthly"
    org.save()


@pytest.mark.django_db
def test_a_requested_build_is_queued_with_the_report(org, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(actor=people["cio"], organization=org)
    job = OutboxJob.objects.get(task="governance.build_alignment_report")
    assert job.kwargs == {"report_id": report.pk} and job.key == f"report-build:{report.pk}"
    assert job.organization == org and job.done_at is not None
    report.refresh_from_db()
    assert report.is_ready


@pytest.mark.django_db
def test_publishing_tells_the_board_through_the_catalogue(org, people, django_capture_on_commit_callbacks):
    """The board's e-mail obeys preferences and lands in the inbox (report.published)."""
    from core.models import Notification
    from core.notifications.services import preference_set

    preference_set(actor=people["cio"], organization=org, category="reports", mode="off")
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(actor=people["cio"], organization=org)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_publish(actor=people["ciso"], report=AlignmentReport.objects.get(pk=report.pk))
    told = Notification.objects.filter(event="report.published")
    assert sorted(n.recipient.email for n in told) == [people["board"].email, people["ciso"].email]
    assert not OutboxJob.objects.filter(task="governance.notify_board_of_report").exists()
    board = [m for m in mail.outbox if m.to == [people["board"].email]]
    assert len(board) == 1 and "was published" in board[0].subject
    assert "List-Unsubscribe" in board[0].extra_headers  # a category the board may turn off
    jobs = OutboxJob.objects.filter(task="core.notification_email")
    assert jobs.exists() and all(job.done_at for job in jobs)


@pytest.mark.django_db
def test_the_schedule_catches_up_every_missed_period_oldest_first(
    org, people, other_org, django_capture_on_commit_callbacks
):
    _monthly(org)
    make_report(org, label="Jul 2026", start=date(2026, 7, 1), end=date(2026, 7, 31))
    with django_capture_on_commit_callbacks(execute=True):
        made = services.scheduled_reports_due(today=date(2026, 11, 5))
    acme = [r.period_label for r in made if r.organization == org]
    assert acme == ["Aug 2026", "Sep 2026", "Oct 2026"]
    assert all(r.is_ready for r in AlignmentReport.objects.filter(organization=org, scheduled=True))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.scheduled_reports_due(today=date(2026, 11, 6)) == []
    assert AlignmentReport.objects.filter(organization=org).count() == 4
    assert OutboxJob.objects.filter(task="governance.build_alignment_report", organization=org).count() == 3


@pytest.mark.django_db
def test_catching_up_is_bounded(org, people, settings):
    settings.REPORT_CATCH_UP_PERIODS = 2
    _monthly(org)
    make_report(org, label="Jan 2026", start=date(2026, 1, 1), end=date(2026, 1, 31))
    made = services.scheduled_reports_due(today=date(2026, 11, 5))
    assert [r.period_label for r in made if r.organization == org] == ["Sep 2026", "Oct 2026"]


@pytest.mark.django_db
def test_a_stalled_build_is_retried_with_the_reason_shown(
    org, people, client_as, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_STALL_MINUTES = 15
    report = services.report_request(actor=people["cio"], organization=org, enqueue=False)
    AlignmentReport.objects.filter(pk=report.pk).update(
        build_status=BuildStatus.RUNNING, build_attempts=1, updated_at=timezone.now() - timedelta(minutes=10)
    )
    assert services.reports_retry_stalled() == []  # not yet
    AlignmentReport.objects.filter(pk=report.pk).update(updated_at=timezone.now() - timedelta(minutes=16))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.reports_retry_stalled() == [report.pk]
    report.refresh_from_db()
    assert report.build_status == BuildStatus.QUEUED and not report.is_stalled
    assert report.failure_reason.startswith("No progress for 15 minutes")
    page = client_as("cio").get(f"/o/acme/reports/{report.pk}/progress/")
    assert "No progress for 15 minutes" in page.content.decode()
    for callback in callbacks:
        callback()
    report.refresh_from_db()
    # Two starts, then a finished build: the count is reset (it guards against crash loops only).
    assert report.is_ready and report.failure_reason == "" and report.build_attempts == 0


@pytest.mark.django_db
def test_a_build_started_too_often_fails_with_the_reason(org, people):
    report = services.report_request(actor=people["cio"], organization=org, enqueue=False)
    AlignmentReport.objects.filter(pk=report.pk).update(build_attempts=services.MAX_BUILD_ATTEMPTS)
    build_alignment_report.apply(kwargs={"report_id": report.pk})
    report.refresh_from_db()
    assert report.build_status == BuildStatus.FAILED and "started 6 times" in report.failure_reason


@pytest.mark.django_db
def test_a_redelivered_build_rebuilds_the_same_report(org, people):
    populate(org, people)
    report = services.report_request(actor=people["cio"], organization=org, enqueue=False)
    first = build_alignment_report.apply(kwargs={"report_id": report.pk}, task_id="outbox-1").get()
    again = build_alignment_report.apply(kwargs={"report_id": report.pk}, task_id="outbox-1").get()
    assert first == again == report.pk
    assert AlignmentReport.objects.filter(organization=org).count() == 1
    assert AlignmentReport.objects.get(pk=report.pk).is_ready


@pytest.mark.django_db(transaction=True)
def test_the_failure_path_uses_a_fresh_database_connection(org, people, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the dead-connection path is PostgreSQL's (SQLite has no server to lose)")

    def lose_the_server(*args, **kwargs):
        connection.connection.close()  # as when PostgreSQL restarts under the worker
        AlignmentReport.objects.count()

    monkeypatch.setattr(services, "build_snapshot", lose_the_server)
    report = services.report_request(actor=people["cio"], organization=org, enqueue=False)
    from celery.exceptions import Retry

    with pytest.raises(Retry):
        build_alignment_report.apply(kwargs={"report_id": report.pk}, throw=True)
    report.refresh_from_db()
    assert report.build_status == BuildStatus.QUEUED and "InterfaceError" in report.failure_reason


@pytest.mark.django_db(transaction=True)
def test_concurrent_schedulers_request_each_period_once(org, people, other_org):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections and row locks (PostgreSQL)")
    _monthly(org)
    make_report(org, label="Jul 2026", start=date(2026, 7, 1), end=date(2026, 7, 31))
    batches, errors = run_together(lambda: services.scheduled_reports_due(today=date(2026, 11, 5)))
    made = [report.pk for batch in batches for report in batch]
    assert errors == []
    labels = sorted(AlignmentReport.objects.filter(organization=org).values_list("period_label", flat=True))
    assert labels == ["Aug 2026", "Jul 2026", "Oct 2026", "Sep 2026"]
    assert len(made) == len(set(made)) == 4  # three for acme, one for globex: each requested by one scheduler
    builds = OutboxJob.objects.filter(task="governance.build_alignment_report")
    assert builds.count() == 4
    assert all(r.is_ready for r in AlignmentReport.objects.filter(scheduled=True))
    assert AlignmentReport.objects.filter(status=ReportStatus.PUBLISHED).count() == 1
