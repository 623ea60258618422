"""Alignment reports: request (idempotent per organization and period), build
(the frozen snapshot), publish (immutable from then on), and the schedule.

A published report is never rebuilt, edited or deleted: every service here
refuses, and pages and PDF render the stored snapshot only.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import outbox
from core.errors import DomainError, NotAllowed
from core.models import Organization, OrgScopedModel, User
from core.permissions import has_perm, signing_role
from core.roles import Perm, Role
from core.selectors import is_jointly_approved
from core.services import record_change, record_creation, record_deletion, signoff_sign, signoff_withdraw
from core.validation import text_problem
from governance import notification_events
from governance.alignment.selectors.dashboard import shared_picture
from governance.alignment.selectors.reports import asks_not_confirmed
from governance.models import ASK_PURPOSE, AlignmentReport, AskKind, BoardAsk, BuildStatus, ReportStatus
from kpis import status as periods
from kpis.services import computed_kpis_refresh
from risks.selectors import above_appetite_q, risk_scope

logger = logging.getLogger(__name__)

SNAPSHOT_SCHEMA = 2  # 2: with the board pack (governance.alignment.selectors.board_pack)
MAX_BUILD_ATTEMPTS = 6  # starts of one build (redeliveries and stall retries included) before giving up
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
def report_request(
    *,
    actor: User | None,
    organization: Organization,
    period_start: date | None = None,
    period_end: date | None = None,
    period_label: str = "",
    scheduled: bool = False,
    enqueue: bool = True,
) -> AlignmentReport:
    """Ask for the report of one period (the current one by default) and queue its build.

    Idempotent: a draft of the same period is reset and rebuilt (its snapshot
    replaced), never duplicated; a published report of that period is refused.
    ``actor`` is None only for the schedule.
    """
    if actor is not None:
        _require(actor, organization, Perm.REPORT_MANAGE, "Only the CIO or the CISO can generate reports.")
    if period_start is None or period_end is None:
        period_start, period_end, period_label = current_period(
            organization.report_schedule, timezone.localdate()
        )
    if period_start > period_end:
        raise DomainError("The period must start before it ends.", field="period_start")
    if (period_end - period_start).days > 366:
        raise DomainError("A report covers at most one year. Choose a shorter period.", field="period_end")
    if period_start > timezone.localdate():
        raise DomainError(
            "The period must have started: a report shows data up to today.", field="period_start"
        )
    label = (period_label or f"{period_start:%-d %b %Y} – {period_end:%-d %b %Y}")[:60]
    report = _locked_report(organization, period_start, period_end)
    if report is not None and report.is_published:
        raise DomainError(
            f"The report for {report.period_label} is already published and cannot be rebuilt.",
            field="period_start",
            code="published",
        )
    if report is not None and report.build_status == BuildStatus.RUNNING and not report.is_stalled:
        raise DomainError(
            f"The report for {report.period_label} is being built right now. Wait for it to finish.",
            code="building",
        )
    fields = {
        "period_label": label,
        "build_status": BuildStatus.QUEUED,
        "build_progress": 0,
        "build_step": "Waiting for a worker",
        "failure_reason": "",
        "build_attempts": 0,
        "generated_by": actor,
        "scheduled": scheduled,
    }
    created = None
    if report is None:
        created = _create_report(
            organization=organization,
            period_start=period_start,
            period_end=period_end,
            actor=actor,
            fields=fields,
        )
        report = created or _locked_report(organization, period_start, period_end)
    if created is None:  # it existed, or a concurrent request created it first: reset it
        for name, value in fields.items():
            setattr(report, name, value)
        record_change(
            report, actor=actor, reason="Rebuilt on request" if actor else "Rebuilt by the schedule"
        )
    if enqueue:
        enqueue_build(report)
    return report


def _locked_report(
    organization: Organization, period_start: date, period_end: date
) -> AlignmentReport | None:
    return (
        AlignmentReport.objects.select_for_update()
        .filter(organization=organization, period_start=period_start, period_end=period_end)
        .first()
    )


def _create_report(
    *, organization: Organization, period_start: date, period_end: date, actor: User | None, fields: dict
) -> AlignmentReport | None:
    """Create the period's report, or None when someone else created it first
    (the unique constraint decides; losing that race is not an error)."""
    report = AlignmentReport(
        organization=organization, period_start=period_start, period_end=period_end, **fields
    )
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives a lost race
            record_creation(report, actor=actor)
    except IntegrityError:
        if not AlignmentReport.objects.filter(
            organization=organization, period_start=period_start, period_end=period_end
        ).exists():
            raise
        return None
    return report


def enqueue_build(report: AlignmentReport) -> None:
    """Queue the report's build with the change (core.outbox): it survives a broker
    outage and is handed to a worker after commit. One waiting build per report."""
    outbox.enqueue(
        "governance.build_alignment_report",
        key=f"report-build:{report.pk}",
        organization=report.organization,
        report_id=report.pk,
    )


# ---------------------------------------------------------------- build ----


def _set_progress(report_id: int, percent: int, step: str) -> None:
    # A plain UPDATE outside the snapshot write: in a worker it is committed at
    # once, so the page polling the report sees it move (updated_at tells a
    # live build from a stalled one).
    AlignmentReport.objects.filter(pk=report_id).update(
        build_progress=min(max(percent, 0), 100), build_step=step[:120], updated_at=timezone.now()
    )


def _trend(report: AlignmentReport, score: int | None) -> list[dict]:
    earlier = list(
        AlignmentReport.objects.published()
        .filter(organization=report.organization, period_end__lt=report.period_end)
        .order_by("-period_end")
        .values("period_label", "period_end", "score")[:TREND_LENGTH]
    )
    points = [
        {"label": r["period_label"], "period_end": r["period_end"].isoformat(), "score": r["score"]}
        for r in reversed(earlier)
    ]
    points.append(
        {
            "label": report.period_label,
            "period_end": report.period_end.isoformat(),
            "score": score,
            "current": True,
        }
    )
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
        organization={
            "name": organization.name,
            "slug": organization.slug,
            "currency": organization.currency,
            "risk_appetite": organization.risk_appetite,
            "thresholds": list(organization.level_thresholds),
        },
        period={
            "start": report.period_start.isoformat(),
            "end": report.period_end.isoformat(),
            "label": report.period_label,
        },
        trend=trend,
    )
    from governance.alignment.selectors.board_pack import board_pack
    from governance.alignment.selectors.reports import plain_summary
    from risks.profile.selectors import profile_summary

    # The CSF profile's progress against target, frozen with the rest (docs/DEFINITIONS.md).
    picture["profile"] = profile_summary(organization)

    picture["summary"] = plain_summary(picture)
    if progress:
        progress(90, "Putting the board pack together")
    picture["pack"] = board_pack(report, picture, user=_reader_for(report))
    return picture


def report_build(*, report_id: int) -> AlignmentReport:
    """Build (or rebuild) a draft's snapshot. Called by the Celery task."""
    report = (
        AlignmentReport.objects.select_related("organization", "generated_by").filter(pk=report_id).first()
    )
    if report is None:
        raise ReportNotFound(report_id)
    if report.is_published:
        return report  # a published snapshot is never recomputed
    if report.build_attempts >= MAX_BUILD_ATTEMPTS:
        report_build_failed(
            report_id=report_id,
            final=True,
            reason=f"it was started {report.build_attempts} times without finishing",
        )
        return report
    AlignmentReport.objects.filter(pk=report_id).update(
        build_status=BuildStatus.RUNNING, build_attempts=report.build_attempts + 1, failure_reason=""
    )
    _set_progress(report_id, 5, "Bringing the KPIs Concord computes up to date")
    # The snapshot freezes today's figures, those Concord computes included
    # (the worker refreshes them on a schedule, which may not have run yet).
    try:
        computed_kpis_refresh(organization=report.organization)
    except DomainError:  # their last values stand; the report still builds
        logger.exception("Computed KPIs of %s could not be refreshed", report.organization.slug)
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
        # A finished build ends the count: the guard is against one build that
        # keeps crashing, not against the many rebuilds a draft gets (each
        # confirmed or withdrawn ask queues one).
        report.build_attempts = 0
        record_change(report, actor=report.generated_by, reason="Snapshot built")
        notification_events.report_ready(report)
    return report


def report_build_failed(*, report_id: int, reason: str, final: bool) -> None:
    """Record why a build failed; ``final`` once the retries are used up."""
    if final:
        AlignmentReport.objects.filter(pk=report_id, status=ReportStatus.DRAFT).update(
            build_status=BuildStatus.FAILED,
            build_step="Failed",
            failure_reason=f"The report could not be built: {reason}"[:2000],
        )
    else:
        AlignmentReport.objects.filter(pk=report_id, status=ReportStatus.DRAFT).update(
            build_status=BuildStatus.QUEUED,
            build_step="Retrying after an error",
            failure_reason=f"Last attempt failed: {reason}"[:2000],
        )


# -------------------------------------------------------------- publish ----


def _board_members(organization: Organization):
    return User.objects.filter(
        memberships__organization=organization, memberships__role=Role.BOARD, is_active=True
    ).order_by("email")


def report_notify_board(*, report_id: int) -> int:
    """Tell the board and the executives that a report was published, through
    the notification catalogue (``report.published``: their preferences, the
    inbox, a link, never the content). Publishing does this itself; this
    remains for jobs queued before it did, and adds nothing for people already
    told (one notification per person and event). Returns how many were told."""
    report = AlignmentReport.objects.select_related("organization").get(
        pk=report_id, status=ReportStatus.PUBLISHED
    )
    with transaction.atomic():
        return len(notification_events.report_published(report))


@transaction.atomic
def report_publish(*, actor: User, report: AlignmentReport) -> AlignmentReport:
    """Publish a ready draft: from now on it is immutable and visible to the board."""
    _require(actor, report.organization, Perm.REPORT_MANAGE, "Only the CIO or the CISO can publish reports.")
    report = AlignmentReport.objects.select_for_update().get(pk=report.pk)
    if report.is_published:
        raise DomainError("This report is already published.", code="published")
    if not report.is_ready:
        raise DomainError(
            "The report is not ready yet. Wait for it to finish building, then publish.", code="not_ready"
        )
    left_out = asks_not_confirmed(report)
    for ask in left_out:  # a half-signed ask would otherwise be stuck on a report nobody can change
        notification_events.board_ask_left_out(ask, report=report)
        ask._change_reason = "Left out when the report was published: not confirmed by both"
        record_deletion(ask, actor=actor)
    report.status = ReportStatus.PUBLISHED
    report.published_by = actor
    report.published_at = timezone.now()
    reason = "Published"
    if left_out:
        n = len(left_out)
        reason += f"; {n} decision{'s' if n != 1 else ''} not confirmed by both left out"
    record_change(report, actor=actor, reason=reason)
    # The board and the executives are told through the notification catalogue
    # (their preferences, the inbox); the e-mails are sent by the worker after
    # commit (core.outbox): an outage is retried there and never undoes or fails it.
    notification_events.report_published(report)
    return report


@transaction.atomic
def report_delete(*, actor: User, report: AlignmentReport) -> None:
    """Delete a draft. Published reports are kept for ever."""
    _require(actor, report.organization, Perm.REPORT_MANAGE, "Only the CIO or the CISO can delete reports.")
    report = AlignmentReport.objects.select_for_update().get(pk=report.pk)
    if report.is_published:
        raise DomainError(
            "A published report cannot be deleted: the board relies on it as it was published.",
            code="published",
        )
    if report.build_status == BuildStatus.RUNNING and not report.is_stalled:
        raise DomainError("The report is being built right now. Delete it once the build has finished.")
    record_deletion(report, actor=actor)


def report_refuse_change(*, report: AlignmentReport) -> None:
    """Published reports are immutable: any attempt to change one ends here."""
    if report.is_published:
        raise DomainError("A published report cannot be changed.", code="published")


# ------------------------------------------------------------- schedule ----


def _periods_due(organization: Organization, today: date) -> list[tuple[date, date, str]]:
    """The closed periods the schedule owes a report, oldest first: every one
    after the latest report (of any kind) up to the last closed period, at most
    ``REPORT_CATCH_UP_PERIODS``; only the last closed one when there is no report yet."""
    schedule = organization.report_schedule
    last_start, last_end, _ = last_closed_period(schedule, today)
    latest_end = (
        AlignmentReport.objects.filter(organization=organization, period_end__lte=last_end)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    earliest = periods.shift_period(last_start, schedule, 1 - max(settings.REPORT_CATCH_UP_PERIODS, 1))
    start = (
        last_start
        if latest_end is None
        else min(max(periods.align_period(latest_end + timedelta(days=1), schedule), earliest), last_start)
    )
    due = []
    while start <= last_start:
        due.append((start, periods.period_end(start, schedule), periods.period_label(start, schedule)))
        start = periods.shift_period(start, schedule, 1)
    return due


def _schedule_period(
    organization: Organization, start: date, end: date, label: str
) -> AlignmentReport | None:
    """Request one closed period's report unless it exists (a failed build is
    tried again). Safe against other schedulers running at the same moment."""
    with transaction.atomic():
        existing = _locked_report(organization, start, end)
        if existing is None:
            fields = {
                "period_label": label,
                "build_status": BuildStatus.QUEUED,
                "build_step": "Waiting for a worker",
                "scheduled": True,
            }
            report = _create_report(
                organization=organization, period_start=start, period_end=end, actor=None, fields=fields
            )
            if report is not None:
                enqueue_build(report)
            return report
        if existing.is_published or existing.build_status != BuildStatus.FAILED:
            return None  # done or under way (a stalled build is retried by reports_retry_stalled)
        return report_request(
            actor=None,
            organization=organization,
            period_start=start,
            period_end=end,
            period_label=label,
            scheduled=True,
        )


def scheduled_reports_due(*, today: date | None = None) -> list[AlignmentReport]:
    """Request every closed period's report that is missing, oldest first (so
    a scheduler that was down catches up). Run periodically (hourly); safe to
    run as often as you like, in several processes at once."""
    today = today or timezone.localdate()
    requested = []
    for organization in Organization.objects.filter(memberships__role__in=[Role.CIO, Role.CISO]).distinct():
        for start, end, label in _periods_due(organization, today):
            report = _schedule_period(organization, start, end, label)
            if report is not None:
                requested.append(report)
    return requested


def reports_retry_stalled(*, now=None) -> list[int]:
    """Queue again every draft build without progress for ``REPORT_STALL_MINUTES``
    (its worker died or the message was lost), with the reason on the report.
    Run periodically; rows another process is handling are skipped."""
    now = now or timezone.now()
    minutes = settings.REPORT_STALL_MINUTES
    stalled = dict(
        status=ReportStatus.DRAFT,
        build_status__in=[BuildStatus.QUEUED, BuildStatus.RUNNING],
        updated_at__lt=now - timedelta(minutes=minutes),
    )
    retried = []
    for report_id in AlignmentReport.objects.filter(**stalled).values_list("pk", flat=True):
        with transaction.atomic():
            report = (
                AlignmentReport.objects.select_for_update(skip_locked=True)
                .filter(pk=report_id, **stalled)
                .select_related("organization")
                .defer("snapshot")
                .first()
            )
            if report is None:
                continue
            AlignmentReport.objects.filter(pk=report_id).update(
                build_status=BuildStatus.QUEUED,
                build_step="Retrying: no progress",
                updated_at=now,
                failure_reason=f"No progress for {minutes} minutes (the worker building it may have stopped): "
                f"retried automatically at {timezone.localtime(now):%H:%M}.",
            )
            enqueue_build(report)
            retried.append(report_id)
    return retried


# ---------------------------------------------------------------- board asks ---
# What a report asks of the board: proposed by the CIO or the CISO on a draft,
# confirmed by the other (core sign-off purpose ``board_ask``). A confirmed ask
# queues the draft's rebuild so that its snapshot carries it.


def _editable(report: AlignmentReport) -> None:
    if report.is_published:
        raise DomainError(
            "The report is published: what it asks of the board can no longer change.", code="published"
        )


MAX_RECOMMENDATION = 2000  # characters (the form says so)
MAX_DEADLINE_YEARS = 2


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def tolerable_risks(organization: Organization):
    """The risks the board may be asked to tolerate: open (not accepted, not
    closed) and above the organization's appetite, by number."""
    return risk_scope(organization, None).filter(above_appetite_q(organization)).order_by("number")


def _full_clean(instance) -> None:
    """The model's own checks, refused as a DomainError naming the first field at
    fault (a form message on the page, a 400 in the API), never a 500."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        errors = getattr(exc, "message_dict", None) or {"non_field_errors": exc.messages}
        field, messages = next(iter(errors.items()))
        label = field.replace("_", " ")
        raise DomainError(
            f"{label.capitalize()}: {' '.join(messages)}" if field != "__all__" else " ".join(messages),
            field=None if field in ("__all__", "non_field_errors") else field,
        ) from exc


@transaction.atomic
def board_ask_propose(
    *,
    actor: User,
    report: AlignmentReport,
    kind: str,
    title: str,
    recommendation: str,
    deadline: date,
    amount: Decimal | None = None,
    risk: OrgScopedModel | None = None,  # a risk of the organization
) -> BoardAsk:
    """Add an ask to a draft: the proposer's part of the joint decision is given
    with it; the other executive confirms (``board_ask_sign``)."""
    organization = report.organization
    if signing_role(actor, organization) is None or not has_perm(actor, organization, Perm.REPORT_MANAGE):
        raise NotAllowed("Only the CIO or the CISO can put a decision to the board.")
    report = AlignmentReport.objects.select_for_update().get(pk=report.pk)
    _editable(report)
    if kind not in AskKind.values:
        raise DomainError("Choose what kind of decision the board is asked for.", field="kind")
    for name, value, one_line in (("title", title, True), ("recommendation", recommendation, False)):
        problem = text_problem(value or "", one_line=one_line)
        if problem:
            raise DomainError(f"This field {problem}", field=name)
    title, recommendation = (title or "").strip(), (recommendation or "").strip()
    if not title:
        raise DomainError("Say what the board is asked to decide.", field="title")
    if not recommendation:
        raise DomainError(
            "Give your recommendation, so the board knows what you advise.", field="recommendation"
        )
    if len(recommendation) > MAX_RECOMMENDATION:
        raise DomainError(
            f"Keep the recommendation to {MAX_RECOMMENDATION:,} characters at most "
            f"(it has {len(recommendation):,}).",
            field="recommendation",
        )
    if deadline is None:
        raise DomainError("Give the date by which the board must decide.", field="deadline")
    today = timezone.localdate()
    if deadline < today:
        raise DomainError("The deadline has passed. Give a date from today on.", field="deadline")
    if deadline > _years_after(today, MAX_DEADLINE_YEARS):
        raise DomainError(
            f"The deadline is more than {MAX_DEADLINE_YEARS} years away. Give a date the board can plan for.",
            field="deadline",
        )
    if kind == AskKind.BUDGET and amount is None:
        raise DomainError("Give the amount the board is asked to approve.", field="amount")
    if amount is not None and amount < 0:
        raise DomainError("The amount cannot be negative.", field="amount")
    if amount is not None and (not amount.is_finite() or amount.as_tuple().exponent < -2):
        raise DomainError("Give the amount with at most 2 decimal places (cents).", field="amount")
    if risk is not None and risk.organization_id != organization.pk:
        raise DomainError("Choose a risk of this organization.", field="risk")
    if kind == AskKind.TOLERANCE:
        if risk is None:
            raise DomainError("Choose the risk the board is asked to tolerate.", field="risk")
        if not tolerable_risks(organization).filter(pk=risk.pk).exists():
            raise DomainError(
                "The board can only be asked to tolerate an open risk that is above appetite "
                "(not one already accepted or closed, nor one within appetite).",
                field="risk",
            )
    ask = BoardAsk(
        organization=organization,
        report=report,
        kind=kind,
        title=title[:200],
        recommendation=recommendation,
        amount=amount,
        deadline=deadline,
        risk=risk,
        proposed_by=actor,
    )
    _full_clean(ask)
    record_creation(ask, actor=actor)
    signoff_sign(actor=actor, subject=ask, purpose=ASK_PURPOSE, comment="Proposed.")
    return ask


@transaction.atomic
def board_ask_sign(*, actor: User, ask: BoardAsk, decision: str = "approve", comment: str = ""):
    """Give one's part of the ask (confirm it, or reject it with a reason). Once
    both have approved, the draft is rebuilt so that the report carries it."""
    _editable(AlignmentReport.objects.get(pk=ask.report_id))
    signoff = signoff_sign(actor=actor, subject=ask, purpose=ASK_PURPOSE, decision=decision, comment=comment)
    ask.refresh_from_db()
    if is_jointly_approved(ask, ASK_PURPOSE):
        enqueue_build(ask.report)
    return signoff


@transaction.atomic
def board_ask_remove(*, actor: User, ask: BoardAsk) -> None:
    """Take an ask off a draft (either executive)."""
    if signing_role(actor, ask.organization) is None:
        raise NotAllowed("Only the CIO or the CISO can take a decision off the report.")
    _editable(AlignmentReport.objects.get(pk=ask.report_id))
    confirmed = is_jointly_approved(ask, ASK_PURPOSE)
    report = ask.report
    record_deletion(ask, actor=actor)
    if confirmed:
        enqueue_build(report)


@transaction.atomic
def board_ask_withdraw_signoff(*, actor: User, ask: BoardAsk) -> None:
    """Take back one's own part of an ask: it stays on the draft, waiting for both again."""
    _editable(AlignmentReport.objects.get(pk=ask.report_id))
    confirmed = is_jointly_approved(ask, ASK_PURPOSE)
    signoff_withdraw(actor=actor, subject=ask, purpose=ASK_PURPOSE)
    if confirmed:
        enqueue_build(ask.report)
