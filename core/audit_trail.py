"""The Audit page's read side: every recorded change of the organization's
objects (django-simple-history tables of all models with an ``organization``)
and every security event, merged newest first.

One UNION query picks the rows of a page (and one counts them); the page's rows
are then described with a few queries per model present on the page, so the
cost does not grow with the size of the history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db.models import CharField, DateTimeField, F, IntegerField, Q, Value
from django.db.models.functions import Cast
from django.utils import timezone

from .history import HIDDEN_FIELDS
from .models import Membership, Organization, SecurityEvent, SecurityEventKind, User

SECURITY = "security"
CHANGES = "changes"
_ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
_NAME_FIELDS = ("title", "name", "label", "code", "activity", "email")


@dataclass
class AuditFilters:
    kind: str = ""  # "", "changes", "security" or one SecurityEventKind value
    person: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class AuditRow:
    at: datetime
    category: str  # "change" or "security"
    action: str
    what: str
    who: str
    details: list[str] = field(default_factory=list)
    ip_address: str = ""
    kind: str = ""


def history_models(*, viewer=None, organization: Organization | None = None) -> list[tuple[str, type, type]]:
    """(label, model, historical model) for every model with history that
    belongs to an organization, found through the app registry.

    With ``viewer``, only the models whose rows the viewer may see in
    ``organization`` (the model's ``view_permission``): an admin's trail holds
    memberships and settings, never business content. Models without a
    ``view_permission`` (organization, memberships) are the audit's own.
    """
    from .permissions import has_perm

    found = []
    for model in apps.get_models():
        manager_attr = getattr(model._meta, "simple_history_manager_attribute", None)
        if not manager_attr:
            continue
        field_names = {f.name for f in model._meta.get_fields()}
        if model is not Organization and "organization" not in field_names:
            continue
        perm = getattr(model, "view_permission", None)
        if viewer is not None and perm is not None and not has_perm(viewer, organization, perm):
            continue
        found.append((model._meta.label_lower, model, getattr(model, manager_attr).model))
    return found


def _bounds(filters: AuditFilters):
    tz = timezone.get_current_timezone()
    start = datetime.combine(filters.date_from, time.min, tzinfo=tz) if filters.date_from else None
    end = (
        datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=tz)
        if filters.date_to
        else None
    )
    return start, end


def _history_part(label, model, history_model, organization, filters, start, end):
    if model is Organization:
        qs = history_model.objects.filter(id=organization.pk)
    else:
        qs = history_model.objects.filter(organization_id=organization.pk)
    if filters.person:
        qs = qs.filter(history_user_id=filters.person)
    if start:
        qs = qs.filter(history_date__gte=start)
    if end:
        qs = qs.filter(history_date__lt=end)
    return (
        qs.order_by()
        .annotate(
            a_at=Cast(F("history_date"), DateTimeField()),
            a_source=Value(label, output_field=CharField()),
            a_ref=Cast(F("history_id"), IntegerField()),
            a_action=Cast(F("history_type"), CharField()),
        )
        .values_list("a_at", "a_source", "a_ref", "a_action")
    )


def security_events_for(organization: Organization):
    """Events in the organization plus person-level events of its members."""
    members = Membership.objects.filter(organization=organization)
    return SecurityEvent.objects.filter(
        Q(organization=organization)
        | Q(organization__isnull=True, actor_id__in=members.values("user_id"))
        | Q(organization__isnull=True, subject_id__in=members.values("user_id"))
        | Q(organization__isnull=True, actor__isnull=True, actor_email__in=members.values("user__email"))
    )


def _security_part(organization, filters, start, end):
    qs = security_events_for(organization)
    if filters.kind and filters.kind not in (SECURITY, CHANGES):
        qs = qs.filter(kind=filters.kind)
    if filters.person:
        qs = qs.filter(Q(actor_id=filters.person) | Q(subject_id=filters.person))
    if start:
        qs = qs.filter(created_at__gte=start)
    if end:
        qs = qs.filter(created_at__lt=end)
    return (
        qs.order_by()
        .annotate(
            a_at=Cast(F("created_at"), DateTimeField()),
            a_source=Value(SECURITY, output_field=CharField()),
            a_ref=Cast(F("id"), IntegerField()),
            a_action=Cast(F("kind"), CharField()),
        )
        .values_list("a_at", "a_source", "a_ref", "a_action")
    )


def audit_queryset(*, organization: Organization, filters: AuditFilters, viewer=None):
    """A UNION of (at, source, ref, action) rows, newest first; slice it to page.
    With ``viewer``, changes only to what the viewer may see (``history_models``)."""
    start, end = _bounds(filters)
    parts = []
    if filters.kind in ("", CHANGES):
        parts += [
            _history_part(*m, organization, filters, start, end)
            for m in history_models(viewer=viewer, organization=organization)
        ]
    if filters.kind != CHANGES:
        parts.append(_security_part(organization, filters, start, end))
    first, *rest = parts
    combined = first.union(*rest, all=True) if rest else first
    return combined.order_by("-a_at", "-a_ref")


# ---------------------------------------------------------- describing ----


def _record_name(record) -> str:
    for name in _NAME_FIELDS:
        value = getattr(record, name, None)
        if value:
            return str(value)[:80]
    return f"#{record.id}"


def _value(record, field_obj, value) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if field_obj.choices:
        value = dict(field_obj.flatchoices).get(value, value)
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _diff(record, previous) -> list[str]:
    if previous is None or record.history_type != "~":
        return []
    lines = []
    for field_obj in record.instance_type._meta.concrete_fields:
        if field_obj.name in HIDDEN_FIELDS:
            continue
        old, new = getattr(previous, field_obj.attname, None), getattr(record, field_obj.attname, None)
        if old == new:
            continue
        label = str(field_obj.verbose_name).capitalize()
        if field_obj.is_relation:
            lines.append(f"{label} changed")
        else:
            lines.append(f"{label}: {_value(record, field_obj, old)} → {_value(record, field_obj, new)}")
    return lines


def _previous_records(history_model, records) -> dict[int, object]:
    """For each record, the record of the same object just before it (one query)."""
    if not records:
        return {}
    latest = max(r.history_date for r in records)
    ids = {r.id for r in records}
    older = history_model.objects.filter(id__in=ids, history_date__lte=latest).order_by(
        "id", "-history_date", "-history_id"
    )
    by_object = defaultdict(list)
    for row in older:
        by_object[row.id].append(row)
    previous = {}
    for record in records:
        chain = by_object[record.id]
        earlier = [
            r for r in chain if (r.history_date, r.history_id) < (record.history_date, record.history_id)
        ]
        previous[record.history_id] = earlier[0] if earlier else None
    return previous


def _history_model(label):
    model = apps.get_model(label)
    return model, getattr(model, model._meta.simple_history_manager_attribute).model


def _change_rows(label, records, users) -> dict[tuple[str, int], AuditRow]:
    model, history_model = _history_model(label)
    previous = _previous_records(history_model, records)
    rows = {}
    for record in records:
        what = f"{str(model._meta.verbose_name).capitalize()} “{_record_name(record)}”"
        if model is Membership:
            person = users.get(record.user_id)
            what = f"Membership of {person.email if person else 'a removed person'} ({record.get_role_display()})"
        who = users.get(record.history_user_id)
        details = _diff(record, previous.get(record.history_id))
        if record.history_change_reason:
            details.append(f"Reason: {record.history_change_reason}")
        rows[(label, record.history_id)] = AuditRow(
            at=record.history_date,
            category="change",
            action=_ACTIONS.get(record.history_type, "Changed"),
            what=what,
            who=str(who.email) if who else "Concord (automatic)",
            details=details,
        )
    return rows


def _security_rows(refs) -> dict[tuple[str, int], AuditRow]:
    rows = {}
    for event in SecurityEvent.objects.filter(id__in=refs):
        about = (
            event.subject_email if event.subject_email and event.subject_email != event.actor_email else ""
        )
        what = " · ".join(part for part in (f"About {about}" if about else "", event.detail) if part)
        rows[(SECURITY, event.id)] = AuditRow(
            at=event.created_at,
            category="security",
            action=event.get_kind_display(),
            what=what,
            who=event.actor_email or "Unknown",
            ip_address=event.ip_address or "",
            kind=event.kind,
        )
    return rows


def describe(page_rows) -> list[AuditRow]:
    """Turn (at, source, ref, action) tuples into readable rows, in order."""
    refs_by_source = defaultdict(list)
    for _at, source, ref, _action in page_rows:
        refs_by_source[source].append(ref)
    described: dict[tuple[str, int], AuditRow] = {}
    records_by_source = {}
    user_ids = set()
    for label, refs in refs_by_source.items():
        if label == SECURITY:
            continue
        model, history_model = _history_model(label)
        records = list(history_model.objects.filter(history_id__in=refs))
        records_by_source[label] = records
        user_ids.update(r.history_user_id for r in records if r.history_user_id)
        if model is Membership:
            user_ids.update(r.user_id for r in records)
    users = User.objects.in_bulk(user_ids) if user_ids else {}
    for label, records in records_by_source.items():
        described.update(_change_rows(label, records, users))
    if SECURITY in refs_by_source:
        described.update(_security_rows(refs_by_source[SECURITY]))
    return [described[(source, ref)] for _at, source, ref, _action in page_rows if (source, ref) in described]


def kind_choices() -> list[tuple[str, str]]:
    return [
        ("", "Everything"),
        (CHANGES, "Changes to records"),
        (SECURITY, "All security events"),
        *SecurityEventKind.choices,
    ]


def people_choices(organization: Organization):
    return list(
        User.objects.filter(memberships__organization=organization)
        .order_by("full_name", "email")
        .values_list("id", "email")
    )
