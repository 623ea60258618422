"""The CSF profile: one per organization, one outcome row per CSF subcategory.

The target profile (scope, owner lens, target levels and target tiers) is a
joint decision of the CIO and the CISO: any change to it bumps the profile's
version and voids the sign-offs (``core.services.record_change``). The current
profile is assessed per outcome by its owner lens; a joint outcome is assessed
by both, and its current level is the lower of the two (``rules.current_level``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from core.models import OrgScopedModel
from core.roles import Perm

__all__ = ["CsfProfile", "ImplementationLevel", "OwnerLens", "ProfileOutcome"]


class ImplementationLevel(models.IntegerChoices):
    NOT = 0, "Not implemented"
    PARTIAL = 1, "Partially implemented"
    LARGELY = 2, "Largely implemented"
    FULLY = 3, "Fully implemented"


class OwnerLens(models.TextChoices):
    """Who assesses an outcome: the CIO, the CISO, or both (the values of core.choices.Domain)."""

    CIO = "it", "CIO"
    CISO = "security", "CISO"
    JOINT = "joint", "Joint"


class CsfProfile(OrgScopedModel):
    """The organization's profile as a whole: the subject of the target's joint sign-off.

    ``current_tiers`` and ``target_tiers`` map a CSF function code to its tier
    (1 Partial, 2 Risk informed, 3 Repeatable, 4 Adaptive); a function may have none.
    """

    catalogue = models.ForeignKey("risks.CsfCatalogue", on_delete=models.PROTECT, related_name="+")
    current_tiers = models.JSONField("current tiers", default=dict, blank=True)
    target_tiers = models.JSONField("target tiers", default=dict, blank=True)

    history = HistoricalRecords()
    view_permission = Perm.PROFILE_VIEW

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="csf_profile_one_per_org")]

    def __str__(self) -> str:
        return f"CSF profile v{self.version}"


class ProfileOutcome(OrgScopedModel):
    """One CSF subcategory in the organization's profile."""

    profile = models.ForeignKey(CsfProfile, on_delete=models.CASCADE, related_name="outcomes")
    subcategory = models.ForeignKey("risks.CsfSubcategory", on_delete=models.PROTECT, related_name="+")
    in_scope = models.BooleanField(default=True)
    scope_reason = models.CharField(
        "why out of scope", max_length=300, blank=True, help_text="Required when the outcome is out of scope."
    )
    owner_lens = models.CharField(max_length=10, choices=OwnerLens.choices, default=OwnerLens.JOINT)
    target_level = models.PositiveSmallIntegerField(
        choices=ImplementationLevel.choices, default=ImplementationLevel.LARGELY
    )
    cio_level = models.PositiveSmallIntegerField(
        "CIO's assessment", choices=ImplementationLevel.choices, null=True, blank=True
    )
    ciso_level = models.PositiveSmallIntegerField(
        "CISO's assessment", choices=ImplementationLevel.choices, null=True, blank=True
    )
    # Kept by the services from the lens's assessments (rules.current_level): sortable and countable.
    current_level = models.PositiveSmallIntegerField(
        choices=ImplementationLevel.choices, null=True, blank=True, editable=False
    )
    notes = models.TextField(blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True, editable=False)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    risks = models.ManyToManyField("risks.Risk", blank=True, related_name="profile_outcomes")

    # Who assessed and when is said by each entry's author and reason.
    history = HistoricalRecords(excluded_fields=["assessed_at", "assessed_by"])
    view_permission = Perm.PROFILE_VIEW

    class Meta:
        ordering = ["subcategory__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "subcategory"], name="profile_outcome_one_per_subcategory"
            ),
            models.CheckConstraint(
                name="profile_outcome_out_of_scope_has_reason",
                condition=models.Q(in_scope=True) | ~models.Q(scope_reason=""),
            ),
        ]
        indexes = [models.Index(fields=["organization", "in_scope"], name="profile_outcome_org_scope")]

    def __str__(self) -> str:
        return self.subcategory.code

    @property
    def is_gap(self) -> bool:
        """In scope and current below target (not yet assessed counts as not implemented)."""
        from . import rules

        return rules.is_gap(self.in_scope, self.counted_level, self.target_level)

    @property
    def counted_level(self) -> int | None:
        """The current level as it counts: one step lower while all the evidence behind it
        has expired (annotated by risks.evidence.levels.with_counted_level; else as assessed)."""
        return self.__dict__.get("counted_level", self.current_level)

    @counted_level.setter
    def counted_level(self, value) -> None:
        self.__dict__["counted_level"] = value

    @property
    def counted_level_label(self) -> str:
        """The level as it counts, in words ("Partially implemented"), or "" if not assessed."""
        level = self.counted_level
        return ImplementationLevel(level).label if level is not None else ""
