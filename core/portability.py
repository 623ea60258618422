"""Export one organization's data as JSON, and import it into another instance.

Which models: every model with a foreign key to ``Organization`` (found through
the app registry, so new apps are included without registration), plus models
that depend on those through foreign keys (e.g. a row that belongs to a risk),
and the people who are members or are referred to. Change history and security
events are the source instance's own log: they are not carried over.

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
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from .errors import DomainError
from .models import Invitation, Organization, OutboxJob, SecurityEvent, User

FORMAT = "concord-organization-export"
VERSION = 1
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
        if model in (Organization, User, SecurityEvent, Invitation, OutboxJob):
            continue  # Invitation: pending links are credentials; OutboxJob: queued work, not data
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
    graph = {m: {f.related_model for f in _relations(m) if f.related_model in included and f.related_model is not m}
             for m in included}
    ordered = sorted(TopologicalSorter(graph).static_order(), key=lambda m: _depth(m, graph))
    # Generic references (sign-offs on any record) come after every record they may point to.
    return sorted(ordered, key=lambda m: any(isinstance(f, GenericForeignKey) for f in m._meta.private_fields))


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
    order = exported_models()
    included = set(order)
    data = {"format": FORMAT, "version": VERSION, "schema": {}, "models": {},
            "order": [m._meta.label_lower for m in order]}
    data["organization"] = serializers.serialize("python", [organization])[0]["fields"]
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
    users = User.objects.filter(models.Q(pk__in=user_ids) | models.Q(memberships__organization=organization))
    users = users.distinct().order_by("email")
    emails = {u.pk: u.email for u in users}
    for label, records in data["models"].items():
        _replace_users(records, data["schema"][label], emails)
    data["users"] = [{f: _plain(getattr(u, f)) for f in USER_FIELDS} for u in users]
    return data


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


@transaction.atomic
def import_organization(data: dict) -> Organization:
    """Create the organization and everything in ``data``; all or nothing."""
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise DomainError("This file is not a Concord organization export (or is from an unknown version).")
    slug = data["organization"]["slug"]
    if Organization.objects.filter(slug=slug).exists():
        raise DomainError(f"An organization with the short name “{slug}” already exists here.")
    organization = _deserialize("core.organization", data["organization"])
    organization.save_base(raw=True)
    users = _import_users(data["users"])
    new_ids: dict[str, dict] = defaultdict(dict)
    for label in data["order"]:
        records = data["models"][label]
        _import_rows(label, records, data["schema"][label], organization, users, new_ids)
    return organization


def _import_rows(label, records, schema, organization, users, new_ids) -> None:
    # References between rows of the same model are set once every row exists.
    self_refs = {_name(a) for a, target in schema["fks"].items() if target == label}
    pending = []
    for record in records:
        fields = dict(record["fields"])
        m2m = {name: fields.pop(name, []) for name in schema["m2m"]}
        later = {name: fields.pop(name) for name in self_refs if fields.get(name) is not None}
        _remap(fields, schema, organization, users, new_ids)
        obj = _deserialize(label, fields)
        if schema["pk"] == "org":
            obj.pk = organization.pk
        obj.save_base(raw=True)
        new_ids[label][record["id"]] = obj.pk
        pending.append((obj, m2m, later))
    for obj, m2m, later in pending:
        if later:
            type(obj)._default_manager.filter(pk=obj.pk).update(
                **{f"{name}_id": new_ids[label][value] for name, value in later.items()})
        for name, values in m2m.items():
            getattr(obj, name).set(_remap_m2m(values, schema["m2m"][name], users, new_ids))


def _deserialize(label, fields):
    record = {"model": label, "pk": None, "fields": fields}
    return next(serializers.deserialize("python", [record], ignorenonexistent=True)).object


def _import_users(rows) -> dict[str, int]:
    found = {}
    for row in rows:
        user = User.objects.filter(email__iexact=row["email"]).first()
        if user is None:
            user = User(**{f: row.get(f) for f in USER_FIELDS})
            user.save()
        found[row["email"]] = user.pk
    return found


def _remap(fields, schema, organization, users, new_ids):
    for attname in schema["orgs"]:
        name = _name(attname)
        if name in fields:
            fields[name] = organization.pk
    for attname in schema["users"]:
        name = _name(attname)
        if fields.get(name) is not None:
            fields[name] = users[fields[name]]
    for attname, target in schema["fks"].items():
        name = _name(attname)
        if fields.get(name) is not None:
            fields[name] = new_ids[target][fields[name]]
    for ct_field, fk_field in schema["gfks"]:
        label = fields.get(ct_field)
        if label is None:
            continue
        app_label, model_name = label.split(".")
        fields[ct_field] = ContentType.objects.get_by_natural_key(app_label, model_name).pk
        if fields.get(fk_field) is not None and label in new_ids:
            fields[fk_field] = new_ids[label][fields[fk_field]]


def _remap_m2m(values, kind, users, new_ids):
    if kind == "user":
        return [users[v] for v in values]
    if kind == "keep":
        return values
    return [new_ids[kind][v] for v in values]
