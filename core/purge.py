"""Remove every row of one organization, and its uploaded files, and nothing else.

Which rows: found through the app registry, so a model added later is covered
without registration (the same rule as the export, core/portability.py):

- rows with a foreign key to the organization (its history rows included,
  which point at it without a database constraint), and the organization's
  own history;
- rows that hang off those rows by a foreign key (a child without its own
  organization column, many-to-many links included), to any depth;
- rows that refer to any of them by a generic reference (content type and id).

People are not rows of an organization (they may belong to others): they stay,
and so do their person-level security events (sign-ins, two-factor). The
organization's own security events go with it; one event, without an
organization, records the deletion.

The rows are deleted in one transaction without cascading or signals (the
database's foreign keys are checked at commit: a row left pointing at a
deleted one fails the whole deletion rather than leaving half of it). Files
are removed from storage after the commit, except those another row still names.
"""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from .models import Organization


def _all_models():
    return [m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy]


def _fk_fields(model):
    return [
        f
        for f in model._meta.concrete_fields
        if f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model is not None
    ]


def _base(model):
    return models.QuerySet(model=model)  # no custom manager: every row, and no refusal to delete


def _historical_of(model):
    attr = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, attr).model if attr else None


def organization_rows(organization: Organization) -> dict[type[models.Model], set]:
    """{model: primary keys} of every row belonging to ``organization`` (the
    organization's own row aside)."""
    found: dict[type[models.Model], set] = defaultdict(set)
    every = _all_models()
    org_history = _historical_of(Organization)
    for model in every:
        if model is Organization:
            continue
        if model is org_history:
            found[model].update(_base(model).filter(id=organization.pk).values_list("pk", flat=True))
            continue
        condition = models.Q()
        for field in _fk_fields(model):
            if field.related_model is Organization:
                condition |= models.Q(**{field.attname: organization.pk})
        if condition:
            found[model].update(_base(model).filter(condition).values_list("pk", flat=True))
    changed = True
    while changed:  # rows hanging off found rows, and generic references to them
        changed = False
        for model in every:
            if model is Organization or model is org_history:
                continue
            condition = models.Q()
            for field in _fk_fields(model):
                ids = found.get(field.related_model)
                if ids and field.related_model is not Organization:
                    condition |= models.Q(**{f"{field.attname}__in": list(ids)})
            for gfk in (f for f in model._meta.private_fields if isinstance(f, GenericForeignKey)):
                for target, ids in list(found.items()):
                    if ids:
                        ct = ContentType.objects.get_for_model(target, for_concrete_model=False)
                        condition |= models.Q(**{gfk.ct_field: ct.pk, f"{gfk.fk_field}__in": list(ids)})
            if not condition:
                continue
            new = set(_base(model).filter(condition).values_list("pk", flat=True)) - found[model]
            if new:
                found[model] |= new
                changed = True
    return {model: ids for model, ids in found.items() if ids}


def _file_fields(model) -> list[str]:
    """Names of fields holding stored file names (a history row keeps the
    original's file fields, possibly as text)."""
    source = getattr(model, "instance_type", None) or model
    names = {f.name for f in source._meta.concrete_fields if isinstance(f, models.FileField)}
    return [f.name for f in model._meta.concrete_fields if f.name in names]


def _still_named(names: set[str]) -> set[str]:
    """Which of these file names a remaining row still names."""
    kept: set[str] = set()
    for model in _all_models():
        for field in _file_fields(model):
            kept.update(_base(model).filter(**{f"{field}__in": list(names)}).values_list(field, flat=True))
    return kept


def _storages(rows: dict) -> dict[str, object]:
    """File name → the storage its field uses."""
    out = {}
    for model, ids in rows.items():
        source = getattr(model, "instance_type", None) or model
        for field in source._meta.concrete_fields:
            if not isinstance(field, models.FileField) or field.name not in _file_fields(model):
                continue
            for name in _base(model).filter(pk__in=list(ids)).values_list(field.name, flat=True):
                if name:
                    out[name] = field.storage
    return out


@transaction.atomic
def purge_organization(organization: Organization) -> dict[str, int]:
    """Delete the organization, every row of it and (after commit) its files.
    Returns the number of rows deleted by model label."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    rows = organization_rows(organization)
    storages = _storages(rows)
    counts = {}
    for model, ids in rows.items():
        id_list = list(ids)
        deleted = 0
        for start in range(0, len(id_list), 500):
            deleted += (
                _base(model).filter(pk__in=id_list[start : start + 500])._raw_delete(using=_base(model).db)
            )
        counts[model._meta.label_lower] = deleted
    _base(Organization).filter(pk=organization.pk)._raw_delete(using=_base(Organization).db)
    counts["core.organization"] = 1

    def remove_files():
        named = _still_named(set(storages))
        for name, storage in storages.items():
            if name not in named and storage.exists(name):
                storage.delete(name)

    transaction.on_commit(remove_files)
    return counts
