"""Writes: definitions, single values, bulk upsert, imports, library, computed KPIs."""

import math
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection

from core.errors import ConflictError, DomainError
from kpis import registry, services
from kpis.models import KPI, Measurement
from kpis.services import BulkValidationError

from .factories import KPIFactory, MeasurementFactory

TODAY = date(2026, 11, 23)


def make_kpi(org, **kwargs):
    return KPIFactory(organization=org, **kwargs)


def kpi_fields(**overrides):
    fields = {
        "name": "EDR coverage",
        "key": "edr",
        "description": "",
        "domain": "security",
        "unit": "percent",
        "direction": "higher",
        "target": "98",
        "warning": "95",
        "critical": "90",
        "frequency": "monthly",
        "owner": None,
        "csf_function": "DE",
    }
    fields.update(overrides)
    return fields


# ----------------------------------------------------------- definitions ----


def test_create_kpi_records_history_and_decimals(org, cio):
    kpi = services.kpi_create(actor=cio, organization=org, **kpi_fields())
    kpi.refresh_from_db()
    assert kpi.target == D("98") and isinstance(kpi.target, D)
    assert kpi.history.count() == 1 and kpi.history.first().history_user == cio


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"warning": "99"}, "warning", "higher is better"),
        ({"critical": "96"}, "warning", "higher is better"),
        ({"direction": "lower"}, "warning", "lower is better"),
        ({"target": "101"}, "target", "between 0 and 100"),
        (
            {"unit": "days", "direction": "lower", "target": "-1", "warning": "5", "critical": "9"},
            "target",
            "cannot be negative",
        ),
        ({"critical": "abc"}, "critical", "number"),
        ({"name": " "}, "name", "name"),
    ],
)
def test_create_kpi_refuses_inconsistent_definitions(org, cio, overrides, field, words):
    with pytest.raises(DomainError) as exc:
        services.kpi_create(actor=cio, organization=org, **kpi_fields(**overrides))
    assert exc.value.field == field and words in exc.value.message
    assert not KPI.objects.exists()


def test_name_and_key_unique_per_organization(org, other_org, cio):
    services.kpi_create(actor=cio, organization=org, **kpi_fields())
    with pytest.raises(DomainError) as exc:
        services.kpi_create(actor=cio, organization=org, **kpi_fields(name="edr COVERAGE", key="x"))
    assert exc.value.field == "name"
    with pytest.raises(DomainError) as exc:
        services.kpi_create(actor=cio, organization=org, **kpi_fields(name="Other"))
    assert exc.value.field == "key"
    services.kpi_create(actor=cio, organization=other_org, **kpi_fields())  # another tenant: fine


def test_owner_must_be_member(org, cio, people):
    with pytest.raises(DomainError) as exc:
        services.kpi_create(actor=cio, organization=org, **kpi_fields(owner=people["outsider"]))
    assert exc.value.field == "owner"


def test_update_checks_version_and_fixes_unit_once_values_exist(org, cio):
    kpi = services.kpi_create(actor=cio, organization=org, **kpi_fields())
    kpi = services.kpi_update(actor=cio, kpi=kpi, expected_version=1, target="99")
    assert kpi.version == 2 and kpi.target == D("99")
    with pytest.raises(ConflictError):
        services.kpi_update(actor=cio, kpi=kpi, expected_version=1, target="97")
    services.measurement_record(actor=cio, kpi=kpi, period=date(2026, 10, 5), value="96", today=TODAY)
    with pytest.raises(DomainError) as exc:
        services.kpi_update(actor=cio, kpi=kpi, unit="count")
    assert exc.value.field == "unit"
    with pytest.raises(DomainError) as exc:
        services.kpi_update(actor=cio, kpi=kpi, frequency="weekly")
    assert exc.value.field == "frequency"


# ---------------------------------------------------------- single value ----


def test_record_aligns_period_and_updates_instead_of_duplicating(org, cio, ciso):
    kpi = make_kpi(org)
    m, created = services.measurement_record(
        actor=cio, kpi=kpi, period=date(2026, 10, 17), value="91.5", today=TODAY
    )
    assert created and m.period == date(2026, 10, 1) and m.value == D("91.5")
    m2, created = services.measurement_record(
        actor=ciso, kpi=kpi, period=date(2026, 10, 1), value="92", note="corrected", today=TODAY
    )
    assert not created and m2.pk == m.pk and Measurement.objects.count() == 1
    m2.refresh_from_db()
    assert m2.value == D("92") and m2.recorded_by == ciso and m2.history.count() == 2


@pytest.mark.parametrize(
    "unit, value, period, field, words",
    [
        ("percent", "100.01", date(2026, 10, 1), "value", "between 0 and 100"),
        ("percent", "-1", date(2026, 10, 1), "value", "between 0 and 100"),
        ("hours", "-0.5", date(2026, 10, 1), "value", "duration cannot be negative"),
        ("count", "-1", date(2026, 10, 1), "value", "count cannot be negative"),
        ("percent", "abc", date(2026, 10, 1), "value", "number"),
        ("percent", "NaN", date(2026, 10, 1), "value", "number"),
        ("percent", "50", date(2026, 12, 1), "period", "future"),
    ],
)
def test_record_refuses_bad_values(org, cio, unit, value, period, field, words):
    kpi = make_kpi(org, unit=unit, direction="lower", target=D(0), warning=D(5), critical=D(10))
    with pytest.raises(DomainError) as exc:
        services.measurement_record(actor=cio, kpi=kpi, period=period, value=value, today=TODAY)
    assert exc.value.field == field and words in exc.value.message
    assert not Measurement.objects.exists()


def test_current_period_is_allowed(org, cio):
    kpi = make_kpi(org, frequency="weekly")
    m, _ = services.measurement_record(actor=cio, kpi=kpi, period=TODAY, value="50", today=TODAY)
    assert m.period == date(2026, 11, 23)


def test_currency_and_score_may_be_negative(org, cio):
    kpi = make_kpi(org, unit="currency", target=D(0), warning=D(-100), critical=D(-1000))
    m, _ = services.measurement_record(actor=cio, kpi=kpi, period=date(2026, 1, 1), value="-250", today=TODAY)
    assert m.value == D("-250")


# ------------------------------------------------------------------ bulk ----


def items_for(kpis, months=12):
    return [
        {"kpi": kpi.key if i % 2 else kpi.pk, "period": f"2025-{m:02d}-15", "value": str(50 + m), "note": ""}
        for i, kpi in enumerate(kpis)
        for m in range(1, months + 1)
    ]


def test_bulk_upsert_is_idempotent(org, cio, django_assert_max_num_queries):
    kpis = [make_kpi(org) for _ in range(5)]
    items = items_for(kpis)
    result = services.measurements_bulk_upsert(
        actor=cio, organization=org, items=items, source="api", today=TODAY
    )
    assert (result.created, result.updated, result.unchanged) == (60, 0, 0)
    assert Measurement.objects.filter(source="api").count() == 60
    assert Measurement.history.count() == 60
    with django_assert_max_num_queries(6):
        again = services.measurements_bulk_upsert(
            actor=cio, organization=org, items=items, source="api", today=TODAY
        )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 60)
    assert Measurement.objects.count() == 60 and Measurement.history.count() == 60
    items[0]["value"] = "1"
    changed = services.measurements_bulk_upsert(
        actor=cio, organization=org, items=items, source="api", today=TODAY
    )
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 59)
    assert Measurement.objects.get(kpi=kpis[0], period=date(2025, 1, 1)).value == D(1)


def test_bulk_one_bad_item_writes_nothing_and_lists_errors(org, other_org, cio):
    kpi = make_kpi(org)
    foreign = make_kpi(other_org, key="foreign")
    MeasurementFactory(kpi=kpi, period=date(2025, 1, 1), value=D(10))
    items = [
        {"kpi": kpi.pk, "period": "2025-01-01", "value": "99"},  # valid update
        {"kpi": kpi.pk, "period": "2025-02-01", "value": "55"},  # valid create
        {"kpi": kpi.pk, "period": "2025-03-01", "value": "120"},  # percent > 100
        {"kpi": "foreign", "period": "2025-03-01", "value": "1"},  # another organization's key
        {"kpi": kpi.pk, "period": "2099-01-01", "value": "1"},  # future
        {"kpi": kpi.key, "period": "2025-02-20", "value": "1"},  # same period as item 1
        {"kpi": foreign.pk, "period": "nope"},  # unknown here, bad period, no value
        "not an object",
    ]
    with pytest.raises(BulkValidationError) as exc:
        services.measurements_bulk_upsert(actor=cio, organization=org, items=items, source="api", today=TODAY)
    errors = exc.value.as_field_errors()
    assert set(errors) == {
        "items[2].value",
        "items[3].kpi",
        "items[4].period",
        "items[5].period",
        "items[6].kpi",
        "items[6].value",
        "items[7].non_field_errors",
    }
    assert "between 0 and 100" in errors["items[2].value"][0]
    assert Measurement.objects.count() == 1 and Measurement.objects.get().value == D(10)


def test_bulk_of_1000_items_costs_a_handful_of_queries(org, cio, django_assert_max_num_queries):
    kpis = [make_kpi(org, frequency="weekly") for _ in range(10)]
    start = date(2024, 1, 1).toordinal()
    items = [
        {"kpi": kpi.pk, "period": date.fromordinal(start + 7 * w).isoformat(), "value": "90"}
        for kpi in kpis
        for w in range(100)
    ]
    assert len(items) == 1000
    # PostgreSQL writes 500 rows per INSERT; SQLite is capped at 999 parameters per statement,
    # so there the inserts (values and their history) are split into more batches.
    batches = (
        2 if connection.vendor == "postgresql" else math.ceil(1000 * 12 / 999) + math.ceil(1000 * 17 / 999)
    )
    with django_assert_max_num_queries(6 + 2 * 2 + batches):
        result = services.measurements_bulk_upsert(
            actor=cio, organization=org, items=items, source="api", today=TODAY
        )
    assert result.created == 1000 and Measurement.objects.count() == 1000


def test_computed_kpi_refuses_manual_values(org, cio):
    kpi = make_kpi(org, computed=True)
    with pytest.raises(DomainError):
        services.measurement_record(actor=cio, kpi=kpi, period=date(2026, 1, 1), value="1", today=TODAY)
    with pytest.raises(BulkValidationError):
        services.measurements_bulk_upsert(
            actor=cio,
            organization=org,
            source="api",
            today=TODAY,
            items=[{"kpi": kpi.pk, "period": "2026-01-01", "value": "1"}],
        )


# --------------------------------------------------------------- import -----


def test_import_check_and_import_all_or_nothing(org, cio):
    kpi = make_kpi(org, key="edr")
    MeasurementFactory(kpi=kpi, period=date(2026, 1, 1), value=D(90))
    rows = [
        {"kpi": "edr", "period": "2026-01-01", "value": "91"},
        {"kpi": "edr", "period": "2026-02", "value": "92"},
        {"kpi": str(kpi.pk), "period": "2026-03-01", "value": "93", "note": "x"},
    ]
    preview, errors = services.measurements_import_check(organization=org, rows=rows, today=TODAY)
    assert errors == [] and [p.action for p in preview] == ["update", "create", "create"]
    bad = [*rows, {"kpi": "edr", "period": "2026-04-01", "value": "-5"}]
    preview, errors = services.measurements_import_check(organization=org, rows=bad, today=TODAY)
    assert preview == [] and errors == ["Row 5, value: A percentage must be between 0 and 100."]
    with pytest.raises(BulkValidationError) as exc:
        services.measurements_import(actor=cio, organization=org, rows=bad)
    assert "row[5].value" in exc.value.as_field_errors()
    assert Measurement.objects.count() == 1
    result = services.measurements_import(actor=cio, organization=org, rows=rows)
    assert (result.created, result.updated) == (2, 1)
    assert set(Measurement.objects.values_list("source", flat=True)) == {"import"}


# -------------------------------------------------------------- library -----


def test_add_from_library_once(org, cio):
    kpi = services.kpi_add_from_library(actor=cio, organization=org, key="edr_coverage")
    assert kpi.domain == "security" and kpi.unit == "percent" and kpi.target == D(98) and not kpi.computed
    with pytest.raises(DomainError, match="already on your scorecard"):
        services.kpi_add_from_library(actor=cio, organization=org, key="edr_coverage")
    with pytest.raises(DomainError):
        services.kpi_add_from_library(actor=cio, organization=org, key="no_such_kpi")


def test_starter_library_is_complete_and_consistent():
    from kpis import status
    from kpis.library import STARTER_LIBRARY

    assert len(STARTER_LIBRARY) >= 15
    assert {e.domain for e in STARTER_LIBRARY} == {"it", "security", "joint"}
    assert len({e.key for e in STARTER_LIBRARY}) == len(STARTER_LIBRARY)
    for entry in STARTER_LIBRARY:
        assert status.thresholds_consistent(entry.direction, entry.target, entry.warning, entry.critical), (
            entry.key
        )
        assert len(entry.description) > 60, entry.key
    keys = {e.key for e in STARTER_LIBRARY}
    assert {
        "service_availability",
        "change_success_rate",
        "projects_on_time",
        "mttp_critical",
        "edr_coverage",
        "phishing_click_rate",
        "mttd",
        "mttr",
        "backup_restore_success",
        "intake_time_to_decision",
    } <= keys


# -------------------------------------------------------- computed KPIs -----


@pytest.fixture
def test_computed_kpi():
    """A throw-away computed KPI: the number of the organization's other KPIs with a key."""
    calls = []

    @registry.computed_kpi(
        key="test_keyed_kpis",
        name="Keyed KPIs (test)",
        description="For tests.",
        unit="count",
        direction="lower",
        domain="joint",
        frequency="monthly",
        target=0,
        warning=2,
        critical=5,
    )
    def keyed(organization, period_start, period_end):
        calls.append((period_start, period_end))
        count = KPI.objects.filter(organization=organization, computed=False).exclude(key="").count()
        return D(count) if count else None

    yield calls
    registry.unregister("test_keyed_kpis")


def test_computed_kpi_against_known_data(
    org, other_org, cio, test_computed_kpi, django_capture_on_commit_callbacks
):
    make_kpi(org, key="a")
    make_kpi(org, key="b")
    make_kpi(org, key="")
    make_kpi(other_org, key="c")
    with django_capture_on_commit_callbacks(execute=True):
        kpi = services.kpi_add_from_library(actor=cio, organization=org, key="test_keyed_kpis")
    assert kpi.computed and kpi.unit == "count"
    values = dict(Measurement.objects.filter(kpi=kpi).values_list("period", "value"))
    assert set(values.values()) == {D(2)} and len(values) == 2  # last finished and current period
    assert set(Measurement.objects.filter(kpi=kpi).values_list("source", flat=True)) == {"computed"}
    # The nightly refresh recomputes for a given day and updates in place.
    make_kpi(org, key="d")
    written = services.computed_kpis_refresh(organization=org, today=date(2026, 11, 23))
    assert written == 2
    assert Measurement.objects.get(kpi=kpi, period=date(2026, 11, 1)).value == D(3)
    assert test_computed_kpi[-1] == (date(2026, 11, 1), date(2026, 11, 23))
    assert services.computed_kpis_refresh(organization=other_org) == 0  # not added there


def test_computed_kpi_without_data_writes_nothing_and_failures_are_isolated(org, cio, test_computed_kpi):
    kpi = KPIFactory(
        organization=org,
        key="test_keyed_kpis",
        computed=True,
        unit="count",
        direction="lower",
        target=D(0),
        warning=D(2),
        critical=D(5),
    )
    assert services.computed_kpis_refresh(organization=org, today=TODAY) == 0  # None: no data
    assert not kpi.measurements.exists()

    @registry.computed_kpi(
        key="test_broken",
        name="Broken",
        unit="count",
        direction="lower",
        domain="it",
        target=0,
        warning=1,
        critical=2,
    )
    def broken(organization, start, end):
        raise RuntimeError("boom")

    try:
        KPIFactory(
            organization=org,
            key="test_broken",
            computed=True,
            unit="count",
            direction="lower",
            target=D(0),
            warning=D(1),
            critical=D(2),
        )
        make_kpi(org, key="a")
        assert services.computed_kpis_refresh_all(today=TODAY) == 2
    finally:
        registry.unregister("test_broken")


def test_refresh_task_runs_the_service(org, cio, test_computed_kpi):
    from kpis.tasks import BEAT_SCHEDULE, refresh_computed_kpis

    KPIFactory(
        organization=org,
        key="test_keyed_kpis",
        computed=True,
        unit="count",
        direction="lower",
        target=D(0),
        warning=D(2),
        critical=D(5),
    )
    make_kpi(org, key="a")
    assert refresh_computed_kpis.apply().get() == 2
    assert BEAT_SCHEDULE["kpis-refresh-computed"]["task"] == "kpis.tasks.refresh_computed_kpis"


def test_computed_kpi_supersedes_its_starter_twin():
    from kpis.library import SUPERSEDED_BY, library_entries

    computed_key = SUPERSEDED_BY["intake_time_to_decision"]
    registered_here = computed_key not in registry.registered_computed_kpis()
    if registered_here:  # the governance app registers it in the full product
        registry.computed_kpi(
            key=computed_key,
            name="Intake (test)",
            unit="days",
            direction="lower",
            domain="joint",
            target=5,
            warning=8,
            critical=12,
        )(lambda organization, s, e: None)
    keys = {entry.key for entry in library_entries()}
    if registered_here:
        registry.unregister(computed_key)
    assert computed_key in keys and "intake_time_to_decision" not in keys
