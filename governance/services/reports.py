"""Alignment reports: request (idempotent per organization and period), build
(the frozen snapshot), publish (immutable from then on), and the schedule.

A published report is never rebuilt, edited or deleted: every service here
refuses, and pages and PDF render the stored snapshot only.
"""
from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError, NotAllowed
from core.models import Organization, User
from core.permissions import has_perm
from core.roles import Perm, Role
from core.services import record_change, record_creation, record_deletion
from governance.models import AlignmentReport, BuildStatus, ReportStatus
from governance.selectors.dashboard import shared_picture
from kpis import status as periods

SNAPSHOT_SCHEMA = 1
TREND_LENGTH = 8  # earlier published reports shown in a report's trend


class ReportNotFound(Exception):
    """The report was deleted (a draft) while its build was queued."""


# -------------------------------------------------------------- periods ----

def current_period(schedule: str, today: date) -> tuple[date, date, str]:
    """The period (start, end, label) containing ``today`` for a schedule."""
    start = periods.align_period(today, schedule)
    return start, periods.period_end(start, schedule), periods.period_label(start, schedule)


def last_closed_period(schedule: str, today: date) -> tuple[date, date, str]:
    """The most recent period that has fully ended before ``today``."""
    start = periods.shift_period(periods.align_period(today, schedule), schedule, -1)
    return start, periods.period_end(start, schedule), periods.period_label(start, schedule)


# -------------------------------------------------------------- request ----

def _require(actor: User, organization: Organization, perm: Perm, message: str) -> None:
    if not has_perm(actor, organization, perm):
        raise NotAllowed(message)


@transaction.atomic
def report_request(*, actor: User | None, organization: Organization, period_start: date | None = None,
                   period_end: date | None = None, period_label: str = "", scheduled: bool = False,
                   enqueue: bool = True) -> AlignmentReport:
    """Ask for the report of one period (the current one by default) and queue its build.

    Idempotent: a draft of the same period is reset and rebuilt (its snapshot
    replaced), never duplicated; a published report of that period is refused.
    ``actor`` is None only for the schedule.
    """
    if actor is not None:
        _require(actor, organization, Perm.REPORT_MANAGE, "Only the CIO or the CISO can generate reports.")
    if period_start is None or period_end is None:
        period_start, period_end, period_label = current_period(organization.report_schedule, timezone.localdate())
    if period_start > period_end:
        raise DomainError("The period must start before it ends.", field="period_start")
    label = (period_label or f"{period_start:%-d %b %Y} – {period_end:%-d %b %Y}")[:60]
    report = (AlignmentReport.objects.select_for_update()
              .filter(organization=organization, period_start=period_start, period_end=period_end).first())
    if report is not None and report.is_published:
        raise DomainError(f"The report for {report.period_label} is already published and cannot be rebuilt.",
                          field="period_start", code="published")
    if report is not None and report.build_status == BuildStatus.RUNNING and not report.is_stalled:
        raise DomainError(f"The report for {report.period_label} is being built right now. Wait for it to finish.",
                          code="building")
    fields = {"period_label": label, "build_status": BuildStatus.QUEUED, "build_progress": 0,
              "build_step": "Waiting for a worker", "failure_reason": "", "build_attempts": 0,
              "generated_by": actor, "scheduled": scheduled}
    if report is None:
        report = AlignmentReport(organization=organization, period_start=period_start, period_end=period_end,
                                 **fields)
        record_creation(report, actor=actor)
    else:
        for name, value in fields.items():
            setattr(report, name, value)
        record_change(report, actor=actor, reason="Rebuilt on request" if actor else "Rebuilt by the schedule")
    if enqueue:
        from governance.tasks.reports import build_alignment_report

        transaction.on_commit(lambda: build_alignment_report.delay(report.pk))
    return report


# ---------------------------------------------------------------- build ----

def _set_progress(report_id: int, percent: int, step: str) -> None:
    # A plain UPDATE outside the snapshot write: in a worker it is committed at
    # once, so the page polling the report sees it move (updated_at tells a
    # live build from a stalled one).
    AlignmentReport.objects.filter(pk=report_id).update(build_progress=min(max(percent, 0), 100),
                                                        build_step=step[:120], updated_at=timezone.now())


def _trend(report: AlignmentReport, score: int | None) -> list[dict]:
    earlier = list(AlignmentReport.objects.published().filter(organization=report.organization,
                                                               period_end__lt=report.period_end)
                   .order_by("-period_end").values("period_label", "period_end", "score")[:TREND_LENGTH])
    points = [{"label": r["period_label"], "period_end": r["period_end"].isoformat(), "score": r["score"]}
              for r in reversed(earlier)]
    points.append({"label": report.period_label, "period_end": report.period_end.isoformat(), "score": score,
                   "current": True})
    return points


def _reader_for(report: AlignmentReport):
    """Whose eyes the snapshot is read with: the person who asked for it, or
    (scheduled builds) nobody in particular — the whole organization."""
    return report.generated_by


def build_snapshot(report: AlignmentReport, *, progress=None) -> dict:
    """Everything the report shows, as plain JSON-ready values."""
    organization = report.organization
    picture = shared_picture(organization=organization, user=_reader_for(report), progress=progress)
    score = picture["alignment"]["score"]
    trend = _trend(report, score)
    previous = next((p["score"] for p in reversed(trend[:-1]) if p["score"] is not None), None)
    picture["alignment"]["change"] = None if score is None or previous is None else score - previous
    picture.update(
        schema=SNAPSHOT_SCHEMA,
        built_at=timezone.now().isoformat(),
        organization={"name": organization.name, "slug": organization.slug, "currency": organization.currency,
                      "risk_appetite": organization.risk_appetite,
                      "thresholds": list(organization.level_thresholds)},
        period={"start": report.period_start.isoformat(), "end": report.period_end.isoformat(),
                "label": report.period_label},
        trend=trend,
    )
    from governance.selectors.reports import plain_summary

    picture["summary"] = plain_summary(picture)
    return picture


def report_build(*, report_id: int) -> AlignmentReport:
    """Build (or rebuild) a draft's snapshot. Called by the Celery task."""
    report = AlignmentReport.objects.select_related("organization", "generated_by").filter(pk=report_id).first()
    if report is None:
        raise ReportNotFound(report_id)
    if report.is_published:
        return report  # a published snapshot is never recomputed
    AlignmentReport.objects.filter(pk=report_id).update(
        build_status=BuildStatus.RUNNING, build_attempts=report.build_attempts + 1, failure_reason="")
    _set_progress(report_id, 5, "Starting")
    snapshot = build_snapshot(report, progress=lambda percent, step: _set_progress(report_id, percent, step))
    _set_progress(report_id, 95, "Saving the report")
    with transaction.atomic():
        report = AlignmentReport.objects.select_for_update().get(pk=report_id)
        if report.is_published:
            return report
        report.snapshot = snapshot
        report.score = snapshot["alignment"]["score"]
        report.generated_at = timezone.now()
        report.build_status = BuildStatus.READY
        report.build_progress = 100
        report.build_step = "Ready"
        report.failure_reason = ""
        record_change(report, actor=report.generated_by, reason="Snapshot built")
    return report


def report_build_failed(*, report_id: int, reason: str, final: bool) -> None:
    """Record why a build failed; ``final`` once the retries are used up."""
    if final:
        AlignmentReport.objects.filter(pk=report_id, status=ReportStatus.DRAFT).update(
            build_status=BuildStatus.FAILED, build_step="Failed",
            failure_reason=f"The report could not be built: {reason}"[:2000])
    else:
        AlignmentReport.objects.filter(pk=report_id, status=ReportStatus.DRAFT).update(
            build_status=BuildStatus.QUEUED, build_step="Retrying after an error",
            failure_reason=f"Last attempt failed: {reason}"[:2000])


# -------------------------------------------------------------- publish ----

def _board_members(organization: Organization):
    return User.objects.filter(memberships__organization=organization, memberships__role=Role.BOARD,
                               is_active=True).order_by("email")


def report_notify_board(*, report_id: int) -> int:
    """E-mail each board member a link to a published report (never its content).
    Called by a task after publishing; returns the number of e-mails sent."""
    report = AlignmentReport.objects.select_related("organization").get(pk=report_id, status=ReportStatus.PUBLISHED)
    link = settings.SITE_URL + reverse("governance:report_detail", args=[report.organization.slug, report.pk])
    messages = []
    for person in _board_members(report.organization):
        body = render_to_string("governance/reports/email_published.txt",
                                {"person": person, "report": report, "organization": report.organization,
                                 "link": link})
        messages.append((f"{report.organization.name}: alignment report {report.period_label} is ready",
                         body, None, [person.email]))
    return send_mass_mail(messages, fail_silently=False) if messages else 0


@transaction.atomic
def report_publish(*, actor: User, report: AlignmentReport) -> AlignmentReport:
    """Publish a ready draft: from now on it is immutable and visible to the board."""
    _require(actor, report.organization, Perm.REPORT_MANAGE, "Only the CIO or the CISO can publish reports.")
    report = AlignmentReport.objects.select_for_update().get(pk=report.pk)
    if report.is_published:
        raise DomainError("This report is already published.", code="published")
    if not report.is_ready:
        raise DomainError("The report is not ready yet. Wait for it to finish building, then publish.",
                          code="not_ready")
    report.status = ReportStatus.PUBLISHED
    report.published_by = actor
    report.published_at = timezone.now()
    record_change(report, actor=actor, reason="Published")
    from governance.tasks.reports import notify_board_of_report

    # After commit, through the worker: a mail server hiccup is retried there
    # and never undoes or fails the publication itself.
    transaction.on_commit(lambda: notify_board_of_report.delay(report.pk))
    return report


@transaction.atomic
def report_delete(*, actor: User, report: AlignmentReport) -> None:
    """Delete a draft. Published reports are kept for ever."""
    _require(actor, report.organization, Perm.REPORT_MANAGE, "Only the CIO or the CISO can delete reports.")
    report = AlignmentReport.objects.select_for_update().get(pk=report.pk)
    if report.is_published:
        raise DomainError("A published report cannot be deleted: the board relies on it as it was published.",
                          code="published")
    if report.build_status == BuildStatus.RUNNING and not report.is_stalled:
        raise DomainError("The report is being built right now. Delete it once the build has finished.")
    record_deletion(report, actor=actor)


def report_refuse_change(*, report: AlignmentReport) -> None:
    """Published reports are immutable: any attempt to change one ends here."""
    if report.is_published:
        raise DomainError("A published report cannot be changed.", code="published")


# ------------------------------------------------------------- schedule ----

def scheduled_reports_due(*, today: date | None = None) -> list[AlignmentReport]:
    """Request the report of each organization's last closed period if it has
    none yet. Run periodically (hourly); safe to run as often as you like."""
    today = today or timezone.localdate()
    requested = []
    for organization in Organization.objects.filter(memberships__role__in=[Role.CIO, Role.CISO]).distinct():
        start, end, label = last_closed_period(organization.report_schedule, today)
        existing = AlignmentReport.objects.filter(organization=organization, period_start=start,
                                                  period_end=end).defer("snapshot").first()
        # Done, or under way: nothing to do. A failed or stalled build is tried again.
        if existing is not None and (existing.is_published or existing.is_ready
                                     or (existing.is_building and not existing.is_stalled)):
            continue
        requested.append(report_request(actor=None, organization=organization, period_start=start, period_end=end,
                                        period_label=label, scheduled=True))
    return requested

