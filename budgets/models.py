"""The unified budget: one proposal per organization and fiscal year, its items
(IT, security or joint), the options compared for an item, and the risks each
item reduces with the expected annual loss before and after.

Derived figures (annual cost, loss avoided, ROSI, totals) are computed by the
pure functions in ``budgets.money``; nothing derived is stored here except the
item's amount, which services keep equal to the chosen option's cost.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from core.choices import Domain
from core.models import Membership, OrgScopedModel, OrgScopedQuerySet
from core.roles import Perm, roles_with

from . import money

NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    JOINT_REVIEW = "joint_review", "Joint review"
    SUBMITTED = "submitted", "Submitted to the board"
    APPROVED = "approved", "Approved by the board"
    RETURNED = "returned", "Returned by the board"


# Statuses the board can see: submitted to it, or decided by it after submission.
BOARD_VISIBLE_STATUSES = (ProposalStatus.SUBMITTED, ProposalStatus.APPROVED, ProposalStatus.RETURNED)
# Statuses in which the proposal and its items can be changed.
EDITABLE_STATUSES = (ProposalStatus.DRAFT, ProposalStatus.JOINT_REVIEW)
SIGNOFF_PURPOSE = "submission"


class Category(models.TextChoices):
    PEOPLE = "people", "People"
    SOFTWARE = "software", "Software"
    HARDWARE = "hardware", "Hardware"
    SERVICES = "services", "Services"
    CLOUD = "cloud", "Cloud"
    TRAINING = "training", "Training"
    OTHER = "other", "Other"


class Kind(models.TextChoices):
    CAPEX = money.CAPEX, "CapEx"
    OPEX = money.OPEX, "OpEx"


class Priority(models.TextChoices):
    MUST = "must", "Must have"
    SHOULD = "should", "Should have"
    COULD = "could", "Could have"


PRIORITY_RANK = {Priority.MUST: 1, Priority.SHOULD: 2, Priority.COULD: 3}


class ProposalQuerySet(OrgScopedQuerySet):
    def visible_to(self, user, perm: Perm | None = None):
        """CIO and CISO (budget.view) see every proposal; the board
        (budget.view_submitted only) sees proposals once submitted to it."""
        qs = super().visible_to(user, perm or Perm.BUDGET_VIEW_SUBMITTED)
        if not qs.query.is_empty():
            full_orgs = Membership.objects.filter(user=user, role__in=roles_with(Perm.BUDGET_VIEW)).values(
                "organization_id"
            )
            qs = qs.filter(
                models.Q(organization_id__in=full_orgs) | models.Q(status__in=BOARD_VISIBLE_STATUSES)
            )
        return qs


class Proposal(OrgScopedModel):
    """The technology budget of one fiscal year, which CIO and CISO sign together."""

    fiscal_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="Named after the calendar year in which the fiscal year ends.",
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(
        "executive summary", blank=True, help_text="What this budget buys and why, for the board."
    )
    status = models.CharField(max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT)
    amortisation_years = models.PositiveSmallIntegerField(
        "CapEx amortisation (years)",
        default=money.DEFAULT_AMORTISATION_YEARS,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="CapEx counts in the annual cost spread over this many years.",
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    decision_note = models.TextField(
        "board decision note",
        blank=True,
        editable=False,
        help_text="Why the board returned the proposal, or its remarks on approval.",
    )

    objects = ProposalQuerySet.as_manager()
    view_permission = Perm.BUDGET_VIEW_SUBMITTED
    history = HistoricalRecords()

    class Meta:
        ordering = ["-fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "fiscal_year"], name="budget_one_proposal_per_year"
            ),
            models.CheckConstraint(
                name="budget_amortisation_1_10",
                condition=models.Q(amortisation_years__gte=1, amortisation_years__lte=10),
            ),
        ]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year} {self.title}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_with_board(self) -> bool:
        return self.status in BOARD_VISIBLE_STATUSES


class ProposalPartQuerySet(OrgScopedQuerySet):
    def visible_to(self, user, perm: Perm | None = None):
        """Items, options and risk links follow their proposal's visibility
        (``proposal_lookup`` names the path from the row to its proposal)."""
        lookup = f"{self.model.proposal_lookup}__in"
        return self.filter(**{lookup: Proposal.objects.visible_to(user).values("pk")})


class BudgetItem(OrgScopedModel):
    """One line of the proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(max_length=200)
    domain = models.CharField(max_length=10, choices=Domain.choices)
    category = models.CharField(max_length=12, choices=Category.choices)
    kind = models.CharField("CapEx / OpEx", max_length=5, choices=Kind.choices)
    amount = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        validators=NOT_NEGATIVE,
        help_text="In the organization's currency. Follows the chosen option, if any.",
    )
    priority = models.CharField(max_length=6, choices=Priority.choices, default=Priority.SHOULD)
    justification = models.TextField(blank=True, help_text="Why this is needed, in plain language.")
    mitigation = models.ForeignKey(
        "risks.Mitigation", on_delete=models.SET_NULL, null=True, blank=True, related_name="budget_items"
    )
    risks = models.ManyToManyField(
        "risks.Risk", through="ItemRiskLink", related_name="budget_items", blank=True
    )

    objects = ProposalPartQuerySet.as_manager()
    proposal_lookup = "proposal"
    view_permission = Perm.BUDGET_VIEW_SUBMITTED
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "title", "pk"]
        constraints = [
            models.CheckConstraint(name="budget_item_amount_not_negative", condition=models.Q(amount__gte=0)),
        ]
        indexes = [models.Index(fields=["proposal", "priority"], name="budget_item_priority")]

    def __str__(self) -> str:
        return self.title


class ItemOption(OrgScopedModel):
    """One way to deliver an item (e.g. fastest / balanced / most secure)."""

    item = models.ForeignKey(BudgetItem, on_delete=models.CASCADE, related_name="options")
    name = models.CharField(max_length=120)
    cost = models.DecimalField(max_digits=14, decimal_places=2, validators=NOT_NEGATIVE)
    timeline_weeks = models.PositiveSmallIntegerField(
        "timeline (weeks)", validators=[MinValueValidator(1), MaxValueValidator(520)]
    )
    pros = models.TextField(blank=True, help_text="One per line.")
    cons = models.TextField(blank=True, help_text="One per line.")
    security_score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="1 = weakest, 5 = strongest."
    )
    is_chosen = models.BooleanField(default=False, editable=False)

    objects = ProposalPartQuerySet.as_manager()
    proposal_lookup = "item__proposal"
    view_permission = Perm.BUDGET_VIEW_SUBMITTED
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "cost", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(is_chosen=True), name="budget_option_one_chosen"
            ),
            models.CheckConstraint(
                name="budget_option_score_1_5",
                condition=models.Q(security_score__gte=1, security_score__lte=5),
            ),
            models.CheckConstraint(name="budget_option_cost_not_negative", condition=models.Q(cost__gte=0)),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def pros_list(self) -> list[str]:
        return [line.strip(" -•") for line in self.pros.splitlines() if line.strip(" -•")]

    @property
    def cons_list(self) -> list[str]:
        return [line.strip(" -•") for line in self.cons.splitlines() if line.strip(" -•")]


class ItemRiskLink(OrgScopedModel):
    """A risk an item reduces: expected annual loss before and after the investment."""

    item = models.ForeignKey(BudgetItem, on_delete=models.CASCADE, related_name="risk_links")
    risk = models.ForeignKey("risks.Risk", on_delete=models.CASCADE, related_name="budget_links")
    loss_before = models.DecimalField(
        "expected annual loss before", max_digits=16, decimal_places=2, validators=NOT_NEGATIVE
    )
    loss_after = models.DecimalField(
        "expected annual loss after", max_digits=16, decimal_places=2, validators=NOT_NEGATIVE
    )
    note = models.CharField(max_length=300, blank=True, help_text="How the item reduces this risk.")

    objects = ProposalPartQuerySet.as_manager()
    proposal_lookup = "item__proposal"
    view_permission = Perm.BUDGET_VIEW_SUBMITTED
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "-loss_before", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "risk"], name="budget_link_one_per_risk"),
            models.CheckConstraint(
                name="budget_link_after_not_above_before",
                condition=models.Q(loss_after__lte=models.F("loss_before")),
            ),
            models.CheckConstraint(
                name="budget_link_losses_not_negative", condition=models.Q(loss_after__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.risk_id}"

    @property
    def loss_avoided(self) -> Decimal:
        return money.loss_avoided([(self.loss_before, self.loss_after)])


class ItemGapLink(OrgScopedModel):
    """A gap of the CSF profile (an outcome below its target) that an item closes."""

    item = models.ForeignKey(BudgetItem, on_delete=models.CASCADE, related_name="gap_links")
    outcome = models.ForeignKey("risks.ProfileOutcome", on_delete=models.CASCADE, related_name="budget_links")
    note = models.CharField(max_length=300, blank=True, help_text="How the item closes the gap.")

    objects = ProposalPartQuerySet.as_manager()
    proposal_lookup = "item__proposal"
    view_permission = Perm.BUDGET_VIEW_SUBMITTED
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "outcome"], name="budget_gap_link_one_per_outcome")
        ]

    def __str__(self) -> str:
        return f"{self.item} closes {self.outcome}"
