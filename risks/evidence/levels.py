"""Where evidence meets the CSF profile: "expired evidence lowers the current
level it supports" (the rule: ``risks.evidence.expiry``), in the database.

``with_counted_level`` annotates a ``ProfileOutcome`` queryset with the level
as it counts (``counted_level``): the assessed current level, one step lower
when every piece of evidence supporting the outcome's CSF subcategory has
expired (no evidence at all, or one piece still valid: as assessed). The
profile's gaps, progress figure and bars read ``counted_level``, so the
profile page, the dashboard, the API and the board report agree.
"""

from __future__ import annotations

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Subquery, When
from django.utils import timezone

from .models import Evidence


def _support(today=None):
    """Evidence links of the outer outcome's subcategory, in its organization."""
    return Evidence.csf_subcategories.through.objects.filter(
        csfsubcategory_id=OuterRef("subcategory_id"), evidence__organization_id=OuterRef("organization_id")
    )


def with_counted_level(queryset, today=None):
    today = today or timezone.localdate()
    support = _support()
    return queryset.annotate(
        evidence_supported=Exists(support),
        evidence_valid=Exists(support.filter(evidence__valid_until__gte=today)),
        evidence_expired_on=Subquery(
            support.order_by("-evidence__valid_until").values("evidence__valid_until")[:1]
        ),
    ).annotate(
        counted_level=Case(
            When(
                Q(evidence_supported=True, evidence_valid=False, current_level__gt=0),
                then=F("current_level") - 1,
            ),
            default=F("current_level"),
            output_field=IntegerField(null=True),
        )
    )


def outcome_evidence(user, organization, subcategory):
    """The evidence behind one outcome that this person may see (newest validity first)."""
    return (
        Evidence.objects.visible_to(user)
        .filter(organization=organization, csf_subcategories=subcategory)
        .select_related("owner")
        .order_by("-valid_until", "pk")
    )


def lowered_note(outcome) -> str:
    """Why the outcome counts lower than assessed ("" when it does not)."""
    counted = getattr(outcome, "counted_level", outcome.current_level)
    if counted is None or counted == outcome.current_level:
        return ""
    when = outcome.evidence_expired_on
    return (
        "Counted one step lower than assessed: all the evidence behind it has expired"
        + (f" (the latest on {when.day} {when:%b %Y})" if when else "")
        + ". Renew the evidence to restore it."
    )
