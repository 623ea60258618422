"""Deleting an organization removes every row of it and nothing of any other,
history and uploaded files included.

The check walks every model of every app through the app registry (history
models and many-to-many links included), so a model added later is covered
without touching this test. Independently of the code under test it says
which rows had to go: a row goes if and only if it points at the deleted
organization, or at (by foreign key or generic reference) a row that went.
Every row that stays is unchanged.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from core import organizations
from core.models import ExportJob, Membership, Organization, SecurityEvent, SecurityEventKind, User
from core.roles import Role
from tests.factories import OrganizationFactory, member
from tests.kpis.factories import KPIFactory, MeasurementFactory

pytestmark = pytest.mark.django_db


def _models():
    return [m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy]


def _snapshot() -> dict:
    """{model: {pk: row values}} of every row of every model."""
    out = {}
    for model in _models():
        fields = [f.attname for f in model._meta.concrete_fields]
        out[model] = {row[0]: row for row in models.QuerySet(model=model).values_list(*fields)}
    return out


def _fk_positions(model):
    fields = list(model._meta.concrete_fields)
    return [
        (i, f.related_model)
        for i, f in enumerate(fields)
        if f.is_relation and (f.many_to_one or f.one_to_one)
    ]


def _gfk_positions(model):
    names = [f.attname for f in model._meta.concrete_fields]
    return [
        (names.index(f.ct_field + "_id"), names.index(f.fk_field))
        for f in model._meta.private_fields
        if isinstance(f, GenericForeignKey)
    ]


def _expected_gone(before: dict, after: dict, org_pk: int) -> dict:
    """Which rows had to go, computed from what actually went (to a fixpoint)."""
    gone = {model: set(rows) - set(after.get(model, {})) for model, rows in before.items()}
    org_history = Organization.history.model
    cts = {ct.pk: ct.model_class() for ct in ContentType.objects.all()}
    expected = {model: set() for model in before}
    for model, rows in before.items():
        for pk, row in rows.items():
            if model is Organization:
                hit = pk == org_pk
            elif model is org_history:
                hit = row[[f.attname for f in model._meta.concrete_fields].index("id")] == org_pk
            else:
                hit = any(target is Organization and row[i] == org_pk for i, target in _fk_positions(model))
                hit = hit or any(
                    target is not Organization and row[i] is not None and row[i] in gone.get(target, ())
                    for i, target in _fk_positions(model)
                )
                hit = hit or any(
                    row[c] in cts and row[o] is not None and row[o] in gone.get(cts[row[c]], ())
                    for c, o in _gfk_positions(model)
                )
            if hit:
                expected[model].add(pk)
    return gone, expected


@pytest.fixture
def populated(tmp_path, settings):
    """The demo (a rich Northwind Health, Harbor Logistics from the starter
    libraries), a third organization, and an uploaded file in each."""
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    northwind = Organization.objects.get(slug="northwind-health")
    harbor = Organization.objects.get(slug="harbor-logistics")
    third = OrganizationFactory(name="Third", slug="third")
    cio = member(third, Role.CIO, email="cio@third.test")
    MeasurementFactory(organization=third, kpi=KPIFactory(organization=third, key="edr_coverage"))
    files = {}
    for org in (northwind, harbor, third):
        job = ExportJob.objects.create(organization=org, kind="test", title="A prepared file", status="done")
        job.file.save(f"{org.slug}.txt", ContentFile(b"data"), save=True)
        files[org.slug] = (job.file.storage, job.file.name)
    return northwind, harbor, third, cio, files


def test_deletion_removes_every_row_of_the_organization_and_nothing_else(
    populated, django_capture_on_commit_callbacks
):
    northwind, harbor, third, _cio, files = populated
    assert _has_history(northwind)
    people = {m.role: m.user for m in Membership.objects.filter(organization=northwind)}
    organizations.organization_deletion_request(actor=people[Role.ADMIN], organization=northwind)
    organizations.organization_deletion_confirm(actor=people[Role.CISO], organization=northwind)
    before = _snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        removed = organizations.organization_purge_due(now=timezone.now() + timedelta(days=400))
    assert removed == ["Northwind Health"]
    after = _snapshot()

    gone, expected = _expected_gone(before, after, northwind.pk)
    wrong = {
        model._meta.label: {
            "kept": sorted(expected[model] - gone[model])[:5],
            "extra": sorted(gone[model] - expected[model])[:5],
        }
        for model in before
        if gone[model] != expected[model]
    }
    assert not wrong, wrong
    # Every row that stays is unchanged (other organizations, people, their own events).
    changed = [
        model._meta.label
        for model, rows in before.items()
        if any(after[model][pk] != row for pk, row in rows.items() if pk in after[model])
    ]
    assert not changed, changed
    deleted_kinds = {m._meta.label for m, pks in gone.items() if pks}
    assert {
        "core.Organization",
        "core.HistoricalOrganization",
        "core.Membership",
        "kpis.KPI",
        "risks.Risk",
    } <= deleted_kinds
    assert any(
        label.split(".")[1].startswith("Historical")
        for label in deleted_kinds - {"core.HistoricalOrganization"}
    )
    # Nothing left that names the organization, history included.
    for model in _models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Organization:
                assert not models.QuerySet(model=model).filter(**{field.attname: northwind.pk}).exists(), (
                    model
                )
    # Uploaded files: Northwind's removed from storage, the others' kept.
    storage, name = files["northwind-health"]
    assert not storage.exists(name)
    for slug in ("harbor-logistics", "third"):
        storage, name = files[slug]
        assert storage.exists(name)
    # The others still work; people stay; one event records the deletion.
    assert Organization.objects.filter(pk__in=[harbor.pk, third.pk]).count() == 2
    assert User.objects.filter(email="ciso@northwind.example").exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.ORG_DELETED, organization=None).count() == 1


def _has_history(org) -> bool:
    from kpis.models import KPI

    return KPI.history.filter(organization_id=org.pk).exists()


def test_the_cio_ciso_and_admins_are_told_of_each_deletion_step(org, people, settings):
    """Asked, confirmed (with the day it goes, "21 Dec 2026") and cancelled:
    a security notice to the CIO, the CISO and the admins, never turned off,
    linking to the archive-or-delete page."""
    from django.urls import reverse
    from django.utils.formats import date_format

    from core.models import Notification
    from core.notifications.catalogue import event_kind

    admin, cio, ciso = people[Role.ADMIN], people[Role.CIO], people[Role.CISO]
    organizations.organization_deletion_request(actor=admin, organization=org)
    asked = Notification.objects.filter(event="security.org_deletion_requested")
    assert {n.recipient for n in asked} == {admin, cio, ciso}
    assert all(n.category == "security" for n in asked)
    assert event_kind("security.org_deletion_requested").category == "security"
    link = reverse("core:org_lifecycle", args=[org.slug])
    assert {n.link for n in asked} == {link}
    done = organizations.organization_deletion_confirm(actor=cio, organization=org)
    confirmed = Notification.objects.filter(event="security.org_deletion_confirmed")
    due = date_format(timezone.localtime(done.deletion_due_at), "j M Y")
    assert {n.recipient for n in confirmed} == {admin, cio, ciso}
    assert all(due in n.title and due in n.body for n in confirmed)
    assert "-" not in due  # people's format, e.g. 21 Dec 2026
    organizations.organization_deletion_cancel(actor=ciso, organization=org)
    cancelled = Notification.objects.filter(event="security.org_deletion_cancelled")
    assert {n.recipient for n in cancelled} == {admin, cio, ciso}
    assert not Notification.objects.filter(
        recipient=people[Role.BOARD], event__startswith="security.org_"
    ).exists()
