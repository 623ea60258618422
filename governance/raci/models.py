"""The ownership (RACI) matrix: parties × activities, one letter per cell, and
one matrix object per organization that carries the joint approval."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from core.models import OrgScopedModel
from core.roles import Perm

__all__ = [
    "CSF_CATEGORIES",
    "PartyKind",
    "ProcessArea",
    "RaciActivity",
    "RaciAssignment",
    "RaciLetter",
    "RaciMatrix",
    "RaciParty",
]

# NIST CSF 2.0 categories (function.category). Stored as text so the RACI does
# not depend on the risks app's catalogue being loaded.
CSF_CATEGORIES = (
    ("GV.OC", "GV.OC — Organizational context"),
    ("GV.RM", "GV.RM — Risk management strategy"),
    ("GV.RR", "GV.RR — Roles, responsibilities and authorities"),
    ("GV.PO", "GV.PO — Policy"),
    ("GV.OV", "GV.OV — Oversight"),
    ("GV.SC", "GV.SC — Cybersecurity supply chain risk management"),
    ("ID.AM", "ID.AM — Asset management"),
    ("ID.RA", "ID.RA — Risk assessment"),
    ("ID.IM", "ID.IM — Improvement"),
    ("PR.AA", "PR.AA — Identity management, authentication and access control"),
    ("PR.AT", "PR.AT — Awareness and training"),
    ("PR.DS", "PR.DS — Data security"),
    ("PR.PS", "PR.PS — Platform security"),
    ("PR.IR", "PR.IR — Technology infrastructure resilience"),
    ("DE.CM", "DE.CM — Continuous monitoring"),
    ("DE.AE", "DE.AE — Adverse event analysis"),
    ("RS.MA", "RS.MA — Incident management"),
    ("RS.AN", "RS.AN — Incident analysis"),
    ("RS.CO", "RS.CO — Incident response reporting and communication"),
    ("RS.MI", "RS.MI — Incident mitigation"),
    ("RC.RP", "RC.RP — Incident recovery plan execution"),
    ("RC.CO", "RC.CO — Incident recovery communication"),
)


class PartyKind(models.TextChoices):
    """What a party is; CIO and CISO are recognised for the CIO/CISO check."""

    CIO = "cio", "CIO"
    CISO = "ciso", "CISO"
    IT_OPERATIONS = "it_operations", "IT operations"
    SECURITY_OPERATIONS = "security_operations", "Security operations"
    DEVELOPMENT = "development", "Development"
    ENTERPRISE_ARCHITECTURE = "enterprise_architecture", "Enterprise architecture"
    LEGAL_PRIVACY = "legal_privacy", "Legal and privacy"
    RISK_COMPLIANCE = "risk_compliance", "Risk and compliance"
    BUSINESS_OWNER = "business_owner", "Business owner"
    OTHER = "other", "Other"


class ProcessArea(models.TextChoices):
    GOVERNANCE = "governance", "Governance and policy"
    RISK = "risk", "Risk and compliance"
    SECURITY_OPERATIONS = "security_operations", "Security operations"
    IT_OPERATIONS = "it_operations", "IT operations"
    IDENTITY = "identity", "Identity and access"
    DEVELOPMENT = "development", "Development and change"
    ARCHITECTURE = "architecture", "Architecture"
    DATA = "data", "Data and privacy"
    THIRD_PARTIES = "third_parties", "Third parties"
    RESILIENCE = "resilience", "Resilience"
    PEOPLE = "people", "People and awareness"


class RaciLetter(models.TextChoices):
    RESPONSIBLE = "R", "Responsible"
    ACCOUNTABLE = "A", "Accountable"
    CONSULTED = "C", "Consulted"
    INFORMED = "I", "Informed"


class RaciMatrix(OrgScopedModel):
    """The organization's matrix as a whole: the subject of the joint approval.

    Every edit of a party, activity or cell bumps its version (and so voids the
    approval), because the approval is for the matrix as it stood when signed.
    """

    template_applied_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    view_permission = Perm.RACI_VIEW

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="raci_matrix_one_per_org")]

    def __str__(self) -> str:
        return f"Ownership matrix v{self.version}"


class RaciParty(OrgScopedModel):
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=30, choices=PartyKind.choices, default=PartyKind.OTHER)
    description = models.CharField(max_length=200, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="raci_parties")
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()
    view_permission = Perm.RACI_VIEW

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "RACI parties"
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="raci_party_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class RaciActivity(OrgScopedModel):
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    process_area = models.CharField(
        max_length=30, choices=ProcessArea.choices, default=ProcessArea.GOVERNANCE
    )
    csf_category = models.CharField(
        "NIST CSF 2.0 category", max_length=5, choices=CSF_CATEGORIES, default="GV.RR"
    )
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()
    view_permission = Perm.RACI_VIEW

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "RACI activities"
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="raci_activity_unique_name")
        ]
        indexes = [models.Index(fields=["organization", "process_area"], name="raci_activity_org_area")]

    def __str__(self) -> str:
        return self.name


class RaciAssignment(OrgScopedModel):
    """One cell of the matrix. An empty cell has no row."""

    activity = models.ForeignKey(RaciActivity, on_delete=models.CASCADE, related_name="assignments")
    party = models.ForeignKey(RaciParty, on_delete=models.CASCADE, related_name="assignments")
    letter = models.CharField(max_length=1, choices=RaciLetter.choices)

    history = HistoricalRecords()
    view_permission = Perm.RACI_VIEW

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "party"], name="raci_assignment_one_per_cell"),
            models.CheckConstraint(
                name="raci_assignment_letter_valid", condition=models.Q(letter__in=["R", "A", "C", "I"])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} / {self.party}: {self.letter}"
