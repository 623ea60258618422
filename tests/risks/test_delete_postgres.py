"""Deleting a risk on PostgreSQL, outside a wrapping test transaction: the
service must open its own transaction for its row lock (SQLite ignores row
locks, so only PostgreSQL shows a missing ``atomic``)."""

import pytest
from django.db import connection

from risks.models import Mitigation, Risk

from .factories import assessed_risk

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")


def _risk_with_everything(org, people):
    from risks import services

    risk = assessed_risk(org, people)
    services.mitigation_create(actor=people["cio"], risk=risk, title="Offline backups", owner=people["cio"])
    risk.refresh_from_db()
    return risk


def test_delete_page_works_on_postgres(org, people, client_as):
    risk = _risk_with_everything(org, people)
    response = client_as("ciso").post(f"/o/acme/risks/{risk.pk}/delete/", {"version": risk.version})
    assert response.status_code == 302
    assert not Risk.objects.filter(pk=risk.pk).exists()
    assert not Mitigation.objects.filter(risk_id=risk.pk).exists()


def test_delete_api_works_on_postgres(org, people, client_as):
    risk = _risk_with_everything(org, people)
    response = client_as("cio", api=True).delete(f"/api/v1/orgs/acme/risks/{risk.pk}/?version={risk.version}")
    assert response.status_code == 204
    assert not Risk.objects.filter(pk=risk.pk).exists()


def test_stale_delete_is_a_conflict_not_a_500(org, people, client_as):
    risk = _risk_with_everything(org, people)
    response = client_as("cio", api=True).delete(
        f"/api/v1/orgs/acme/risks/{risk.pk}/?version={risk.version - 1}"
    )
    assert response.status_code == 409
    assert Risk.objects.filter(pk=risk.pk).exists()
