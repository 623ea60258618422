"""Project intake: requests with a security-by-design triage, reviewers' options
and conditions, the comment thread, clock pauses and the organization's SLAs."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from core.models import OrgScopedModel, OrgScopedQuerySet
from core.permissions import has_perm
from core.roles import Perm, roles_with

__all__ = [
    "BusinessCriticality",
    "CommentKind",
    "DataClassification",
    "IntakeComment",
    "IntakeCondition",
    "IntakeDecision",
    "IntakeOption",
    "IntakePause",
    "IntakeRequest",
    "IntakeRiskLink",
    "IntakeSettings",
    "IntakeStatus",
    "PersonalData",
    "Tier",
]


class Tier(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class DataClassification(models.TextChoices):
    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal"
    CONFIDENTIAL = "confidential", "Confidential"
    RESTRICTED = "restricted", "Restricted"


class PersonalData(models.TextChoices):
    NONE = "none", "No personal data"
    BASIC = "basic", "Basic personal data (names, contact details)"
    SENSITIVE = "sensitive", "Sensitive personal data (health, financial, government ID)"


class BusinessCriticality(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class IntakeStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    NEEDS_INFO = "needs_info", "Needs information"
    APPROVED = "approved", "Approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
    REJECTED = "rejected", "Rejected"


class IntakeDecision(models.TextChoices):
    APPROVED = "approved", "Approve"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approve with conditions"
    REJECTED = "rejected", "Reject"


OPEN_STATUSES = (IntakeStatus.SUBMITTED, IntakeStatus.IN_REVIEW, IntakeStatus.NEEDS_INFO)
DECIDED_STATUSES = (IntakeStatus.APPROVED, IntakeStatus.APPROVED_WITH_CONDITIONS, IntakeStatus.REJECTED)


class IntakeSettings(OrgScopedModel):
    """Decision SLAs per tier, in business days. One row per organization."""

    sla_low_days = models.PositiveSmallIntegerField(
        "SLA for low tier (business days)",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    sla_medium_days = models.PositiveSmallIntegerField(
        "SLA for medium tier (business days)",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    sla_high_days = models.PositiveSmallIntegerField(
        "SLA for high tier (business days)",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    at_risk_percent = models.PositiveSmallIntegerField(
        "At risk from (% of SLA used)",
        default=75,
        validators=[MinValueValidator(10), MaxValueValidator(99)],
        help_text="A request is shown at risk once this share of its SLA has been used.",
    )

    history = HistoricalRecords()
    view_permission = Perm.INTAKE_REVIEW

    class Meta:
        verbose_name_plural = "intake settings"
        constraints = [models.UniqueConstraint(fields=["organization"], name="intake_settings_one_per_org")]

    def __str__(self) -> str:
        return f"Intake SLAs {self.sla_low_days}/{self.sla_medium_days}/{self.sla_high_days}"

    def sla_for(self, tier: str) -> int:
        return {Tier.LOW: self.sla_low_days, Tier.MEDIUM: self.sla_medium_days}.get(tier, self.sla_high_days)


class IntakeRequestQuerySet(OrgScopedQuerySet):
    def visible_to(self, user, perm: Perm | None = None):
        """Reviewers see every request of their organizations; people who may
        only file see their own."""
        if perm is not None:
            return super().visible_to(user, perm)
        from core.models import Membership

        base = super().visible_to(user, Perm.INTAKE_FILE)
        if not user or not user.is_authenticated:
            return base
        review_orgs = Membership.objects.filter(user=user, role__in=roles_with(Perm.INTAKE_REVIEW)).values(
            "organization_id"
        )
        return base.filter(models.Q(organization_id__in=review_orgs) | models.Q(requester=user))

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def decided(self):
        return self.filter(status__in=DECIDED_STATUSES)


class IntakeRequest(OrgScopedModel):
    reference = models.CharField(max_length=12)
    title = models.CharField(max_length=160)
    description = models.TextField("What is the project?")
    business_value = models.TextField("Why does the business need it?")
    sponsor = models.CharField(max_length=120, help_text="The executive who backs the project.")
    target_date = models.DateField(null=True, blank=True)
    estimated_cost = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="intake_requests"
    )
    # Triage questionnaire
    data_classification = models.CharField(
        max_length=20, choices=DataClassification.choices, default=DataClassification.INTERNAL
    )
    personal_data = models.CharField(max_length=20, choices=PersonalData.choices, default=PersonalData.NONE)
    internet_facing = models.BooleanField(default=False)
    third_party = models.BooleanField(default=False)
    changes_authentication = models.BooleanField(default=False)
    business_criticality = models.CharField(
        max_length=20, choices=BusinessCriticality.choices, default=BusinessCriticality.MEDIUM
    )
    # Outcome of triage and flow
    tier = models.CharField(max_length=10, choices=Tier.choices, default=Tier.LOW)
    sla_days = models.PositiveSmallIntegerField(default=2)
    status = models.CharField(max_length=30, choices=IntakeStatus.choices, default=IntakeStatus.SUBMITTED)
    proposed_decision = models.CharField(max_length=30, choices=IntakeDecision.choices, blank=True)
    decision_rationale = models.TextField(blank=True)
    submitted_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    breach_notified_at = models.DateTimeField(null=True, blank=True)
    # The SLA clock as lists need it, so that they filter, count and sort by SLA
    # state in the database (intake_rules.sla_moments). Derived from the fields
    # above and the pauses; the intake services keep them current on every change.
    sla_due_at = models.DateTimeField(
        "SLA breached after",
        null=True,
        blank=True,
        editable=False,
        help_text="While the clock runs: the SLA is breached once this moment is past.",
    )
    sla_at_risk_at = models.DateTimeField(
        "SLA at risk from",
        null=True,
        blank=True,
        editable=False,
        help_text="While the clock runs: the request is at risk from this moment.",
    )
    sla_elapsed_days = models.FloatField(
        "Business days counted",
        null=True,
        blank=True,
        editable=False,
        help_text="While the clock stands still (waiting for the requester, or decided): the business days it "
        "counted. Once decided, the time to decision.",
    )

    objects = IntakeRequestQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["sla_due_at", "sla_at_risk_at", "sla_elapsed_days"])
    view_permission = Perm.INTAKE_FILE

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reference"], name="intake_request_unique_reference"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"], name="intake_org_status"),
            models.Index(fields=["organization", "requester"], name="intake_org_requester"),
            # The queue's default order (most urgent first) and the breach alert
            # read running clocks in this order; the newest-first lists, the
            # recent decisions and the decision figures of a period use the others.
            models.Index(fields=["organization", "sla_due_at"], name="intake_org_sla_due"),
            models.Index(fields=["organization", "-submitted_at"], name="intake_org_submitted"),
            models.Index(fields=["organization", "decided_at"], name="intake_org_decided"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED_STATUSES

    def can_review(self, user) -> bool:
        return has_perm(user, self.organization, Perm.INTAKE_REVIEW)


class IntakeOption(OrgScopedModel):
    request = models.ForeignKey(IntakeRequest, on_delete=models.CASCADE, related_name="options")
    title = models.CharField(max_length=120)
    cost = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    timeline = models.CharField(max_length=80, blank=True, help_text="e.g. '6 weeks' or 'Q3'.")
    security_score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="1 = weak, 5 = strong."
    )
    pros = models.TextField(blank=True)
    cons = models.TextField(blank=True)
    recommended = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()
    view_permission = Perm.INTAKE_FILE

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.title


class IntakeCondition(OrgScopedModel):
    request = models.ForeignKey(IntakeRequest, on_delete=models.CASCADE, related_name="conditions")
    text = models.CharField(max_length=300)
    due_date = models.DateField(null=True, blank=True)
    met = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()
    view_permission = Perm.INTAKE_FILE

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text


class CommentKind(models.TextChoices):
    COMMENT = "comment", "Comment"
    INFO_REQUEST = "info_request", "Information request"
    ANSWER = "answer", "Answer"
    STATUS = "status", "Status change"


class IntakeComment(OrgScopedModel):
    request = models.ForeignKey(IntakeRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=CommentKind.choices, default=CommentKind.COMMENT)
    body = models.TextField()

    view_permission = Perm.INTAKE_FILE

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.author}"


class IntakePause(OrgScopedModel):
    """A stretch of time the clock stood still: waiting for the requester."""

    request = models.ForeignKey(IntakeRequest, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    view_permission = Perm.INTAKE_REVIEW

    class Meta:
        ordering = ["started_at"]
        constraints = [
            models.CheckConstraint(
                name="intake_pause_ends_after_start",
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"Paused {self.started_at:%Y-%m-%d}"


class IntakeRiskLink(OrgScopedModel):
    """A risk raised in the register from a decided request. The risk is kept by
    its id and a snapshot of its reference and title, so the intake record
    stays readable whatever happens to the register."""

    request = models.ForeignKey(IntakeRequest, on_delete=models.CASCADE, related_name="risk_links")
    risk_id = models.PositiveBigIntegerField()
    risk_reference = models.CharField(max_length=20, blank=True)
    risk_title = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    # Register content: a requester who may not read the register never sees it.
    view_permission = Perm.RISK_VIEW

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.risk_reference} {self.risk_title}".strip()
