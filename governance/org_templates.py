"""How a new organization starts its ownership matrix (core.org_templates): the
activity library (standard parties and activities with default letters), or the
parties, activities and letters of another organization its creator leads.
Definitions only: the people named in the other organization's parties and its
approvals are never copied."""

from __future__ import annotations

from core.org_templates import register_library
from core.services import record_change, record_creation

from .models import RaciActivity, RaciAssignment, RaciParty
from .raci import services as raci_services


def starter(*, organization) -> int:
    return raci_services.raci_apply_template(actor=None, organization=organization)


def copy(*, source, organization) -> int:
    matrix = raci_services.raci_matrix_get_or_create(organization=organization)
    parties = {}
    for party in RaciParty.objects.filter(organization=source).order_by("position", "pk"):
        twin = RaciParty(
            organization=organization,
            name=party.name,
            kind=party.kind,
            description=party.description,
            position=party.position,
        )
        record_creation(twin, actor=None)
        parties[party.pk] = twin
    activities = {}
    for activity in RaciActivity.objects.filter(organization=source).order_by("position", "pk"):
        twin = RaciActivity(
            organization=organization,
            name=activity.name,
            description=activity.description,
            process_area=activity.process_area,
            csf_category=activity.csf_category,
            position=activity.position,
        )
        record_creation(twin, actor=None)
        activities[activity.pk] = twin
    for cell in RaciAssignment.objects.filter(organization=source).order_by("pk"):
        record_creation(
            RaciAssignment(
                organization=organization,
                activity=activities[cell.activity_id],
                party=parties[cell.party_id],
                letter=cell.letter,
            ),
            actor=None,
        )
    if activities or parties:
        record_change(matrix, actor=None, reason=f"Copied from {source.name} ({len(activities)} activities)")
    return len(activities)


register_library("raci", label="the RACI activity library", starter=starter, copy=copy, order=20)
