"""Every read of evidence, scoped to the person through
``Evidence.objects.visible_to`` (the CIO and the CISO: all; a contributor:
their own; the board: none, only ``evidence_counts``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from core.models import Organization

from ..models import CsfCatalogue, CsfSubcategory
from .filters import EXPIRING_DAYS, EvidenceFilterSet
from .models import Evidence, EvidenceKind


def evidence_base(user, organization: Organization):
    return Evidence.objects.visible_to(user).filter(organization=organization)


def csf_outcomes():
    """The CSF subcategories of the newest catalogue loaded, in the framework's order."""
    catalogue = CsfCatalogue.objects.order_by("-version").first()
    return CsfSubcategory.objects.filter(catalogue=catalogue).order_by("order")


def with_links(queryset):
    return queryset.select_related("owner", "added_by").prefetch_related(
        "csf_subcategories", "annex_a_controls", "risks", "mitigations__risk"
    )


def evidence_filterset(user, organization: Organization, params) -> EvidenceFilterSet:
    return EvidenceFilterSet(
        params if params is not None else {},
        queryset=with_links(evidence_base(user, organization)),
        organization=organization,
    )


def evidence_list(user, organization: Organization, params=None):
    filterset = evidence_filterset(user, organization, params)
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()


def evidence_detail(user, organization: Organization, pk: int) -> Evidence:
    return with_links(evidence_base(user, organization)).get(pk=pk)


def evidence_todo(user, organization: Organization):
    """Expired evidence this person can see: each is a to-do (renew or replace it)."""
    return (
        evidence_base(user, organization)
        .filter(valid_until__lt=timezone.localdate())
        .select_related("owner")
        .order_by("valid_until", "pk")
    )


@dataclass(frozen=True)
class EvidenceCounts:
    total: int
    valid: int
    expiring: int
    expired: int
    files: int
    links: int


def evidence_counts(organization: Organization) -> EvidenceCounts:
    """How much evidence the organization holds (no titles, no files): what the
    board sees. One query."""
    today = timezone.localdate()
    soon = today + timedelta(days=EXPIRING_DAYS)
    figures = Evidence.objects.filter(organization=organization).aggregate(
        total=Count("pk"),
        valid=Count("pk", filter=Q(valid_until__gte=today)),
        expiring=Count("pk", filter=Q(valid_until__gte=today, valid_until__lte=soon)),
        expired=Count("pk", filter=Q(valid_until__lt=today)),
        files=Count("pk", filter=Q(kind=EvidenceKind.FILE)),
        links=Count("pk", filter=Q(kind=EvidenceKind.LINK)),
    )
    return EvidenceCounts(**figures)


def valid_until_by_control(organization: Organization) -> dict[int, list]:
    """Annex A control id → the validity dates of the evidence behind it."""
    result: dict[int, list] = {}
    rows = Evidence.annex_a_controls.through.objects.filter(evidence__organization=organization).values_list(
        "annexacontrol_id", "evidence__valid_until"
    )
    for control_id, valid_until in rows:
        result.setdefault(control_id, []).append(valid_until)
    return result
