"""The board pack's headline KPIs: at most eight, chosen jointly by the CIO and
the CISO on the organization's settings page.

The rule is the one of every joint decision in Concord: one executive proposes
a selection (their proposal is their part), the other confirms it by choosing
the same selection; only then is it in force. A different selection by either
replaces the proposal. Core knows no KPI: the kpis app plugs in the list of an
organization's KPIs (``register_kpi_choices``), the way apps register computed
KPIs or import checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .concurrency import lock_for_update
from .errors import DomainError, NotAllowed
from .models import Organization, User
from .permissions import signing_role

MAX_HEADLINE_KPIS = 8
FIELD = "headline_kpis"

_choices: list[Callable] = []


def register_kpi_choices(source: Callable) -> None:
    """``source(organization)`` → [(kpi_id, name), ...] of the organization's KPIs."""
    if source not in _choices:
        _choices.append(source)


def kpi_choices(organization: Organization) -> list[tuple[int, str]]:
    return [choice for source in _choices for choice in source(organization)]


@dataclass(frozen=True)
class HeadlineState:
    in_force: list[int]
    proposal: list[int]
    proposed_by: str  # name of the proposer, "" without a proposal
    proposed_role: str  # "cio" / "ciso"
    proposed_at: str  # ISO timestamp


def headline_state(organization: Organization) -> HeadlineState:
    proposal = organization.headline_kpis_proposal or {}
    return HeadlineState(
        in_force=list(organization.headline_kpis or []),
        proposal=list(proposal.get("ids") or []),
        proposed_by=proposal.get("by_name", ""),
        proposed_role=proposal.get("role", ""),
        proposed_at=proposal.get("at", ""),
    )


def _clean_ids(organization: Organization, kpi_ids) -> list[int]:
    try:
        ids = sorted({int(k) for k in kpi_ids})
    except (TypeError, ValueError):
        raise DomainError("Choose KPIs from the list.", field=FIELD) from None
    if len(ids) > MAX_HEADLINE_KPIS:
        raise DomainError(
            f"Choose at most {MAX_HEADLINE_KPIS} headline KPIs: the board reads them at a glance.",
            field=FIELD,
        )
    known = {pk for pk, _name in kpi_choices(organization)}
    if set(ids) - known:
        raise DomainError("Choose KPIs of this organization from the list.", field=FIELD)
    return ids


@transaction.atomic
def headline_kpis_choose(
    *, actor: User, organization: Organization, kpi_ids, expected_version: int | None = None
) -> str:
    """Propose or confirm the headline KPIs. Returns what happened: ``"in_force"``
    (the other executive had proposed the same selection), ``"proposed"`` (waits
    for the other) or ``"unchanged"`` (the selection is already in force)."""
    role = signing_role(actor, organization)
    if role is None:
        raise NotAllowed("Only the CIO or the CISO can choose the board's headline KPIs.")
    org = lock_for_update(Organization, pk=organization.pk, expected_version=expected_version)
    ids = _clean_ids(org, kpi_ids)
    proposal = org.headline_kpis_proposal or {}
    if ids == sorted(org.headline_kpis or []):
        if not proposal:
            return "unchanged"
        outcome, org.headline_kpis_proposal = "unchanged", {}
    elif proposal and sorted(proposal.get("ids") or []) == ids and proposal.get("role") != role:
        if proposal.get("by") == actor.pk:
            raise DomainError(
                "You proposed this selection yourself: the other executive confirms it.", field=FIELD
            )
        outcome, org.headline_kpis, org.headline_kpis_proposal = "in_force", ids, {}
    elif proposal and sorted(proposal.get("ids") or []) == ids and proposal.get("by") == actor.pk:
        raise DomainError(
            "You already proposed this selection: the other executive confirms it by choosing the same.",
            field=FIELD,
        )
    else:
        outcome = "proposed"
        org.headline_kpis_proposal = {
            "ids": ids,
            "by": actor.pk,
            "by_name": actor.display_name,
            "role": str(role),
            "at": timezone.now().isoformat(),
        }
    org.version += 1
    org._history_user = actor
    org.save()
    organization.refresh_from_db()
    return outcome
