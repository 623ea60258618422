"""The ISO/IEC 27001:2022 statement of applicability: for each of the 93
Annex A controls (``risks.AnnexAControl``), whether it applies here and why,
how far it is implemented, and who owns it (the CIO, the CISO or both).

``SoaEntry`` is one control's line (one per organization and control; a
control without a line is "not yet decided"). ``SoaStatement`` is the
document: its version grows with every change to a line, and its approval
(who, when, for which version) lapses when a line changes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from core.models import OrgScopedModel
from core.roles import Perm

from ..models import AnnexAControl, CsfSubcategory


class OwnerLens(models.TextChoices):
    """Who owns a control: the stored values of ``core.choices.Domain`` (as the profile's owner lens)."""

    CIO = "it", "CIO"
    CISO = "security", "CISO"
    JOINT = "joint", "Joint (CIO and CISO)"


class ImplementationStatus(models.TextChoices):
    NOT_IMPLEMENTED = "not_implemented", "Not implemented"
    PLANNED = "planned", "Planned"
    PARTIAL = "partial", "Partially implemented"
    IMPLEMENTED = "implemented", "Implemented"


class SoaEntry(OrgScopedModel):
    control = models.ForeignKey(AnnexAControl, on_delete=models.PROTECT, related_name="soa_entries")
    applicable = models.BooleanField(null=True, help_text="Empty: not decided yet.")
    justification = models.TextField(
        blank=True, help_text="Why the control is included or excluded (ISO/IEC 27001 clause 6.1.3 d)."
    )
    status = models.CharField(
        "implementation status", max_length=16, choices=ImplementationStatus.choices, blank=True
    )
    owner_lens = models.CharField("owner", max_length=10, choices=OwnerLens.choices, blank=True)
    # The organization's own mapping to CSF 2.0 outcomes (Concord ships none).
    csf_subcategories = models.ManyToManyField(
        CsfSubcategory, blank=True, related_name="soa_entries", verbose_name="CSF outcomes it maps to"
    )

    view_permission = Perm.RISK_VIEW
    history = HistoricalRecords()

    class Meta:
        ordering = ["control__order"]
        verbose_name = "statement of applicability line"
        constraints = [
            models.UniqueConstraint(fields=["organization", "control"], name="soa_entry_one_per_control"),
            models.CheckConstraint(
                name="soa_entry_excluded_has_no_status",
                condition=~models.Q(applicable=False) | models.Q(status=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Statement of applicability: {self.control.code}"


class SoaStatement(OrgScopedModel):
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_version = models.PositiveIntegerField(null=True, blank=True)

    view_permission = Perm.RISK_VIEW
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="soa_statement_one_per_org")]

    def __str__(self) -> str:
        return f"Statement of applicability, version {self.version}"

    @property
    def is_approved(self) -> bool:
        return self.approved_version is not None and self.approved_version == self.version
