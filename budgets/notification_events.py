"""Budget notifications (see core.notifications.catalogue): a proposal sent to
the board, approved or returned by it. Emitted by budgets.services."""

from __future__ import annotations

from django.urls import reverse

from core.notifications.catalogue import register_event
from core.notifications.services import members_with, notify
from core.roles import Perm

from .models import Proposal, ProposalStatus

register_event("budget.submitted", category="budget", label="A budget proposal was sent to the board")
register_event("budget.approved", category="budget", label="The board approved a budget proposal")
register_event("budget.returned", category="budget", label="The board returned a budget proposal")

_EVENTS = {
    ProposalStatus.SUBMITTED: ("budget.submitted", "was sent to the board"),
    ProposalStatus.APPROVED: ("budget.approved", "was approved by the board"),
    ProposalStatus.RETURNED: ("budget.returned", "was returned by the board"),
}


def proposal_status_changed(proposal: Proposal, *, actor, reason: str) -> None:
    """Tell everyone who may see the proposal (executives and, once submitted, the board)."""
    if proposal.status not in _EVENTS:
        return
    event, verb = _EVENTS[proposal.status]
    organization = proposal.organization
    notify(
        event=event,
        organization=organization,
        recipients=members_with(organization, Perm.BUDGET_VIEW_SUBMITTED),
        subject=proposal,
        title=f"Budget proposal “{proposal}” {verb}",
        body=f"{reason} ({actor})" if reason else "",
        link=reverse("budgets:proposal_detail", args=[organization.slug, proposal.pk]),
        key=f"{event}:{proposal.pk}:v{proposal.version}:{proposal.decided_at or proposal.submitted_at}",
    )
