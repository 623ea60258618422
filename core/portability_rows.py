"""Importing an organization's rows (see core/portability.py): references are
remapped to the new ids, and every row is checked with the model's own rules
(choices, ranges, constraints, references) and the domain rules the apps
register, before it is written. A problem raises ``DomainError`` naming the
row and the field; the caller's transaction then writes nothing."""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from .errors import DomainError
from .models import User
from .portability import USER_FIELDS, _deserialize, _name, row_checks, validate_instance


def where(label: str, index: int, source_id) -> str:
    return f"Record {index} of “{label}” (id {source_id} in the file)"


def validate_row(obj, place: str, *, label: str, exclude=None) -> None:
    """The app's domain rules (their messages are the services' own), then the
    model's checks (full_clean: choices, ranges, references, unique, constraints)."""
    for check in row_checks(label):
        for field, message in check(obj):
            raise DomainError(f"{place}, field “{field}”: {message}")
    validate_instance(obj, place, exclude=exclude)


def import_users(rows) -> tuple[dict[str, int], set[str]]:
    """Map each e-mail to a user here, creating the missing people. Returns the
    map and the e-mails of the people created."""
    found, created = {}, set()
    for index, row in enumerate(rows, start=1):
        user = User.objects.filter(email__iexact=row["email"]).first()
        if user is None:
            user = User(**{f: row.get(f) for f in USER_FIELDS})
            validate_instance(user, f"Person {index} ({row['email']})", exclude=["password", "last_login"])
            user.save()
            created.add(row["email"])
        found[row["email"]] = user.pk
    return found, created


def import_rows(label, records, schema, organization, users, new_ids) -> None:
    model = apps.get_model(label)
    # References between rows of the same model are set once every row exists.
    self_refs = {_name(a) for a, target in schema["fks"].items() if target == label}
    pending = []
    for index, record in enumerate(records, start=1):
        place = where(label, index, record.get("id"))
        fields = dict(record["fields"])
        m2m = {name: fields.pop(name, []) for name in schema["m2m"]}
        later = {name: fields.pop(name) for name in self_refs if fields.get(name) is not None}
        remap(fields, schema, organization, users, new_ids, place=place)
        obj = _deserialize(label, fields, where=place)
        if schema["pk"] == "org":
            obj.pk = organization.pk
        validate_row(obj, place, label=label, exclude=[*later, *schema["m2m"]])
        obj.save_base(raw=True)
        new_ids[label][record["id"]] = obj.pk
        pending.append((obj, m2m, later, place))
    for obj, m2m, later, place in pending:
        if later:
            model._default_manager.filter(pk=obj.pk).update(
                **{f"{name}_id": _target(new_ids, label, value, place, name) for name, value in later.items()}
            )
        for name, values in m2m.items():
            getattr(obj, name).set(_remap_m2m(values, schema["m2m"][name], users, new_ids, place, name))


def _target(new_ids, target: str, value, place: str, name: str):
    try:
        return new_ids[target][value]
    except (KeyError, TypeError):
        raise DomainError(
            f"{place}, field “{name}”: refers to a record that is not in this file "
            "(a record of another organization, or a damaged file)."
        ) from None


def _user(users, email, place: str, name: str):
    try:
        return users[email]
    except (KeyError, TypeError):
        raise DomainError(f"{place}, field “{name}”: refers to a person who is not in the file.") from None


def remap(fields, schema, organization, users, new_ids, *, place: str) -> None:
    for attname in schema["orgs"]:
        name = _name(attname)
        if name in fields:
            fields[name] = organization.pk
    for attname in schema["users"]:
        name = _name(attname)
        if fields.get(name) is not None:
            fields[name] = _user(users, fields[name], place, name)
    for attname, target in schema["fks"].items():
        name = _name(attname)
        if fields.get(name) is not None:
            fields[name] = _target(new_ids, target, fields[name], place, name)
    for ct_field, fk_field in schema["gfks"]:
        label = fields.get(ct_field)
        if label is None:
            continue
        if label not in new_ids:
            raise DomainError(
                f"{place}, field “{ct_field}”: refers to a kind of record that is not part of "
                "this organization's data."
            )
        app_label, _, model_name = str(label).partition(".")
        fields[ct_field] = ContentType.objects.get_by_natural_key(app_label, model_name).pk
        if fields.get(fk_field) is not None:
            fields[fk_field] = _target(new_ids, label, fields[fk_field], place, fk_field)


def _remap_m2m(values, kind, users, new_ids, place, name):
    if kind == "user":
        return [_user(users, v, place, name) for v in values]
    if kind == "keep":
        return values
    return [_target(new_ids, kind, v, place, name) for v in values]
