"""Budget items against the gaps of the CSF profile (risks.profile): which gaps
an item closes (links written here, through the proposal's rules: editable
proposals only, any change voids its sign-offs), and the gaps no funded item
closes. "Funded" means in a proposal the board approved."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch

from core import services as core_services
from core.errors import DomainError
from core.roles import Perm
from risks.models import ProfileOutcome
from risks.profile import selectors as profile_selectors

from .models import BudgetItem, ItemGapLink, ProposalStatus
from .services import _lock_editable, _require, _touch

# ------------------------------------------------------------------ writes ----


@transaction.atomic
def gap_link_create(
    *, actor, item: BudgetItem, outcome: ProfileOutcome | None, note: str = ""
) -> ItemGapLink:
    """Record that ``item`` closes the gap of ``outcome`` (an in-scope outcome of the same organization)."""
    _require(actor, item.organization, Perm.BUDGET_EDIT)
    proposal = _lock_editable(item.proposal)
    if outcome is None or outcome.organization_id != item.organization_id:
        raise DomainError("Choose an outcome of this organization's CSF profile.", field="outcome")
    if not outcome.in_scope:
        raise DomainError(
            f"{outcome.subcategory.code} is out of scope: there is no gap to close.", field="outcome"
        )
    if ItemGapLink.objects.filter(item=item, outcome=outcome).exists():
        raise DomainError(f"This item already closes {outcome.subcategory.code}.", field="outcome")
    note = (note or "").strip()
    if len(note) > 300:
        raise DomainError("Keep the note under 300 characters.", field="note")
    link = ItemGapLink(organization=item.organization, item=item, outcome=outcome, note=note)
    core_services.record_creation(link, actor=actor)
    _touch(proposal, actor=actor, reason=f"{item.title} now closes {outcome.subcategory.code}"[:100])
    return link


@transaction.atomic
def gap_link_delete(*, actor, link: ItemGapLink) -> None:
    _require(actor, link.organization, Perm.BUDGET_EDIT)
    proposal = _lock_editable(link.item.proposal)
    code = link.outcome.subcategory.code
    core_services.record_deletion(link, actor=actor)
    _touch(proposal, actor=actor, reason=f"{link.item.title} no longer closes {code}"[:100])


# ------------------------------------------------------------------- reads ----


def gap_links_prefetch() -> Prefetch:
    """Each item's links to the profile's gaps, with their subcategory (one query for a page of items)."""
    return Prefetch(
        "gap_links",
        queryset=ItemGapLink.objects.select_related("outcome__subcategory").order_by(
            "outcome__subcategory__order"
        ),
    )


def linkable_gaps(*, user, organization, item: BudgetItem):
    """The organization's gaps this item does not close yet, in catalogue order."""
    return profile_selectors.gap_list(user, organization).exclude(budget_links__item=item)


@dataclass
class UnfundedGap:
    outcome: ProfileOutcome
    planned: list  # links from items in proposals not (yet) approved


def unfunded_gaps(*, user, organization) -> list[UnfundedGap]:
    """Gaps that no item of an approved proposal closes, each with the items that
    plan to close it in proposals not decided yet. Three queries."""
    funded = ItemGapLink.objects.filter(
        organization=organization, item__proposal__status=ProposalStatus.APPROVED
    )
    gaps = (
        profile_selectors.gap_list(user, organization)
        .exclude(pk__in=funded.values("outcome_id"))
        .prefetch_related(
            Prefetch(
                "budget_links",
                queryset=ItemGapLink.objects.visible_to(user)
                .select_related("item__proposal")
                .order_by("-item__proposal__fiscal_year", "item__title"),
                to_attr="planned_links",
            )
        )
    )
    return [UnfundedGap(outcome=gap, planned=gap.planned_links) for gap in gaps]
