"""Every write to KPIs and measurements: definitions, the starter library,
single and bulk measurements, imports and computed values."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from core import outbox
from core.cache import bump_org_version
from core.concurrency import lock_for_update
from core.errors import DomainError
from core.members import require_member
from core.models import Organization
from core.permissions import require_perm
from core.roles import Perm
from core.services import record_change, record_creation, record_deletion

from . import notification_events
from . import status as kpi_status
from .library import library_entry
from .models import KPI, Measurement, Source
from .registry import registered_computed_kpis
from .validation import (
    CleanItem,
    ItemError,
    clean_measurement_items,
    clean_period,
    clean_value,
    kpi_field_errors,
)

logger = logging.getLogger(__name__)

KPI_FIELDS = (
    "name",
    "key",
    "description",
    "domain",
    "unit",
    "direction",
    "target",
    "warning",
    "critical",
    "frequency",
    "owner",
    "csf_function",
)


class BulkValidationError(DomainError):
    """Some items of a bulk write are invalid; nothing was written."""

    def __init__(self, errors: list[ItemError], *, label: str = "items"):
        self.item_errors = errors
        self.label = label
        count = len({e.index for e in errors})
        super().__init__(f"{count} item(s) are not valid; nothing was saved.", field=None)

    def as_field_errors(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for error in self.item_errors:
            out.setdefault(f"{self.label}[{error.index}].{error.field}", []).append(error.message)
        return out


# ------------------------------------------------------------------ KPIs ----


def _require_editor(actor, organization: Organization) -> None:
    """Every write below: the actor may change KPIs here (``actor=None``: Concord itself)."""
    require_perm(
        actor, organization, Perm.KPI_EDIT, "Your role does not allow changing KPIs or their values."
    )


def _check_kpi(organization: Organization, data: dict, *, instance: KPI | None = None) -> None:
    errors = kpi_field_errors(data)
    if errors:
        field, message = errors[0]
        raise DomainError(message, field=field)
    clash = KPI.objects.filter(organization=organization, name__iexact=data["name"])
    key_clash = KPI.objects.filter(organization=organization, key=data["key"]) if data.get("key") else None
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
        key_clash = key_clash.exclude(pk=instance.pk) if key_clash is not None else None
    if clash.exists():
        raise DomainError("Another KPI already has this name.", field="name")
    if key_clash is not None and key_clash.exists():
        raise DomainError("Another KPI already uses this key.", field="key")
    for field in ("target", "warning", "critical"):
        data[field] = Decimal(str(data[field]).strip()).quantize(Decimal("0.0001"))
    owner = data.get("owner")
    require_member(owner, organization, field="owner", required=False)


@transaction.atomic
def kpi_create(*, actor, organization: Organization, computed: bool = False, **fields) -> KPI:
    _require_editor(actor, organization)
    data = {name: fields.get(name) for name in KPI_FIELDS}
    data["key"] = data.get("key") or ""
    data["description"] = data.get("description") or ""
    data["csf_function"] = data.get("csf_function") or ""
    _check_kpi(organization, data)
    kpi = KPI(organization=organization, computed=computed, **data)
    try:
        with transaction.atomic():
            record_creation(kpi, actor=actor)
    except IntegrityError:
        raise DomainError("Another KPI already has this name or key.", field="name")
    return kpi


@transaction.atomic
def kpi_update(*, actor, kpi: KPI, expected_version: int | None = None, **fields) -> KPI:
    """Change a KPI's definition. Unit, frequency and (for computed KPIs) the key
    are fixed once values exist: the recorded values would lose their meaning."""
    _require_editor(actor, kpi.organization)
    kpi = lock_for_update(KPI, pk=kpi.pk, expected_version=expected_version)
    data = {name: getattr(kpi, name) for name in KPI_FIELDS}
    data.update({k: v for k, v in fields.items() if k in KPI_FIELDS})
    data["key"] = data.get("key") or ""
    data["description"] = data.get("description") or ""
    data["csf_function"] = data.get("csf_function") or ""
    has_values = kpi.measurements.exists()
    for fixed in ("unit", "frequency"):
        if has_values and data[fixed] != getattr(kpi, fixed):
            raise DomainError(
                f"The {fixed} cannot change once values are recorded. Create a new KPI instead.", field=fixed
            )
    if kpi.computed and data["key"] != kpi.key:
        raise DomainError("A computed KPI keeps its key: Concord finds its function by it.", field="key")
    _check_kpi(kpi.organization, data, instance=kpi)
    changed = [name for name in KPI_FIELDS if getattr(kpi, name) != data[name]]
    if not changed:
        return kpi
    for name in changed:
        setattr(kpi, name, data[name])
    record_change(kpi, actor=actor)
    return kpi


@transaction.atomic
def kpi_delete(*, actor, kpi: KPI) -> None:
    _require_editor(actor, kpi.organization)
    record_deletion(kpi, actor=actor)


@transaction.atomic
def kpi_add_from_library(*, actor, organization: Organization, key: str) -> KPI:
    """Add a starter (or computed) KPI to the organization, ready to adjust."""
    _require_editor(actor, organization)
    entry = library_entry(key)
    if entry is None:
        raise DomainError("This KPI is not in the library.", field="key")
    if KPI.objects.filter(organization=organization, key=key).exists():
        raise DomainError(f"“{entry.name}” is already on your scorecard.", field="key")
    kpi = kpi_create(
        actor=actor,
        organization=organization,
        computed=entry.computed,
        name=entry.name,
        key=entry.key,
        description=entry.description,
        domain=entry.domain,
        unit=entry.unit,
        direction=entry.direction,
        target=entry.target,
        warning=entry.warning,
        critical=entry.critical,
        frequency=entry.frequency,
        owner=None,
        csf_function=entry.csf_function,
    )
    if entry.computed:
        # Its first value is computed by the worker, after commit (core.outbox).
        outbox.enqueue(
            "kpis.tasks.refresh_computed_kpi",
            organization=organization,
            key=f"kpis.refresh:{organization.pk}:{key}",
            organization_id=organization.pk,
            kpi_key=key,
        )
    return kpi


# ---------------------------------------------------------- measurements ----


@transaction.atomic
def measurement_record(
    *,
    actor,
    kpi: KPI,
    period: date,
    value,
    note: str = "",
    source: str = Source.MANUAL,
    today: date | None = None,
) -> tuple[Measurement, bool]:
    """Record (or update) the value of one period. Returns (measurement, created)."""
    _require_editor(actor, kpi.organization)
    if kpi.computed and source != Source.COMPUTED:
        raise DomainError(
            "Concord computes this KPI's values; they cannot be entered by hand.", field="value"
        )
    period = clean_period(period, kpi.frequency, today or timezone.localdate())
    value = clean_value(value, kpi.unit)
    _lock_kpis([kpi.pk])
    notification_events.on_values_committed([kpi.pk])  # a value that turns it red is told at once
    existing = Measurement.objects.select_for_update().filter(kpi=kpi, period=period).first()
    if existing is None:
        measurement = Measurement(
            organization=kpi.organization,
            kpi=kpi,
            period=period,
            value=value,
            note=note.strip(),
            source=source,
            recorded_by=actor,
        )
        record_creation(measurement, actor=actor)
        return measurement, True
    if existing.value != value or existing.note != note.strip() or existing.source != source:
        existing.value, existing.note, existing.source, existing.recorded_by = (
            value,
            note.strip(),
            source,
            actor,
        )
        record_change(existing, actor=actor, void_signoffs=False)
    return existing, False


@transaction.atomic
def measurement_delete(*, actor, measurement: Measurement) -> None:
    _require_editor(actor, measurement.organization)
    record_deletion(measurement, actor=actor)


def _lock_kpis(kpi_ids) -> None:
    """Serialise writers of the same KPIs' values: lock the KPI rows, always in
    primary-key order so that two bulk writes never wait on each other in a
    cycle (deadlock). A writer that waited then reads the values the other one
    committed, so it updates them (or finds them unchanged) instead of creating
    them a second time. ``no_key`` leaves other rows free to refer to the KPIs."""
    list(KPI.objects.select_for_update(no_key=True).filter(pk__in=kpi_ids).order_by("pk").values_list("pk"))


@dataclass
class BulkResult:
    created: int
    updated: int
    unchanged: int
    measurements: list[Measurement]


@transaction.atomic
def measurements_bulk_upsert(
    *,
    actor,
    organization: Organization,
    items: list[dict],
    source: str,
    label: str = "items",
    today: date | None = None,
) -> BulkResult:
    """Create or update many measurements at once, all or nothing.

    Every item ({kpi: id or key, period, value, note}) is validated first; any
    error raises ``BulkValidationError`` listing ``items[i].field`` messages and
    nothing is written. Re-sending the same items changes nothing (idempotent).
    A fixed handful of queries whatever the number of items.
    """
    _require_editor(actor, organization)
    clean, errors = clean_measurement_items(
        organization, items, today=today or timezone.localdate(), allow_computed=source == Source.COMPUTED
    )
    if errors:
        raise BulkValidationError(errors, label=label)
    kpi_ids = {c.kpi.pk for c in clean}
    _lock_kpis(kpi_ids)
    notification_events.on_values_committed(kpi_ids)
    existing = {
        (m.kpi_id, m.period): m
        for m in Measurement.objects.select_for_update()
        .filter(organization=organization, kpi_id__in=kpi_ids, period__in={c.period for c in clean})
        .order_by("pk")
    }
    now = timezone.now()
    to_create, to_update, unchanged = [], [], []
    for item in clean:
        current = existing.get((item.kpi.pk, item.period))
        if current is None:
            to_create.append(
                Measurement(
                    organization=organization,
                    kpi=item.kpi,
                    period=item.period,
                    value=item.value,
                    note=item.note,
                    source=source,
                    recorded_by=actor,
                )
            )
        elif current.value == item.value and current.note == item.note:
            unchanged.append(current)
        else:
            current.value, current.note, current.source, current.recorded_by = (
                item.value,
                item.note,
                source,
                actor,
            )
            current.version += 1
            current.updated_at = now
            to_update.append(current)
    to_create.sort(key=lambda m: (m.kpi_id, m.period))  # inserts, too, in one fixed order
    to_update.sort(key=lambda m: m.pk)
    if to_create:
        # update_conflicts covers a concurrent request that inserted the same period meanwhile.
        Measurement.objects.bulk_create(
            to_create,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["kpi", "period"],
            update_fields=["value", "note", "source", "recorded_by", "updated_at"],
        )
        Measurement.history.bulk_history_create([m for m in to_create if m.pk], default_user=actor)
    if to_update:
        Measurement.objects.bulk_update(
            to_update, ["value", "note", "source", "recorded_by", "version", "updated_at"], batch_size=500
        )
        Measurement.history.bulk_history_create(to_update, update=True, default_user=actor)
    bump_org_version(organization.pk)  # bulk writes send no signal: dashboards must re-read
    return BulkResult(
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(unchanged),
        measurements=to_create + to_update + unchanged,
    )


def _rows_to_items(rows: list[dict[str, str]]) -> list[dict]:
    return [
        {
            "kpi": row.get("kpi", ""),
            "period": row.get("period", ""),
            "value": row.get("value", ""),
            "note": row.get("note", ""),
        }
        for row in rows
    ]


@dataclass
class ImportPreviewRow:
    line: int  # the spreadsheet row (the header is row 1)
    item: CleanItem
    action: str  # "create", "update" or "unchanged" (core.imports.ACTIONS)


def measurements_import_check(
    *, actor, organization: Organization, rows: list[dict[str, str]], today: date | None = None
) -> tuple[list[ImportPreviewRow], list[str]]:
    """Dry run of an import: what each row would do, or every row error
    ("Row 3, value: …"; the header is row 1). Writes nothing, and tells only
    someone who may import."""
    _require_editor(actor, organization)
    clean, errors = clean_measurement_items(
        organization, _rows_to_items(rows), today=today or timezone.localdate()
    )
    if errors:
        return [], [f"Row {e.index + 2}, {e.field}: {e.message}" for e in errors]
    existing = {
        (kpi_id, period): (value, note)
        for kpi_id, period, value, note in Measurement.objects.filter(
            organization=organization,
            kpi_id__in={c.kpi.pk for c in clean},
            period__in={c.period for c in clean},
        ).values_list("kpi_id", "period", "value", "note")
    }
    preview = []
    for index, item in enumerate(clean):
        current = existing.get((item.kpi.pk, item.period))
        action = (
            "create" if current is None else ("unchanged" if current == (item.value, item.note) else "update")
        )
        preview.append(ImportPreviewRow(line=index + 2, item=item, action=action))
    return preview, []


def measurements_import(*, actor, organization: Organization, rows: list[dict[str, str]]) -> BulkResult:
    """Import rows of a CSV/XLSX file (kpi, period, value, note), all or nothing.
    Errors name the spreadsheet row (header is row 1)."""
    try:
        return measurements_bulk_upsert(
            actor=actor, organization=organization, items=_rows_to_items(rows), source=Source.IMPORT
        )
    except BulkValidationError as exc:
        raise BulkValidationError(
            [ItemError(e.index + 2, e.field, e.message) for e in exc.item_errors], label="row"
        ) from None


# --------------------------------------------------------- computed KPIs ----


def computed_kpis_refresh(
    *, organization: Organization, keys: list[str] | None = None, today: date | None = None, back: int = 1
) -> int:
    """Recompute the organization's computed KPIs for the current period and the
    ``back`` finished ones before it (the last one's value may still change until
    the period closes; more go back further, where a function can tell).
    A function that fails is logged and skipped: one broken KPI must not stop
    the others. Returns the number of values written."""
    today = today or timezone.localdate()
    specs = registered_computed_kpis()
    kpis = KPI.objects.filter(organization=organization, computed=True, key__in=list(specs))
    if keys is not None:
        kpis = kpis.filter(key__in=keys)
    items = []
    for kpi in kpis:
        current = kpi_status.align_period(today, kpi.frequency)
        for start in [kpi_status.shift_period(current, kpi.frequency, -n) for n in range(back, 0, -1)] + [
            current
        ]:
            end = min(kpi_status.period_end(start, kpi.frequency), today)
            try:
                value = specs[kpi.key].compute(organization, start, end)
            except Exception:
                logger.exception("Computed KPI %s failed for %s", kpi.key, organization.slug)
                continue
            if value is not None:
                items.append(
                    {
                        "kpi": kpi.pk,
                        "period": start,
                        "value": value,
                        "note": "Computed by Concord from its own records.",
                    }
                )
    if not items:
        return 0
    result = measurements_bulk_upsert(
        actor=None, organization=organization, items=items, source=Source.COMPUTED, today=today
    )
    return result.created + result.updated


def computed_kpis_refresh_all(*, today: date | None = None) -> int:
    """Refresh computed KPIs in every organization that has any."""
    total = 0
    org_ids = KPI.objects.filter(computed=True).values_list("organization_id", flat=True).distinct()
    for organization in Organization.objects.filter(pk__in=org_ids):
        try:
            total += computed_kpis_refresh(organization=organization, today=today)
        except DomainError:
            logger.exception("Computed KPIs of %s could not be saved", organization.slug)
    return total
