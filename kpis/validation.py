"""Checking KPI definitions and measurement values before anything is written.

Shared by the single-value service, the bulk API, imports and forms, so that
every entry point refuses the same things with the same words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import Q

from core.errors import DomainError
from core.validation import text_problem

from . import status as kpi_status
from .models import KPI, NON_NEGATIVE_UNITS, Unit

MAX_ABS_VALUE = Decimal("99999999999999")  # 14 integer digits (DecimalField 18,4)
MAX_NOTE = 500
UNIT_WORDS = {
    "count": "A count",
    "days": "A duration",
    "hours": "A duration",
    "minutes": "A duration",
    "ratio": "A ratio",
}


def _decimal(raw) -> Decimal:
    if isinstance(raw, bool) or raw is None:
        raise InvalidOperation
    value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(",", ""))
    if not value.is_finite():
        raise InvalidOperation
    return value


def unit_problem(value: Decimal, unit: str) -> str | None:
    """Why ``value`` cannot be a value of ``unit`` (None when it can)."""
    if unit == Unit.PERCENT and not (Decimal(0) <= value <= Decimal(100)):
        return "A percentage must be between 0 and 100."
    if unit in NON_NEGATIVE_UNITS and value < 0:
        return f"{UNIT_WORDS[unit]} cannot be negative."
    if abs(value) > MAX_ABS_VALUE:
        return "This number is too large."
    return None


def clean_value(raw, unit: str) -> Decimal:
    try:
        value = _decimal(raw)
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError("Enter a number, e.g. 97.5.", field="value")
    problem = unit_problem(value, unit)
    if problem:
        raise DomainError(problem, field="value")
    return value.quantize(Decimal("0.0001"))


def parse_date(raw) -> date:
    if isinstance(raw, date):
        return raw
    text = str(raw or "").strip()[:10]
    if len(text) == 7:  # "2026-10": a month
        text += "-01"
    return date.fromisoformat(text)


def clean_period(raw, frequency: str, today: date) -> date:
    """The start of the period containing ``raw``; refuses dates in the future."""
    try:
        day = parse_date(raw)
    except (TypeError, ValueError):
        raise DomainError("Enter the period as a date, YYYY-MM-DD (or YYYY-MM for a month).", field="period")
    start = kpi_status.align_period(day, frequency)
    if start > today:
        raise DomainError(
            "The period is in the future. Record values once the period has started.", field="period"
        )
    if start.year < 2000:
        raise DomainError("The period is too far in the past.", field="period")
    return start


def kpi_field_errors(data: dict) -> list[tuple[str, str]]:
    """Problems with a KPI definition, as (field, message)."""
    errors: list[tuple[str, str]] = []
    if not (data.get("name") or "").strip():
        errors.append(("name", "Give the KPI a name."))
    values = {}
    for field in ("target", "warning", "critical"):
        try:
            values[field] = _decimal(data.get(field))
        except (InvalidOperation, ValueError, TypeError):
            errors.append((field, "Enter a number."))
            continue
        problem = unit_problem(values[field], data.get("unit", ""))
        if problem:
            errors.append((field, problem))
    if errors:
        return errors
    direction = data.get("direction")
    if not kpi_status.thresholds_consistent(
        direction, values["target"], values["warning"], values["critical"]
    ):
        if direction == "higher":
            message = (
                "When higher is better, the critical threshold must be at or below the warning threshold, "
                "and the warning threshold at or below the target."
            )
        else:
            message = (
                "When lower is better, the critical threshold must be at or above the warning threshold, "
                "and the warning threshold at or above the target."
            )
        errors.append(("warning", message))
    return errors


@dataclass(frozen=True)
class ItemError:
    index: int
    field: str
    message: str


@dataclass(frozen=True)
class CleanItem:
    kpi: KPI
    period: date
    value: Decimal
    note: str


MAX_ID = 2**63 - 1


def _as_id(ref) -> int | None:
    """A KPI number given as a number or as digits (None if it is not one)."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        return ref if 0 < ref <= MAX_ID else -1
    if isinstance(ref, str) and ref.strip().isascii() and ref.strip().isdigit():
        return int(ref.strip()) if len(ref.strip()) <= 18 else -1
    return None


def _kpi_lookup(organization, items: list) -> tuple[dict[int, KPI], dict[str, KPI]]:
    """Every KPI the items name, in one query (by id or by key)."""
    ids, keys = set(), set()
    for item in items:
        ref = item.get("kpi") if isinstance(item, dict) else None
        number = _as_id(ref)
        if number is not None:
            ids.add(number) if number > 0 else None
        elif (
            isinstance(ref, str)
            and ref.strip()
            and len(ref) <= 200
            and text_problem(ref, one_line=True) is None
        ):
            keys.add(ref.strip())
    kpis = (
        list(KPI.objects.filter(Q(pk__in=ids) | Q(key__in=keys), organization=organization))
        if ids or keys
        else []
    )
    return {k.pk: k for k in kpis}, {k.key: k for k in kpis if k.key}


def _resolve(ref, by_id, by_key) -> KPI | None:
    number = _as_id(ref)
    if number is not None:
        return by_id.get(number)
    if isinstance(ref, str):
        return by_key.get(ref.strip())
    return None


def clean_measurement_items(
    organization, items: list, *, today: date, allow_computed: bool = False
) -> tuple[list[CleanItem], list[ItemError]]:
    """Validate every item; return the clean ones and every error (never stops at the first)."""
    by_id, by_key = _kpi_lookup(organization, items)
    clean: list[CleanItem] = []
    errors: list[ItemError] = []
    seen: dict[tuple[int, date], int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors.append(ItemError(index, "non_field_errors", "Each item must be an object."))
            continue
        item_errors = _clean_item(index, item, by_id, by_key, today, allow_computed, clean)
        errors.extend(item_errors)
        if not item_errors:
            key = (clean[-1].kpi.pk, clean[-1].period)
            if key in seen:
                errors.append(ItemError(index, "period", f"Same KPI and period as item {seen[key]}."))
                clean.pop()
            else:
                seen[key] = index
    return clean, errors


def _clean_item(index, item, by_id, by_key, today, allow_computed, clean) -> list[ItemError]:
    errors = [
        ItemError(index, name, problem)
        for name in ("kpi", "period", "value", "note")
        if (problem := text_problem(item.get(name), one_line=name != "note"))
    ]
    if errors:
        return errors
    kpi = _resolve(item.get("kpi"), by_id, by_key)
    if kpi is None:
        errors.append(ItemError(index, "kpi", "No KPI with this id or key in this organization."))
    elif kpi.computed and not allow_computed:
        errors.append(ItemError(index, "kpi", "Concord computes this KPI's values; they cannot be sent."))
    note = item.get("note") or ""
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        errors.append(ItemError(index, "note", f"The note must be text of at most {MAX_NOTE} characters."))
    if "value" not in item or item.get("value") in (None, ""):
        errors.append(ItemError(index, "value", "A value is required."))
    if "period" not in item or item.get("period") in (None, ""):
        errors.append(ItemError(index, "period", "A period is required."))
    if kpi is None or errors:
        return errors
    try:
        period = clean_period(item["period"], kpi.frequency, today)
    except DomainError as exc:
        errors.append(ItemError(index, "period", exc.message))
    try:
        value = clean_value(item["value"], kpi.unit)
    except DomainError as exc:
        errors.append(ItemError(index, "value", exc.message))
    if not errors:
        clean.append(CleanItem(kpi=kpi, period=period, value=value, note=note.strip()))
    return errors


def kpi_import_problems(kpi) -> list[tuple[str, str]]:
    """Domain rules on a KPI row of an organization import (core.portability)."""
    return kpi_field_errors(
        {
            "name": kpi.name,
            "unit": kpi.unit,
            "direction": kpi.direction,
            "target": kpi.target,
            "warning": kpi.warning,
            "critical": kpi.critical,
        }
    )


def measurement_import_problems(measurement) -> list[tuple[str, str]]:
    """Domain rules on a measurement row of an organization import: the value fits the KPI's unit."""
    problem = unit_problem(Decimal(measurement.value), measurement.kpi.unit)
    return [("value", problem)] if problem else []
