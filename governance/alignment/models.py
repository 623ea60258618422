"""Alignment reports: a frozen, periodic picture of IT–security alignment for the board.

A report belongs to one organization and one period. While it is a draft it
can be rebuilt (the snapshot is replaced); once published it is immutable —
the services refuse every edit and deletion, and the page and PDF are always
rendered from the stored snapshot, never recomputed.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from core.models import OrgScopedModel, OrgScopedQuerySet
from core.roles import Perm

__all__ = ["ASK_PURPOSE", "AlignmentReport", "AskKind", "BoardAsk", "BuildStatus", "ReportStatus"]

STALLED_AFTER = timedelta(minutes=15)  # the default of settings.REPORT_STALL_MINUTES


def stalled_after() -> timedelta:
    """How long a build may show no progress before it counts as stalled (and is retried)."""
    return timedelta(minutes=getattr(settings, "REPORT_STALL_MINUTES", 15))


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class BuildStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Building"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class AlignmentReportQuerySet(OrgScopedQuerySet):
    def visible_to(self, user, perm: Perm | None = None):
        """Published reports to whoever may read them (the board); drafts only
        to roles that may see drafts (CIO and CISO)."""
        published = super().visible_to(user, Perm.REPORT_VIEW_PUBLISHED).filter(status=ReportStatus.PUBLISHED)
        drafts = super().visible_to(user, Perm.REPORT_VIEW_DRAFT)
        return published | drafts

    def published(self):
        return self.filter(status=ReportStatus.PUBLISHED)


class AlignmentReport(OrgScopedModel):
    period_start = models.DateField()
    period_end = models.DateField()
    period_label = models.CharField(max_length=60, help_text="How people name the period, e.g. 'Q3 2026'.")
    status = models.CharField(max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    snapshot = models.JSONField(default=dict, blank=True, help_text="Everything the report shows, frozen.")
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Alignment score 0–100, if measured."
    )
    scheduled = models.BooleanField(default=False, help_text="Built by the schedule rather than by a person.")

    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    generated_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    build_status = models.CharField(max_length=10, choices=BuildStatus.choices, default=BuildStatus.QUEUED)
    build_progress = models.PositiveSmallIntegerField(default=0, help_text="0–100 while the report is built.")
    build_step = models.CharField(max_length=120, blank=True)
    build_attempts = models.PositiveSmallIntegerField(default=0)
    failure_reason = models.TextField(blank=True)

    objects = AlignmentReportQuerySet.as_manager()
    # The snapshot and the build bookkeeping change often and are large: history
    # records the decisions (generate, publish), not every progress tick.
    history = HistoricalRecords(excluded_fields=["snapshot", "build_progress", "build_step"])
    view_permission = Perm.REPORT_VIEW_PUBLISHED

    class Meta:
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "period_start", "period_end"], name="report_one_per_org_period"
            ),
            models.CheckConstraint(
                name="report_period_ordered", condition=models.Q(period_start__lte=models.F("period_end"))
            ),
            models.CheckConstraint(name="report_progress_0_100", condition=models.Q(build_progress__lte=100)),
            models.CheckConstraint(
                name="report_published_is_ready",
                condition=~models.Q(status="published") | models.Q(build_status="ready"),
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "period_end"], name="report_org_status_end")
        ]

    def __str__(self) -> str:
        return f"Alignment report {self.period_label}"

    @property
    def is_published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED

    @property
    def is_ready(self) -> bool:
        return self.build_status == BuildStatus.READY

    @property
    def is_building(self) -> bool:
        return self.build_status in (BuildStatus.QUEUED, BuildStatus.RUNNING)

    @property
    def is_stalled(self) -> bool:
        """Building, but no progress for a long while (a worker died or none is running)."""
        from django.utils import timezone

        return (
            self.is_building
            and self.updated_at is not None
            and (timezone.now() - self.updated_at > stalled_after())
        )


# ---------------------------------------------------------------- board asks ---
# What a report asks of the board: a decision the CIO and the CISO put to the
# board together (approve a budget, tolerate a risk above appetite, grant an
# exception), with their recommendation, the amount at stake and a deadline.
#
# An ask belongs to a draft report. One executive proposes it (their proposal is
# their signature); it goes into the report once the other has confirmed it
# (core sign-off, purpose ``board_ask``, registered in governance.joint_decisions).
# The snapshot freezes the confirmed asks: a published report never changes.

ASK_PURPOSE = "board_ask"


class AskKind(models.TextChoices):
    BUDGET = "budget", "Approve a budget"
    TOLERANCE = "tolerance", "Tolerate a risk above appetite"
    EXCEPTION = "exception", "Grant an exception"
    OTHER = "other", "Other decision"


class BoardAsk(OrgScopedModel):
    report = models.ForeignKey("governance.AlignmentReport", on_delete=models.CASCADE, related_name="asks")
    kind = models.CharField(max_length=12, choices=AskKind.choices)
    title = models.CharField("what we ask", max_length=200)
    recommendation = models.TextField(
        help_text="What the CIO and the CISO recommend, and why, in plain words."
    )
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="Money at stake, if any."
    )
    deadline = models.DateField(help_text="When the board must decide.")
    risk = models.ForeignKey(
        "risks.Risk", null=True, blank=True, on_delete=models.SET_NULL, related_name="board_asks"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()
    view_permission = Perm.REPORT_VIEW_DRAFT

    class Meta:
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                name="board_ask_amount_not_negative",
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
            )
        ]

    def __str__(self) -> str:
        return self.title
