"""Governance notifications (see core.notifications.catalogue): intake requests
(new, status changes, awaiting the requester, answered, SLA at risk or
breached) and alignment reports (ready, published), plus the intake deadlines
and report dates of the personal calendar feed."""

from __future__ import annotations

from datetime import date

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.models import User
from core.notifications.catalogue import CalendarItem, register_calendar, register_event, register_sweep
from core.notifications.services import members_with, notify
from core.roles import Perm

from .alignment.models import AlignmentReport
from .intake.models import OPEN_STATUSES, IntakeRequest, IntakeStatus


def _day(value) -> str:
    """6 Dec 2026 (no leading zero)."""
    return f"{value.day} {value:%b %Y}"


register_event("intake.submitted", category="intake", label="A new intake request")
# Told to the requester alone ("We have received your request"): not for a shared chat channel.
register_event("intake.status_changed", category="intake", label="Your intake request moved on", chat=False)
register_event(
    "intake.awaiting_requester",
    category="intake",
    label="An intake request waits for your answer",
    chat=False,
)
register_event("intake.answered", category="intake", label="A requester answered")
register_event("intake.sla_at_risk", category="intake", label="An intake request's decision SLA is at risk")
register_event("intake.sla_breached", category="intake", label="Intake requests past the decision SLA")
register_event("report.ready", category="reports", label="An alignment report is ready to publish")
register_event("report.published", category="reports", label="An alignment report was published")
register_event(
    "report.ask_left_out",
    category="reports",
    label="A decision you put to the board was left out of a published report",
)

_INTAKE_EVENTS = {
    "new_request": "intake.submitted",
    "status_changed": "intake.status_changed",
    "answered": "intake.answered",
    "breached": "intake.sla_breached",
}


def _request_link(request: IntakeRequest) -> str:
    return reverse("governance:intake_detail", args=[request.organization.slug, request.pk])


def intake_notify(recipients: list[str], subject: str, template: str, context: dict) -> None:
    """The intake e-mails (templates under governance/intake/email/), told through the catalogue."""
    people = list(User.objects.filter(email__in=[r for r in recipients if r], is_active=True))
    if not people:
        return
    name = template.rsplit("/", 1)[-1].removesuffix(".txt")
    request = context.get("request")
    event = _INTAKE_EVENTS[name]
    if request is not None:
        organization, link = request.organization, _request_link(request)
        if name == "status_changed" and request.status == IntakeStatus.NEEDS_INFO:
            event = "intake.awaiting_requester"
        key = f"intake:{name}:{request.pk}:v{request.version}:{request.status}"
    else:  # the breach summary: several requests
        organization = context["organization"]
        link = reverse("governance:intake_list", args=[organization.slug])
        key = f"intake:{name}:" + ",".join(str(r.pk) for r in context["requests"])
    notify(
        event=event,
        organization=organization,
        recipients=people,
        subject=request,
        title=subject,
        body=render_to_string(template, context).strip(),
        link=link,
        key=key,
    )


@register_sweep
def intake_sla_sweep(*, today: date) -> None:
    now = timezone.now()
    at_risk = (
        IntakeRequest.objects.filter(status__in=OPEN_STATUSES, sla_at_risk_at__lte=now, sla_due_at__gt=now)
        .exclude(status=IntakeStatus.NEEDS_INFO)
        .select_related("organization")
    )
    for request in at_risk:
        notify(
            event="intake.sla_at_risk",
            organization=request.organization,
            recipients=members_with(request.organization, Perm.INTAKE_REVIEW),
            subject=request,
            title=f"[{request.reference}] {request.title}: decision due by {_day(timezone.localtime(request.sla_due_at))} {timezone.localtime(request.sla_due_at):%H:%M}",
            link=_request_link(request),
            key=f"intake-at-risk:{request.pk}:{request.sla_due_at:%Y%m%d%H%M}",
        )


def _report_link(report: AlignmentReport) -> str:
    return reverse("governance:report_detail", args=[report.organization.slug, report.pk])


def report_ready(report: AlignmentReport) -> None:
    """The CIO and the CISO are told once that a draft is ready to publish; the
    automatic rebuilds that follow (each confirmed or withdrawn ask) tell nobody again."""
    notify(
        event="report.ready",
        organization=report.organization,
        recipients=members_with(report.organization, Perm.REPORT_MANAGE),
        subject=report,
        title=f"Alignment report {report.period_label} is ready to publish",
        link=_report_link(report),
        key=f"report-ready:{report.pk}",  # once per report: rebuilds of a draft add nothing
    )


def report_published(report: AlignmentReport) -> list:
    """The board (who may read published reports) and the executives are told,
    each by their own preferences for "Reports"; the message links to the
    report and never carries its content."""
    organization = report.organization
    return notify(
        event="report.published",
        organization=organization,
        recipients=[
            *members_with(organization, Perm.REPORT_MANAGE),
            *members_with(organization, Perm.REPORT_VIEW_PUBLISHED),
        ],
        subject=report,
        title=f"Alignment report {report.period_label} was published",
        body=f"The alignment report for {report.period_label} is published for the board of {organization.name}.",
        link=_report_link(report),
        key=f"report-published:{report.pk}",
    )


def board_ask_left_out(ask, *, report: AlignmentReport) -> list:
    """The proposer of an ask not confirmed by both when the report was published:
    it was taken off the report."""
    return notify(
        event="report.ask_left_out",
        organization=report.organization,
        recipients=[ask.proposed_by],
        subject=report,
        title=f"“{ask.title[:80]}” was left out of alignment report {report.period_label}",
        body="The report was published before both the CIO and the CISO confirmed this decision, "
        "so it was taken off the report. Put it to the board again in the next report if it still stands.",
        link=_report_link(report),
        key=f"report-ask-left-out:{ask.pk}",
    )


@register_calendar
def governance_dates(*, user, organization):
    requests = IntakeRequest.objects.visible_to(user).filter(
        organization=organization, status__in=OPEN_STATUSES, sla_due_at__isnull=False
    )
    for request in requests.select_related("organization"):
        yield CalendarItem(
            f"intake-sla-{request.pk}",
            timezone.localtime(request.sla_due_at).date(),
            f"Decision due: [{request.reference}] {request.title}",
            _request_link(request),
        )
    for report in (
        AlignmentReport.objects.visible_to(user)
        .filter(organization=organization)
        .select_related("organization")
    ):
        day = timezone.localtime(report.published_at).date() if report.published_at else report.period_end
        what = "published" if report.published_at else "period ends"
        yield CalendarItem(
            f"report-{report.pk}", day, f"Alignment report {report.period_label} {what}", _report_link(report)
        )
