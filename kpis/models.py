"""KPI definitions and their measurements (one value per KPI per period)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from core.choices import Domain
from core.models import OrgScopedModel
from core.roles import Perm

from . import status as kpi_status


class Unit(models.TextChoices):
    PERCENT = "percent", "Percent (%)"
    COUNT = "count", "Count"
    DAYS = "days", "Days"
    HOURS = "hours", "Hours"
    MINUTES = "minutes", "Minutes"
    RATIO = "ratio", "Ratio"
    CURRENCY = "currency", "Currency"
    SCORE = "score", "Score"


# Units whose values cannot be negative (a count, a duration, a ratio).
NON_NEGATIVE_UNITS = {Unit.COUNT, Unit.DAYS, Unit.HOURS, Unit.MINUTES, Unit.RATIO}
UNIT_SUFFIX = {"percent": "%", "days": " d", "hours": " h", "minutes": " min", "ratio": "×"}


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


class CsfFunction(models.TextChoices):
    NONE = "", "—"
    GOVERN = "GV", "Govern (GV)"
    IDENTIFY = "ID", "Identify (ID)"
    PROTECT = "PR", "Protect (PR)"
    DETECT = "DE", "Detect (DE)"
    RESPOND = "RS", "Respond (RS)"
    RECOVER = "RC", "Recover (RC)"


class Source(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    API = "api", "API"
    IMPORT = "import", "Imported file"
    COMPUTED = "computed", "Computed by Concord"


VALUE_DIGITS = {"max_digits": 18, "decimal_places": 4}


class KPI(OrgScopedModel):
    """What is measured, how often, which way is better, and where the lines are."""

    name = models.CharField(max_length=120)
    key = models.SlugField(
        max_length=80,
        blank=True,
        help_text="Stable identifier for machine clients and the starter library, e.g. 'edr_coverage'.",
    )
    description = models.TextField(blank=True, help_text="What it measures and how to measure it.")
    domain = models.CharField(max_length=10, choices=Domain.choices, default=Domain.JOINT)
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.PERCENT)
    direction = models.CharField(max_length=6, choices=Direction.choices, default=Direction.HIGHER)
    target = models.DecimalField(**VALUE_DIGITS)
    warning = models.DecimalField("warning threshold", **VALUE_DIGITS)
    critical = models.DecimalField("critical threshold", **VALUE_DIGITS)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    csf_function = models.CharField(
        "NIST CSF function", max_length=2, choices=CsfFunction.choices, blank=True
    )
    computed = models.BooleanField(default=False, help_text="Computed by Concord from its own data.")

    history = HistoricalRecords()
    view_permission = Perm.KPI_VIEW

    class Meta:
        ordering = ["domain", "name"]
        verbose_name = "KPI"
        verbose_name_plural = "KPIs"
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="kpi_unique_name_per_org"),
            models.UniqueConstraint(
                fields=["organization", "key"], condition=~models.Q(key=""), name="kpi_unique_key_per_org"
            ),
            models.CheckConstraint(
                name="kpi_thresholds_follow_direction",
                condition=(
                    models.Q(
                        direction="higher", critical__lte=models.F("warning"), warning__lte=models.F("target")
                    )
                    | models.Q(
                        direction="lower", target__lte=models.F("warning"), warning__lte=models.F("critical")
                    )
                ),
            ),
        ]
        indexes = [models.Index(fields=["organization", "domain"], name="kpi_org_domain")]

    def __str__(self) -> str:
        return self.name

    def status_of(self, value):
        return kpi_status.status_for(
            value, direction=self.direction, target=self.target, warning=self.warning, critical=self.critical
        )

    @property
    def unit_suffix(self) -> str:
        return UNIT_SUFFIX.get(self.unit, "")


class Measurement(OrgScopedModel):
    """One value of one KPI for one period (the period's first day)."""

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="measurements")
    period = models.DateField(
        help_text="First day of the period: Monday, the 1st, or the quarter's first day."
    )
    value = models.DecimalField(**VALUE_DIGITS)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()
    view_permission = Perm.KPI_VIEW

    class Meta:
        ordering = ["kpi", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "period"], name="measurement_one_per_kpi_period"),
        ]
        indexes = [
            models.Index(fields=["organization", "period"], name="measurement_org_period"),
            models.Index(fields=["kpi", "-period"], name="measurement_kpi_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi} · {self.period:%Y-%m-%d}: {self.value}"
