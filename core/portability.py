"""Export one organization's data as JSON, and import it into another instance.

Which models: every model with a foreign key to ``Organization`` (found through
the app registry, so new apps are included without registration), plus models
that depend on those through foreign keys (e.g. a row that belongs to a risk),
and the people who are members or are referred to, with each record's change
history (core/portability_history.py) and the organization's security events.
Two-factor devices are not exported (their secrets stay on the source
instance): after a restore, people set up two-factor authentication again at
their next sign-in (see README, "Backup and restore").

The export reads one consistent snapshot: on PostgreSQL a REPEATABLE READ,
read-only transaction, so rows written while it runs are either all in the file
or all out of it. The import validates every row as the services would (the
model's own checks: choices, ranges, constraints, plus the domain rules each
app registers with ``register_row_check``) and writes nothing if any row fails;
the message names the row and the field.

How references travel: people by e-mail, the organization by its slug, content
types by "app.model", rows of exported models by their source id (remapped on
import to the new ids), rows of reference tables (e.g. NIST CSF categories,
loaded by migrations) by id unchanged. The import is all-or-nothing and refuses
an organization slug that already exists.
"""

from __future__ import annotations

from collections import defaultdict
from graphlib import TopologicalSorter

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

from . import portability_history as history
from .errors import DomainError
from .models import ExportJob, Invitation, Organization, OutboxJob, SecurityEvent, User

FORMAT = "concord-organization-export"
VERSION = 2
SECURITY_EVENT_FIELDS = (
    "kind",
    "actor_email",
    "subject_email",
    "detail",
    "ip_address",
    "user_agent",
    "created_at",
)

# label -> functions(obj) returning [(field, message)]: domain rules beyond the model's own checks.
_ROW_CHECKS: dict[str, list] = defaultdict(list)


def register_row_check(label: str, check) -> None:
    """Let an app add a domain rule checked on each imported row of ``label``
    ("app.model"): ``check(obj)`` returns a list of (field, message)."""
    if check not in _ROW_CHECKS[label]:
        _ROW_CHECKS[label].append(check)


LIFECYCLE_FIELDS = (
    "archived_at",
    "deletion_requested_at",
    "deletion_requested_by",
    "deletion_confirmed_at",
    "deletion_confirmed_by",
    "deletion_due_at",
)
USER_FIELDS = ("email", "full_name", "password", "is_active", "date_joined", "last_login")
_SKIP_APPS = {"admin", "auth", "contenttypes", "sessions", "axes", "otp_totp", "otp_static", "django_otp"}


class ExportEncoder(DjangoJSONEncoder):
    """JSON for exports: times keep their microseconds (Django's encoder cuts
    them to milliseconds, which would make the round trip inexact)."""

    def default(self, o):
        if hasattr(o, "isoformat") and hasattr(o, "microsecond") and hasattr(o, "hour"):
            return o.isoformat()
        return super().default(o)


def _is_historical(model) -> bool:
    return hasattr(model, "instance_type") or model._meta.model_name.startswith("historical")


def _candidates():
    for model in apps.get_models():
        if model._meta.app_label in _SKIP_APPS or _is_historical(model) or model._meta.proxy:
            continue
        if model in (Organization, User, SecurityEvent, Invitation, OutboxJob, ExportJob):
            continue  # Invitation: pending links are credentials; jobs are queued work, not data
        yield model


def _relations(model):
    return [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is not None]


def exported_models() -> list[type[models.Model]]:
    """Models holding organization data, parents before children."""
    included = {m for m in _candidates() if any(f.related_model is Organization for f in _relations(m))}
    changed = True
    while changed:  # add rows that hang off included rows
        changed = False
        for model in _candidates():
            if model not in included and any(f.related_model in included for f in _relations(model)):
                included.add(model)
                changed = True
    graph = {
        m: {
            f.related_model for f in _relations(m) if f.related_model in included and f.related_model is not m
        }
        for m in included
    }
    ordered = sorted(TopologicalSorter(graph).static_order(), key=lambda m: _depth(m, graph))
    # Generic references (sign-offs on any record) come after every record they may point to.
    return sorted(
        ordered, key=lambda m: any(isinstance(f, GenericForeignKey) for f in m._meta.private_fields)
    )


def _depth(model, graph, seen=None) -> int:
    seen = seen or set()
    parents = [p for p in graph[model] if p not in seen]
    return 0 if not parents else 1 + max(_depth(p, graph, seen | {model}) for p in parents)


def _schema(model, included) -> dict:
    fks, users, orgs, m2m = {}, [], [], {}
    for field in _relations(model):
        target = field.related_model
        if target is User:
            users.append(field.attname)
        elif target is Organization:
            orgs.append(field.attname)
        elif target in included:
            fks[field.attname] = target._meta.label_lower
    for field in model._meta.many_to_many:
        if field.remote_field.through._meta.auto_created:
            target = field.related_model
            kind = "user" if target is User else target._meta.label_lower if target in included else "keep"
            m2m[field.name] = kind
    gfks = [[f.ct_field, f.fk_field] for f in model._meta.private_fields if isinstance(f, GenericForeignKey)]
    pk = model._meta.pk
    pk_kind = "org" if pk.is_relation and pk.related_model is Organization else "auto"
    return {"fks": fks, "users": users, "orgs": orgs, "m2m": m2m, "gfks": gfks, "pk": pk_kind}


# ---------------------------------------------------------------- export ----


def _rows_for(model, organization, exported_ids, schema):
    qs = model._default_manager.all()
    org_fields = schema["orgs"]
    if org_fields:
        condition = models.Q()
        for attname in org_fields:
            condition |= models.Q(**{attname: organization.pk})
        return qs.filter(condition).order_by("pk")
    condition = models.Q()
    for attname, label in schema["fks"].items():
        condition |= models.Q(**{f"{attname}__in": exported_ids[label]})
    return qs.filter(condition).order_by("pk")


def export_organization(organization: Organization) -> dict:
    """Everything of ``organization``, read from one consistent snapshot."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        # SQLite: one read transaction sees one state of the file. Inside a
        # caller's transaction the isolation level is already the caller's choice.
        with transaction.atomic():
            return _export(organization)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return _export(organization)


def _export(organization: Organization) -> dict:
    organization = Organization.objects.get(pk=organization.pk)  # as of the snapshot
    order = exported_models()
    included = set(order)
    data = {
        "format": FORMAT,
        "version": VERSION,
        "schema": {},
        "models": {},
        "order": [m._meta.label_lower for m in order],
    }
    data["organization"] = serializers.serialize("python", [organization])[0]["fields"]
    for field in LIFECYCLE_FIELDS:  # an imported organization starts live, whatever its source's state
        data["organization"].pop(field, None)
    exported_ids: dict[str, set] = defaultdict(set)
    user_ids: set[int] = set()
    content_types = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
    for model in order:
        label = model._meta.label_lower
        schema = _schema(model, included)
        rows = list(_rows_for(model, organization, exported_ids, schema))
        records = serializers.serialize("python", rows)
        for record, row in zip(records, rows, strict=True):
            exported_ids[label].add(row.pk)
            fields = record["fields"]
            for attname in schema["users"]:
                value = getattr(row, attname)
                user_ids.add(value) if value else None
            for ct_field, _fk in schema["gfks"]:
                fields[ct_field] = content_types.get(fields[ct_field])
            for name, kind in schema["m2m"].items():
                fields[name] = sorted(fields.get(name, []))  # the database returns them in no set order
                if kind == "user":
                    user_ids.update(fields[name])
        data["schema"][label] = schema
        data["models"][label] = [{"id": r["pk"], "fields": r["fields"]} for r in records]
    data["history"] = history.export_history(organization, order, included, content_types, user_ids)
    events = list(_security_events(organization))
    user_ids.update(pk for e in events for pk in (e.actor_id, e.subject_id) if pk)
    users = User.objects.filter(models.Q(pk__in=user_ids) | models.Q(memberships__organization=organization))
    users = users.distinct().order_by("email")
    emails = {u.pk: u.email for u in users}
    for label, records in data["models"].items():
        _replace_users(records, data["schema"][label], emails)
    history.replace_users(data["history"], emails)
    data["security_events"] = [
        {
            **{f: _plain(getattr(e, f)) for f in SECURITY_EVENT_FIELDS},
            "organization": e.organization_id is not None,
            "actor": emails.get(e.actor_id),
            "subject": emails.get(e.subject_id),
        }
        for e in events
    ]
    data["users"] = [{f: _plain(getattr(u, f)) for f in USER_FIELDS} for u in users]
    return data


def _security_events(organization):
    """The security events about this organization only, since it exists. A
    member's account-wide events (sign-ins, addresses, two-factor changes, what
    they did in other organizations) are theirs, not the organization's: they
    never leave with it."""
    return SecurityEvent.objects.filter(
        organization=organization, created_at__gte=organization.created_at
    ).order_by("pk")


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _name(attname: str) -> str:
    """The serializer keys fields by name; FK attnames end in ``_id``."""
    return attname[:-3] if attname.endswith("_id") else attname


def _replace_users(records, schema, emails):
    for record in records:
        fields = record["fields"]
        for attname in schema["users"]:
            name = _name(attname)
            if fields.get(name) is not None:
                fields[name] = emails[fields[name]]
        for name, kind in schema["m2m"].items():
            if kind == "user":
                fields[name] = sorted(emails[pk] for pk in fields.get(name, []))


# ---------------------------------------------------------------- import ----


# ---------------------------------------------------------------- import ----


def import_organization(data: dict) -> Organization:
    """Create the organization and everything in ``data``; all or nothing.
    Any invalid or damaged content raises ``DomainError`` naming the row and field."""
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise DomainError("This file is not a Concord organization export (or is from an unknown version).")
    try:
        return _import(data)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise DomainError(
            f"The file is damaged or was edited by hand ({type(exc).__name__}: {exc}); nothing was written."
        ) from exc


@transaction.atomic
def _import(data: dict) -> Organization:
    from .portability_rows import import_rows, import_users, validate_row

    slug = data["organization"]["slug"]
    if Organization.objects.filter(slug=slug).exists():
        raise DomainError(f"An organization with the short name “{slug}” already exists here.")
    organization = _deserialize("core.organization", data["organization"], where="the organization")
    validate_row(organization, "the organization", label="core.organization")
    organization.save_base(raw=True)
    users, created_users = import_users(data["users"])
    new_ids: dict[str, dict] = defaultdict(dict)
    known = set(data["order"]) & set(data["models"]) & set(data["schema"])
    if known != set(data["order"]):
        raise DomainError("The file is damaged: its list of record types does not match its contents.")
    for label in data["order"]:
        import_rows(label, data["models"][label], data["schema"][label], organization, users, new_ids)
    _remap_headline_kpis(organization, users, new_ids)
    history.import_history(data.get("history", {}), organization, users, new_ids)
    _import_security_events(data.get("security_events", []), organization, users, created_users)
    return organization


def _remap_headline_kpis(organization, users, new_ids) -> None:
    """The board pack's headline KPIs (core.headline) name KPIs and a person by
    id: point them at the imported rows (a KPI no longer there is dropped)."""
    kpis = new_ids.get("kpis.kpi", {})
    chosen = [kpis[k] for k in organization.headline_kpis or [] if k in kpis]
    proposal = dict(organization.headline_kpis_proposal or {})
    if proposal:
        proposal["ids"] = [kpis[k] for k in proposal.get("ids") or [] if k in kpis]
        proposal["by"] = users.get(proposal.get("by"))
    if chosen != (organization.headline_kpis or []) or proposal != (
        organization.headline_kpis_proposal or {}
    ):
        Organization.objects.filter(pk=organization.pk).update(
            headline_kpis=chosen, headline_kpis_proposal=proposal
        )
        organization.headline_kpis, organization.headline_kpis_proposal = chosen, proposal


def _import_security_events(rows, organization, users, created_users) -> None:
    """The organization's events; person-level ones only for people this import
    created (an existing person's own log is already here)."""
    events = []
    for index, row in enumerate(rows, start=1):
        actor, subject = row.get("actor"), row.get("subject")
        if not row["organization"] and not ({actor, subject} & created_users):
            continue
        event = SecurityEvent(
            organization=organization if row["organization"] else None,
            actor_id=users.get(actor),
            subject_id=users.get(subject),
            **{f: row[f] for f in SECURITY_EVENT_FIELDS},
        )
        validate_instance(event, f"security event #{index}", exclude=["organization", "actor", "subject"])
        events.append(event)
    SecurityEvent.objects.bulk_create(events, batch_size=500)


def validate_instance(obj, where: str, *, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise DomainError(_first_error(exc, where)) from exc


def _first_error(exc: ValidationError, where: str) -> str:
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        message = " ".join(m for e in errors for m in e.messages)
        name = "(record)" if field == "__all__" else field
        return f"{where}, field “{name}”: {message}"
    return f"{where}: {' '.join(exc.messages)}"


def row_checks(label: str) -> list:
    return _ROW_CHECKS.get(label, [])


def _deserialize(label, fields, *, where: str):
    record = {"model": label, "pk": None, "fields": fields}
    try:
        return next(serializers.deserialize("python", [record], ignorenonexistent=True)).object
    except (DeserializationError, ValidationError) as exc:
        raise DomainError(_unreadable(label, fields, where)) from exc


def _unreadable(label, fields, where) -> str:
    """Which field of a row cannot be read as its type, said plainly."""
    model = apps.get_model(label)
    for name, value in fields.items():
        try:
            field = model._meta.get_field(name)
            if not field.is_relation and value is not None:
                field.to_python(value)
        except ValidationError as exc:
            return f"{where}, field “{name}”: {' '.join(exc.messages)}"
        except Exception:  # noqa: S112 - an unknown name is ignored by the import, as by Django
            continue
    return f"{where}: a value cannot be read."
