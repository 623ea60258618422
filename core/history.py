"""Reading change history (recorded by django-simple-history) as before → after."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

HIDDEN_FIELDS = {"version", "updated_at", "created_at", "id", "organization"}


@dataclass
class FieldChange:
    field: str
    label: str
    old: object
    new: object


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    action: str  # "created", "changed", "deleted"
    reason: str = ""
    changes: list[FieldChange] = field(default_factory=list)


_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def _display(record, field_name: str, value):
    model_field = record.instance_type._meta.get_field(field_name)
    if model_field.choices and value not in (None, ""):
        return dict(model_field.flatchoices).get(value, value)
    if value in (None, ""):
        return "—"
    return value


def history_entries(obj, *, limit: int = 100) -> list[HistoryEntry]:
    """Newest first. Two queries whatever the length (records, then users)."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    entries: list[HistoryEntry] = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        entry = HistoryEntry(
            when=record.history_date,
            who=str(record.history_user) if record.history_user else "Concord (automatic)",
            action=_ACTIONS.get(record.history_type, "changed"),
            reason=record.history_change_reason or "",
        )
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous, foreign_keys_are_objs=False)
            for change in delta.changes:
                if change.field in HIDDEN_FIELDS:
                    continue
                label = record.instance_type._meta.get_field(change.field).verbose_name
                entry.changes.append(
                    FieldChange(
                        field=change.field,
                        label=str(label).capitalize(),
                        old=_display(record, change.field, change.old),
                        new=_display(record, change.field, change.new),
                    )
                )
        entries.append(entry)
    return entries
