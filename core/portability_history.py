"""Change history in organization exports (see core/portability.py).

Each exported model's django-simple-history rows travel with it, so the Audit
page and each record's history read the same after a restore. References are
remapped like the records': the record itself, other records, people (by
e-mail), content types (by "app.model"). A reference to something that no
longer existed when the export was taken (a deleted record or person) is
imported as empty; the history rows of a deleted record keep one shared,
negative record id, so they still read as one record's story and never point
at a live record. History is the past as it was recorded: its values are not
re-checked against today's rules, only read and typed.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core import serializers

from .errors import DomainError
from .models import Organization, User

HISTORY_TYPES = {"+", "~", "-"}


def historical_model(model):
    attr = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, attr).model if attr else None


def _schema(model, historical, included) -> dict:
    fks, users, orgs, cts = {}, [], [], []
    for field in historical._meta.concrete_fields:
        if not field.is_relation or field.related_model is None:
            continue
        target = field.related_model
        if target is User:
            users.append(field.name)
        elif target is Organization:
            orgs.append(field.name)
        elif target is ContentType:
            cts.append(field.name)
        elif target in included:
            fks[field.name] = target._meta.label_lower
    gfks = [[f.ct_field, f.fk_field] for f in model._meta.private_fields if isinstance(f, GenericForeignKey)]
    return {"fks": fks, "users": users, "orgs": orgs, "cts": cts, "gfks": gfks}


def export_history(organization, order, included, content_types, user_ids) -> dict:
    """{label: {"schema", "records"}} for the organization and each exported
    model that keeps history. Adds the people referred to to ``user_ids``."""
    out = {}
    for model in [Organization, *order]:
        historical = historical_model(model)
        if historical is None:
            continue
        rows = historical.objects.all()
        rows = (
            rows.filter(id=organization.pk)
            if model is Organization
            else rows.filter(organization_id=organization.pk)
        )
        rows = list(rows.order_by("history_date", "history_id"))
        schema = _schema(model, historical, included)
        records = []
        for record in serializers.serialize("python", rows):
            fields = record["fields"]
            for name in schema["cts"]:
                fields[name] = content_types.get(fields.get(name))
            user_ids.update(fields[name] for name in schema["users"] if fields.get(name))
            records.append(fields)
        out[model._meta.label_lower] = {"schema": schema, "records": records}
    return out


def replace_users(history: dict, emails: dict) -> None:
    for block in history.values():
        for fields in block["records"]:
            for name in block["schema"]["users"]:
                fields[name] = emails.get(fields.get(name))


def import_history(history: dict, organization, users, new_ids) -> None:
    for label, block in history.items():
        model = apps.get_model(label)
        historical = historical_model(model)
        if historical is None:
            raise DomainError(f"The file is damaged: “{label}” keeps no history here.")
        rows = [
            _history_row(historical, label, index, fields, block["schema"], organization, users, new_ids)
            for index, fields in enumerate(block["records"], start=1)
        ]
        historical.objects.bulk_create(rows, batch_size=500)


def _history_row(historical, label, index, fields, schema, organization, users, new_ids):
    fields = dict(fields)
    place = f"History entry {index} of “{label}”"
    if fields.get("history_type") not in HISTORY_TYPES:
        raise DomainError(f"{place}, field “history_type”: must be one of + ~ -.")
    if label == "core.organization":
        fields["id"] = organization.pk
    elif fields.get("id") is not None:
        fields["id"] = new_ids[label].get(fields["id"], -abs(int(fields["id"])))
    for name in schema["orgs"]:
        fields[name] = organization.pk
    for name in schema["users"]:
        fields[name] = users.get(fields.get(name))
    gfk_labels = {fk: fields.get(ct) for ct, fk in schema["gfks"]}
    for name in schema["cts"]:
        text = fields.get(name)
        app_label, _, model_name = str(text).partition(".")
        found = ContentType.objects.filter(app_label=app_label, model=model_name).first() if text else None
        fields[name] = found.pk if found else None
    for name, target in schema["fks"].items():
        if fields.get(name) is not None:
            fields[name] = new_ids[target].get(fields[name])
    for fk, target in gfk_labels.items():
        if fields.get(fk) is not None:
            fields[fk] = new_ids.get(target, {}).get(fields[fk])
    from .portability import _deserialize

    return _deserialize(historical._meta.label_lower, fields, where=place)
