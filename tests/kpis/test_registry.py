"""The computed KPI registry other apps plug into."""

from decimal import Decimal

import pytest

from kpis import registry


def spec(**overrides):
    fields = {
        "key": "test_spec",
        "name": "Spec",
        "description": "d",
        "unit": "count",
        "direction": "lower",
        "domain": "joint",
        "frequency": "monthly",
        "target": 0,
        "warning": 3,
        "critical": 8,
        "csf_function": "GV",
    }
    fields.update(overrides)
    return fields


@pytest.fixture(autouse=True)
def cleanup():
    yield
    registry.unregister("test_spec")


def test_register_and_list():
    @registry.computed_kpi(**spec())
    def fn(organization, start, end):
        return 3

    found = registry.registered_computed_kpis()["test_spec"]
    assert found.func is fn and found.warning == Decimal(3) and found.compute(None, None, None) == Decimal(3)
    registry.registered_computed_kpis().pop("test_spec")  # a copy: the registry is unchanged
    assert "test_spec" in registry.registered_computed_kpis()


@pytest.mark.parametrize(
    "overrides",
    [
        {"unit": "furlongs"},
        {"direction": "up"},
        {"domain": "hr"},
        {"frequency": "daily"},
        {"csf_function": "XX"},
        {"warning": 10},
        {"direction": "higher"},
        {"key": ""},
    ],
)
def test_invalid_specs_are_refused(overrides):
    with pytest.raises(ValueError):
        registry.computed_kpi(**spec(**overrides))


def test_same_key_from_another_function_is_refused():
    @registry.computed_kpi(**spec())
    def first(organization, start, end):
        return None

    with pytest.raises(ValueError, match="already registered"):

        @registry.computed_kpi(**spec())
        def second(organization, start, end):
            return None


def test_none_means_no_data():
    @registry.computed_kpi(**spec())
    def fn(organization, start, end):
        return None

    assert registry.registered_computed_kpis()["test_spec"].compute(None, None, None) is None
