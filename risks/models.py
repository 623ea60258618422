"""The shared risk register: risks, the CIO's and the CISO's assessments of
each, mitigations, and the two reference catalogues risks map to (NIST CSF 2.0
and ISO/IEC 27001:2022 Annex A).

Scores and levels are computed by ``risks.scoring`` (pure functions). The
register's sortable and filterable numbers (current score, each lens's score)
are kept on ``Risk`` by the services so that a page of the register costs the
same few queries whatever its size.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.choices import Domain
from core.models import Organization, OrgScopedModel
from core.roles import Perm

from . import scoring

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


# ------------------------------------------------------------- catalogues ----


class CsfCatalogue(models.Model):
    """One published version of the NIST CSF core ("2.0"). Reference data.

    Functions, categories and subcategories belong to a version, so that a later
    revision of the framework can be loaded beside this one.
    """

    version = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=160)
    source = models.TextField(blank=True, help_text="Where the text was taken from.")
    source_version = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["version"]
        verbose_name = "CSF catalogue"

    def __str__(self) -> str:
        return f"NIST CSF {self.version}"


class CsfFunction(models.Model):
    """A NIST CSF 2.0 function (GV, ID, PR, DE, RS, RC). Reference data."""

    catalogue = models.ForeignKey(CsfCatalogue, on_delete=models.PROTECT, related_name="functions")
    code = models.CharField(max_length=2)
    name = models.CharField(max_length=40)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = "CSF function"
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="csf_function_code_per_catalogue")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CsfCategory(models.Model):
    """A NIST CSF 2.0 category such as GV.RM or PR.AA. Reference data."""

    catalogue = models.ForeignKey(CsfCatalogue, on_delete=models.PROTECT, related_name="categories")
    code = models.CharField(max_length=5)
    function = models.ForeignKey(CsfFunction, on_delete=models.PROTECT, related_name="categories")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = "CSF category"
        verbose_name_plural = "CSF categories"
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="csf_category_code_per_catalogue")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CsfSubcategory(models.Model):
    """A NIST CSF outcome such as GV.OC-01, with NIST's implementation examples. Reference data."""

    catalogue = models.ForeignKey(CsfCatalogue, on_delete=models.PROTECT, related_name="subcategories")
    category = models.ForeignKey(CsfCategory, on_delete=models.PROTECT, related_name="subcategories")
    code = models.CharField(max_length=9, help_text="For example GV.OC-01.")
    statement = models.TextField()
    examples = models.JSONField(default=list, blank=True, help_text="NIST's implementation examples.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = "CSF subcategory"
        verbose_name_plural = "CSF subcategories"
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="csf_subcategory_code_per_catalogue")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.statement}"


class ControlTheme(models.TextChoices):
    ORGANIZATIONAL = "organizational", "Organizational"
    PEOPLE = "people", "People"
    PHYSICAL = "physical", "Physical"
    TECHNOLOGICAL = "technological", "Technological"


class AnnexAControl(models.Model):
    """One of the 93 ISO/IEC 27001:2022 Annex A controls. Reference data."""

    code = models.CharField(max_length=8, unique=True, help_text="For example A.8.8.")
    title = models.CharField(max_length=160)
    theme = models.CharField(max_length=20, choices=ControlTheme.choices)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = "Annex A control"

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


# ------------------------------------------------------------------ risks ----


Origin = Domain  # a risk's origin: the one IT / security / joint list of core.choices


class RiskCategory(models.TextChoices):
    CYBER_ATTACK = "cyber_attack", "Cyber attack"
    DATA_PROTECTION = "data_protection", "Data protection and privacy"
    TECHNOLOGY_FAILURE = "technology_failure", "Technology failure and resilience"
    TECHNOLOGY_OBSOLESCENCE = "technology_obsolescence", "Technology obsolescence"
    THIRD_PARTY = "third_party", "Third party and supply chain"
    COMPLIANCE = "compliance", "Legal and compliance"
    PEOPLE = "people", "People and skills"
    DELIVERY = "delivery", "Project and change delivery"
    FINANCIAL = "financial", "Financial"
    PHYSICAL = "physical", "Physical and environmental"


class RiskStatus(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    ASSESSED = "assessed", "Assessed"
    TREATMENT_PLANNED = "treatment_planned", "Treatment planned"
    IN_TREATMENT = "in_treatment", "In treatment"
    ACCEPTED = "accepted", "Accepted"
    CLOSED = "closed", "Closed"


class Treatment(models.TextChoices):
    MITIGATE = "mitigate", "Mitigate"
    ACCEPT = "accept", "Accept"
    TRANSFER = "transfer", "Transfer"
    AVOID = "avoid", "Avoid"


class RiskCounter(models.Model):
    """The last reference number handed out per organization. Locked with
    ``select_for_update`` when a risk is created so that two people creating
    risks at the same moment never get the same number, and deleted risks'
    numbers are never reused."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last_number = models.PositiveIntegerField(default=0)


class Risk(OrgScopedModel):
    """A risk both the CIO and the CISO assess. See DESIGN.md, "Risk register"."""

    number = models.PositiveIntegerField(editable=False)
    reference = models.CharField(
        max_length=12, editable=False, help_text="R-001, unique in the organization."
    )
    title = models.CharField(max_length=200)
    impact_statement = models.TextField(
        "business impact", help_text="In plain language: what happens to the business if this occurs."
    )
    category = models.CharField(max_length=30, choices=RiskCategory.choices)
    origin = models.CharField(max_length=10, choices=Origin.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_risks")
    status = models.CharField(max_length=20, choices=RiskStatus.choices, default=RiskStatus.IDENTIFIED)
    treatment = models.CharField(max_length=10, choices=Treatment.choices, blank=True)
    due_date = models.DateField("treatment due", null=True, blank=True)
    next_review_date = models.DateField("next review", null=True, blank=True)
    affected_services = models.CharField(
        max_length=500, blank=True, help_text="Business services affected, separated by commas."
    )
    csf_categories = models.ManyToManyField(
        CsfCategory, blank=True, related_name="risks", verbose_name="NIST CSF 2.0 categories"
    )
    annex_a_controls = models.ManyToManyField(
        AnnexAControl, blank=True, related_name="risks", verbose_name="ISO 27001 Annex A controls"
    )

    # Optional quantitative estimate, in the organization's currency.
    loss_low = models.DecimalField(
        "loss per event (low)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    loss_most_likely = models.DecimalField(
        "loss per event (most likely)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    loss_high = models.DecimalField(
        "loss per event (high)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    events_per_year = models.DecimalField(
        max_digits=7, decimal_places=3, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    expected_annual_loss = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
        help_text="PERT mean of the loss per event × events per year; kept by the services.",
    )

    # Kept by the assessment services (see risks.scoring): each lens's inherent
    # score, and the *current* assessment (agreed, else the more severe lens).
    cio_score = models.PositiveSmallIntegerField("CIO inherent score", null=True, blank=True, editable=False)
    ciso_score = models.PositiveSmallIntegerField(
        "CISO inherent score", null=True, blank=True, editable=False
    )
    is_agreed = models.BooleanField("agreed assessment", default=False, editable=False)
    inherent_likelihood = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    inherent_impact = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    inherent_score = models.PositiveSmallIntegerField(
        "current inherent score", null=True, blank=True, editable=False
    )
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    residual_score = models.PositiveSmallIntegerField(
        "current residual score", null=True, blank=True, editable=False
    )

    # Joint acceptance (both CIO and CISO sign "acceptance" on this version).
    acceptance_justification = models.TextField(blank=True)
    acceptance_expires_on = models.DateField("acceptance expires", null=True, blank=True)
    acceptance_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    acceptance_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)

    view_permission = Perm.RISK_VIEW
    history = HistoricalRecords()

    class Meta:
        ordering = ["-inherent_score", "number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="risk_unique_number_per_org"),
            models.CheckConstraint(
                name="risk_loss_range_ordered",
                condition=(
                    models.Q(loss_low__isnull=True)
                    | models.Q(loss_most_likely__isnull=True)
                    | models.Q(loss_high__isnull=True)
                    | (
                        models.Q(loss_low__lte=models.F("loss_most_likely"))
                        & models.Q(loss_most_likely__lte=models.F("loss_high"))
                    )
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"], name="risk_org_status"),
            models.Index(fields=["organization", "inherent_score"], name="risk_org_score"),
            # The register's sort indexes (score, residual, due and review dates with
            # NULLS LAST) are created by migration 0003 on PostgreSQL only: SQLite
            # cannot index NULLS LAST, and the demo database does not need them.
            models.Index(fields=["organization", "origin"], name="risk_org_origin"),
            models.Index(fields=["organization", "owner"], name="risk_org_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def has_quantitative_estimate(self) -> bool:
        return None not in (self.loss_low, self.loss_most_likely, self.loss_high, self.events_per_year)

    def compute_expected_annual_loss(self) -> Decimal | None:
        """PERT mean of the loss per event × events per year (Decimal), or None."""
        if not self.has_quantitative_estimate:
            return None
        return scoring.expected_annual_loss(
            self.loss_low, self.loss_most_likely, self.loss_high, self.events_per_year
        )

    @property
    def services_list(self) -> list[str]:
        return [s.strip() for s in self.affected_services.split(",") if s.strip()]

    @property
    def is_closed(self) -> bool:
        return self.status == RiskStatus.CLOSED

    @property
    def acceptance_pending(self) -> bool:
        return bool(self.acceptance_expires_on) and self.status != RiskStatus.ACCEPTED


# ------------------------------------------------------------ assessments ----


class Lens(models.TextChoices):
    CIO = "cio", "CIO"
    CISO = "ciso", "CISO"
    AGREED = "agreed", "Agreed"


class Assessment(OrgScopedModel):
    """One lens on one risk: likelihood × impact, inherent and target residual.

    A risk has at most one CIO, one CISO and one agreed assessment. The agreed
    one starts as a proposal by one of them (``confirmed_at`` empty) and counts
    once the other confirms it.
    """

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="assessments")
    lens = models.CharField(max_length=10, choices=Lens.choices)
    inherent_likelihood = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE)
    inherent_impact = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE)
    residual_likelihood = models.PositiveSmallIntegerField(
        "target residual likelihood", validators=ONE_TO_FIVE
    )
    residual_impact = models.PositiveSmallIntegerField("target residual impact", validators=ONE_TO_FIVE)
    rationale = models.TextField()
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(default=timezone.now)
    # Agreed lens only: who proposed it (role), and who confirmed it.
    proposed_role = models.CharField(max_length=10, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    view_permission = Perm.RISK_VIEW
    history = HistoricalRecords()

    class Meta:
        ordering = ["risk", "lens"]
        constraints = [
            models.UniqueConstraint(fields=["risk", "lens"], name="assessment_one_per_lens"),
            models.CheckConstraint(
                name="assessment_inherent_likelihood_1_5",
                condition=models.Q(inherent_likelihood__gte=1, inherent_likelihood__lte=5),
            ),
            models.CheckConstraint(
                name="assessment_inherent_impact_1_5",
                condition=models.Q(inherent_impact__gte=1, inherent_impact__lte=5),
            ),
            models.CheckConstraint(
                name="assessment_residual_likelihood_1_5",
                condition=models.Q(residual_likelihood__gte=1, residual_likelihood__lte=5),
            ),
            models.CheckConstraint(
                name="assessment_residual_impact_1_5",
                condition=models.Q(residual_impact__gte=1, residual_impact__lte=5),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_lens_display()} assessment of {self.risk_id}"

    @property
    def inherent_score(self) -> int:
        return scoring.score(self.inherent_likelihood, self.inherent_impact)

    @property
    def residual_score(self) -> int:
        return scoring.score(self.residual_likelihood, self.residual_impact)

    @property
    def is_confirmed(self) -> bool:
        return self.lens != Lens.AGREED or self.confirmed_at is not None


# ------------------------------------------------------------ mitigations ----


class MitigationStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Mitigation(OrgScopedModel):
    """An action that reduces a risk. Budget items may point at one."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="mitigations")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_mitigations"
    )
    status = models.CharField(
        max_length=12, choices=MitigationStatus.choices, default=MitigationStatus.PLANNED
    )
    due_date = models.DateField(null=True, blank=True)
    cost = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="One-off cost in the organization's currency.",
    )
    completed_on = models.DateField(null=True, blank=True, editable=False)

    view_permission = Perm.RISK_VIEW
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                name="mitigation_cost_not_negative",
                condition=models.Q(cost__isnull=True) | models.Q(cost__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (MitigationStatus.PLANNED, MitigationStatus.IN_PROGRESS)

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_date is not None and self.due_date < today


# The CSF profile, the statement of applicability and evidence live in their own
# sub-packages (risks/profile/, risks/soa/, risks/evidence/); importing them here
# registers their models with this app.
from .evidence.models import Evidence  # noqa: E402, F401
from .profile.models import *  # noqa: E402, F403
from .soa.models import SoaEntry, SoaStatement  # noqa: E402, F401
