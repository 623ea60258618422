"""The ownership matrix's selectors are scoped by the reader and its services
check the actor's role, whoever calls them (page, API, command or task):
someone of another organization, or without the permission, gets nothing and
changes nothing. ``None`` is Concord itself (computed KPIs, reports)."""

import pytest

from core.errors import NotAllowed
from core.roles import Role
from governance.models import RaciActivity, RaciAssignment, RaciParty
from governance.raci import selectors, services
from tests.conftest import OUTSIDER

from .factories_raci import RaciActivityFactory, cell, standard_parties

EDIT_REFUSED = [Role.CONTRIBUTOR, Role.BOARD, Role.ADMIN, OUTSIDER]
READ_REFUSED = [Role.BOARD, Role.ADMIN, OUTSIDER]


@pytest.fixture
def matrix(org):
    parties = standard_parties(org)
    activity = RaciActivityFactory(organization=org, name="Patch servers")
    cell(activity, parties["cio"], "A")
    cell(activity, parties["ops"], "R")
    services.raci_matrix_get_or_create(organization=org)
    return {"activity": activity, **parties}


def _edits(actor, org, matrix):
    activity, ops = matrix["activity"], matrix["ops"]
    return {
        "raci_party_create": lambda: services.raci_party_create(
            actor=actor, organization=org, name="Vendors"
        ),
        "raci_party_update": lambda: services.raci_party_update(
            actor=actor, party=ops, expected_version=ops.version, name="Ops", kind=ops.kind
        ),
        "raci_party_delete": lambda: services.raci_party_delete(actor=actor, party=ops),
        "raci_activity_create": lambda: services.raci_activity_create(
            actor=actor, organization=org, name="Back up", process_area="governance", csf_category="GV.RR"
        ),
        "raci_activity_update": lambda: services.raci_activity_update(
            actor=actor,
            activity=activity,
            expected_version=activity.version,
            name="Patch everything",
            process_area="governance",
            csf_category="GV.RR",
        ),
        "raci_activity_delete": lambda: services.raci_activity_delete(actor=actor, activity=activity),
        "raci_cell_set": lambda: services.raci_cell_set(
            actor=actor, activity=activity, party=ops, letter="C"
        ),
        "raci_cell_cycle": lambda: services.raci_cell_cycle(actor=actor, activity=activity, party=ops),
        "raci_apply_template": lambda: services.raci_apply_template(actor=actor, organization=org),
        "raci_sign": lambda: services.raci_sign(actor=actor, organization=org),
        "raci_withdraw": lambda: services.raci_withdraw(actor=actor, organization=org),
    }


EDITS = [
    "raci_party_create",
    "raci_party_update",
    "raci_party_delete",
    "raci_activity_create",
    "raci_activity_update",
    "raci_activity_delete",
    "raci_cell_set",
    "raci_cell_cycle",
    "raci_apply_template",
    "raci_sign",
    "raci_withdraw",
]


def _state(org):
    return (
        sorted(RaciParty.objects.filter(organization=org).values_list("name", "version")),
        sorted(RaciActivity.objects.filter(organization=org).values_list("name", "version")),
        sorted(RaciAssignment.objects.filter(organization=org).values_list("party__name", "letter")),
    )


@pytest.mark.parametrize("role", EDIT_REFUSED)
@pytest.mark.parametrize("edit", EDITS)
def test_every_raci_service_refuses_an_actor_without_the_permission(people, org, matrix, role, edit):
    before = _state(org)
    with pytest.raises(NotAllowed) as refused:
        _edits(people[role], org, matrix)[edit]()
    assert refused.value.status_code == 403
    assert _state(org) == before


def test_the_executives_may_edit_and_approve(people, org, matrix):
    assert _edits(people[Role.CISO], org, matrix)["raci_cell_set"]() == "C"
    services.raci_sign(actor=people[Role.CIO], organization=org)
    assert selectors.raci_summary(org, user=people[Role.CIO])["activities"] == 1


@pytest.mark.parametrize("role", READ_REFUSED)
def test_a_reader_without_the_permission_reads_nothing(people, org, matrix, role):
    reader = people[role]
    grid = selectors.raci_grid(organization=org, user=reader, page=1)
    assert grid.parties == [] and grid.rows == [] and grid.total == 0
    assert list(selectors.raci_party_list(organization=org, user=reader)) == []
    assert list(selectors.raci_activity_list(organization=org, user=reader)) == []
    assert selectors.raci_grid_row(activity=matrix["activity"], user=reader).cells == []
    assert selectors.raci_matrix(organization=org, user=reader) is None
    summary = selectors.raci_summary(org, user=reader)
    assert summary["activities"] == 0 and summary["matrix_version"] is None
    assert selectors.raci_overview(org, user=reader)["activities"] == 0
    assert selectors.raci_waiting_for(org, "cio", user=reader) == []


@pytest.mark.parametrize("role", [Role.CIO, Role.CONTRIBUTOR])
def test_a_reader_with_the_permission_reads_the_matrix(people, org, matrix, role):
    reader = people[role]
    grid = selectors.raci_grid(organization=org, user=reader, page=1)
    assert [p.name for p in grid.parties] == ["CIO", "CISO", "IT operations"] and grid.total == 1
    assert [letter for _, letter in grid.rows[0].cells] == ["A", "", "R"]
    row = selectors.raci_grid_row(activity=matrix["activity"], user=reader)
    assert [letter for _, letter in row.cells] == ["A", "", "R"]
    assert selectors.raci_summary(org, user=reader)["activities"] == 1
    assert selectors.raci_waiting_for(org, "cio", user=reader) == [
        selectors.raci_matrix(organization=org, user=reader)
    ]
