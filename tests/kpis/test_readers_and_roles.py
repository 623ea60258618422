"""Selectors are scoped by the reader and services check the actor's role,
whoever calls them (page, API, command or task): someone of another
organization, or without the permission, gets nothing and changes nothing.
``None`` is Concord itself (computed KPIs, report snapshots)."""

from datetime import date
from decimal import Decimal as D

import pytest

from core.errors import NotAllowed
from core.roles import Role
from kpis import selectors, services
from kpis.models import KPI, Measurement
from tests.conftest import OUTSIDER

from .factories import KPIFactory, MeasurementFactory

TODAY = date(2026, 3, 15)
REFUSED = [Role.CONTRIBUTOR, Role.BOARD, Role.ADMIN, OUTSIDER]


@pytest.fixture
def kpi(org):
    kpi = KPIFactory(organization=org, name="Patch coverage", key="patch")
    MeasurementFactory(kpi=kpi, period=date(2026, 1, 1), value=D(93))
    MeasurementFactory(kpi=kpi, period=date(2026, 2, 1), value=D(96))
    return kpi


def _fields(**overrides):
    fields = {
        "name": "Phishing clicks",
        "domain": "security",
        "unit": "percent",
        "direction": "lower",
        "target": "5",
        "warning": "8",
        "critical": "12",
        "frequency": "monthly",
    }
    return {**fields, **overrides}


def _writes(actor, org, kpi):
    measurement = kpi.measurements.first()
    item = [{"kpi": kpi.pk, "period": "2026-03-01", "value": "97"}]
    return {
        "kpi_create": lambda: services.kpi_create(actor=actor, organization=org, **_fields()),
        "kpi_update": lambda: services.kpi_update(
            actor=actor, kpi=kpi, expected_version=kpi.version, name="Renamed"
        ),
        "kpi_delete": lambda: services.kpi_delete(actor=actor, kpi=kpi),
        "kpi_add_from_library": lambda: services.kpi_add_from_library(
            actor=actor, organization=org, key="mfa_coverage"
        ),
        "measurement_record": lambda: services.measurement_record(
            actor=actor, kpi=kpi, period=date(2026, 3, 1), value="97", today=TODAY
        ),
        "measurement_delete": lambda: services.measurement_delete(actor=actor, measurement=measurement),
        "measurements_bulk_upsert": lambda: services.measurements_bulk_upsert(
            actor=actor, organization=org, items=item, source="manual", today=TODAY
        ),
        "measurements_import": lambda: services.measurements_import(
            actor=actor, organization=org, rows=[{"kpi": "patch", "period": "2026-03-01", "value": "97"}]
        ),
        "measurements_import_check": lambda: services.measurements_import_check(
            actor=actor, organization=org, rows=[{"kpi": "patch", "period": "2026-03-01", "value": "97"}]
        ),
    }


@pytest.mark.parametrize("role", REFUSED)
@pytest.mark.parametrize(
    "write",
    [
        "kpi_create",
        "kpi_update",
        "kpi_delete",
        "kpi_add_from_library",
        "measurement_record",
        "measurement_delete",
        "measurements_bulk_upsert",
        "measurements_import",
        "measurements_import_check",
    ],
)
def test_every_kpi_service_refuses_an_actor_without_the_permission(people, org, kpi, role, write):
    with pytest.raises(NotAllowed) as refused:
        _writes(people[role], org, kpi)[write]()
    assert refused.value.status_code == 403 and "role" in refused.value.message
    kpi.refresh_from_db()
    assert kpi.name == "Patch coverage" and kpi.version == 1
    assert KPI.objects.filter(organization=org).count() == 1
    assert sorted(Measurement.objects.values_list("value", flat=True)) == [D(93), D(96)]


@pytest.mark.parametrize("role", [Role.CIO, Role.CISO])
def test_the_executives_may_write(people, org, kpi, role):
    measurement, created = _writes(people[role], org, kpi)["measurement_record"]()
    assert created and measurement.recorded_by == people[role]


def test_concord_itself_writes_computed_values(org):
    kpi = KPIFactory(organization=org, key="computed_one", computed=True)
    result = services.measurements_bulk_upsert(
        actor=None,
        organization=org,
        items=[{"kpi": kpi.pk, "period": "2026-03-01", "value": "4"}],
        source="computed",
        today=TODAY,
    )
    assert result.created == 1


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.BOARD, OUTSIDER])
def test_a_reader_without_the_permission_reads_nothing(people, org, kpi, role):
    reader = people[role]
    assert list(selectors.kpi_list(reader, org)) == []
    assert list(selectors.measurement_list(reader, org)) == []
    assert list(selectors.kpi_measurements(reader, kpi)) == []
    assert selectors.measurement_changes(reader, kpi) == []
    row = selectors.kpi_row(reader, kpi, today=TODAY)
    assert row.latest_value is None and set(row.sparkline) == {None}
    assert set(selectors.kpi_chart_series(reader, kpi, today=TODAY)[1]) == {None}
    assert selectors.scorecard_summary(reader, org, today=TODAY)["all"]["total"] == 0
    assert selectors.kpi_overview(org, user=reader, today=TODAY)["total"] == 0
    assert not [r for g in selectors.kpi_scorecard(reader, org, today=TODAY) for r in g.rows]


def test_a_reader_with_the_permission_reads_the_kpi(people, org, kpi):
    reader = people[Role.CISO]
    assert [m.value for m in selectors.kpi_measurements(reader, kpi)] == [D(96), D(93)]
    assert selectors.kpi_row(reader, kpi, today=TODAY).latest_value == D(96)
    assert selectors.scorecard_summary(reader, org, today=TODAY)["all"]["total"] == 1
    assert selectors.kpi_overview(org, user=reader, today=TODAY)["total"] == 1
    assert len(selectors.measurement_changes(reader, kpi)) == 2
