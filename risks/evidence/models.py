"""Evidence: a file or a link that proves a control or an outcome is in place.

Each piece has an owner and a "valid until" date, and supports one or more
CSF subcategories, Annex A controls, risks or mitigations. Files are kept only
through Django's storage API (``risks.evidence.storage``); the model holds the
storage's name for the file, never a path a person typed.

Visibility (``Evidence.objects.visible_to``): the CIO and the CISO see every
piece; a contributor sees only what they added; the board sees none (it gets
counts from ``risks.evidence.selectors.evidence_counts``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.models import Membership, OrgScopedModel, OrgScopedQuerySet
from core.roles import Perm, roles_with

from ..models import AnnexAControl, CsfSubcategory, Mitigation, Risk


class EvidenceKind(models.TextChoices):
    FILE = "file", "File"
    LINK = "link", "Link"


class EvidenceQuerySet(OrgScopedQuerySet):
    def visible_to(self, user, perm: Perm | None = None):
        """Everything for roles holding evidence.view; only one's own additions
        for roles holding evidence.add alone (a contributor)."""
        if perm is not None and perm != Perm.EVIDENCE_VIEW:
            return super().visible_to(user, perm)
        if user is None or not user.is_authenticated:
            return self.none()
        all_orgs = Membership.objects.filter(user=user, role__in=roles_with(Perm.EVIDENCE_VIEW)).values(
            "organization_id"
        )
        own_orgs = Membership.objects.filter(user=user, role__in=roles_with(Perm.EVIDENCE_ADD)).values(
            "organization_id"
        )
        return self.filter(
            models.Q(organization_id__in=all_orgs) | models.Q(organization_id__in=own_orgs, added_by=user)
        )


class Evidence(OrgScopedModel):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=4, choices=EvidenceKind.choices)
    # A file: the name the storage gave it (never typed by a person), its shown name, type and size.
    stored_name = models.CharField(max_length=255, blank=True, editable=False)
    file_name = models.CharField("file name", max_length=150, blank=True, editable=False)
    file_type = models.CharField(max_length=8, blank=True, editable=False, help_text="pdf, png, docx, ...")
    file_size = models.PositiveIntegerField(null=True, blank=True, editable=False)
    url = models.URLField("link", max_length=1000, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_evidence"
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    valid_until = models.DateField("valid until")
    csf_subcategories = models.ManyToManyField(
        CsfSubcategory, blank=True, related_name="evidence", verbose_name="CSF outcomes"
    )
    annex_a_controls = models.ManyToManyField(
        AnnexAControl, blank=True, related_name="evidence", verbose_name="Annex A controls"
    )
    risks = models.ManyToManyField(Risk, blank=True, related_name="evidence")
    mitigations = models.ManyToManyField(Mitigation, blank=True, related_name="evidence")

    objects = EvidenceQuerySet.as_manager()
    view_permission = Perm.EVIDENCE_VIEW
    history = HistoricalRecords()

    class Meta:
        ordering = ["valid_until", "pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                name="evidence_file_or_link",
                condition=(models.Q(kind="file") & ~models.Q(stored_name="") & models.Q(url=""))
                | (models.Q(kind="link") & models.Q(stored_name="") & ~models.Q(url="")),
            ),
        ]
        indexes = [models.Index(fields=["organization", "valid_until"], name="evidence_org_valid_until")]

    def __str__(self) -> str:
        return self.title

    def is_expired(self, today=None) -> bool:
        return self.valid_until < (today or timezone.localdate())

    @property
    def expired(self) -> bool:
        return self.is_expired()
