"""The one place where computed KPIs are registered.

Any app may plug a KPI computed from its own data into the scorecard without
the ``kpis`` app knowing about it (apps to the right of ``kpis`` depend on it,
never the other way round). Put the function in ``<app>/computed_kpis.py``::

    from kpis.registry import computed_kpi

    @computed_kpi(key="open_risks_above_appetite", name="Open risks above appetite",
                  description="...", unit="count", direction="lower", domain="joint",
                  frequency="monthly", target=0, warning=3, critical=8,
                  csf_function="GV")
    def open_risks_above_appetite(organization, period_start, period_end):
        ...  # return a Decimal, or None when there is nothing to measure

``KpisConfig.ready()`` imports every ``<app>.computed_kpis`` module, the way the
admin finds ``admin.py``. ``registered_computed_kpis()`` lists what is known.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

UNITS = ("percent", "count", "days", "hours", "minutes", "ratio", "currency", "score")
DIRECTIONS = ("higher", "lower")
DOMAINS = ("it", "security", "joint")
FREQUENCIES = ("weekly", "monthly", "quarterly")
CSF_FUNCTIONS = ("", "GV", "ID", "PR", "DE", "RS", "RC")

ComputeFn = Callable[[Any, date, date], "Decimal | None"]


@dataclass(frozen=True)
class ComputedKpiSpec:
    key: str
    name: str
    description: str
    unit: str
    direction: str
    domain: str
    frequency: str
    target: Decimal
    warning: Decimal
    critical: Decimal
    csf_function: str
    func: ComputeFn

    def compute(self, organization, period_start: date, period_end: date) -> Decimal | None:
        """Run the function; normalise its result to a Decimal (or None: no data)."""
        value = self.func(organization, period_start, period_end)
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))


_REGISTRY: dict[str, ComputedKpiSpec] = {}


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"computed KPI {name}={value!r} must be one of {allowed}")


def _check_thresholds(direction: str, target: Decimal, warning: Decimal, critical: Decimal) -> None:
    ordered = critical <= warning <= target if direction == "higher" else target <= warning <= critical
    if not ordered:
        raise ValueError(
            "computed KPI thresholds are inconsistent with its direction "
            f"(direction={direction}, target={target}, warning={warning}, critical={critical})"
        )


def computed_kpi(
    *,
    key: str,
    name: str,
    description: str = "",
    unit: str,
    direction: str,
    domain: str,
    frequency: str = "monthly",
    target,
    warning,
    critical,
    csf_function: str = "",
) -> Callable[[ComputeFn], ComputeFn]:
    """Register ``func(organization, period_start, period_end) -> Decimal | None``.

    Registering the same key twice with a different function is an error (two
    apps would fight over one KPI); re-importing the same module is harmless.
    """
    _check_choice("unit", unit, UNITS)
    _check_choice("direction", direction, DIRECTIONS)
    _check_choice("domain", domain, DOMAINS)
    _check_choice("frequency", frequency, FREQUENCIES)
    _check_choice("csf_function", csf_function, CSF_FUNCTIONS)
    if not key or len(key) > 80:
        raise ValueError("computed KPI key must be 1-80 characters")
    target_d, warning_d, critical_d = (Decimal(str(v)) for v in (target, warning, critical))
    _check_thresholds(direction, target_d, warning_d, critical_d)

    def decorator(func: ComputeFn) -> ComputeFn:
        existing = _REGISTRY.get(key)
        if existing is not None and existing.func.__qualname__ != func.__qualname__:
            raise ValueError(f"computed KPI {key!r} is already registered by {existing.func.__module__}")
        _REGISTRY[key] = ComputedKpiSpec(
            key=key,
            name=name,
            description=description,
            unit=unit,
            direction=direction,
            domain=domain,
            frequency=frequency,
            target=target_d,
            warning=warning_d,
            critical=critical_d,
            csf_function=csf_function,
            func=func,
        )
        return func

    return decorator


def registered_computed_kpis() -> dict[str, ComputedKpiSpec]:
    """Every registered computed KPI, key → spec (a copy: callers cannot mutate it)."""
    return dict(_REGISTRY)


def unregister(key: str) -> None:
    """Forget a computed KPI (tests register throw-away ones)."""
    _REGISTRY.pop(key, None)
