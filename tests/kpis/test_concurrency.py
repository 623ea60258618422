"""Parallel KPI uploads (real threads and connections; PostgreSQL, as in CI):
no deadlock, no error, one value per period and one history entry per real change."""

import threading
from datetime import date

import pytest
from django.db import connection

from kpis import services
from kpis.models import Measurement

from .factories import KPIFactory

TODAY = date(2026, 6, 15)
PERIODS = [date(2025, month, 1) for month in range(1, 13)]


def _run_in_threads(jobs):
    errors = []
    barrier = threading.Barrier(len(jobs))

    def run(job):
        try:
            barrier.wait(timeout=10)
            job()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "an upload never finished"
    return errors


def _items(kpis, value):
    return [
        {"kpi": kpi.pk, "period": period.isoformat(), "value": str(value), "note": ""}
        for kpi in kpis
        for period in PERIODS
    ]


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs a database with row locks and concurrent connections (PostgreSQL)")


@pytest.mark.django_db(transaction=True)
def test_parallel_identical_uploads_create_each_value_once(postgres_only, org, people):
    kpis = [KPIFactory(organization=org, frequency="monthly") for _ in range(6)]
    items = _items(kpis, 91)

    def upload(order):
        def job():
            ordered = (
                items
                if order == 0
                else list(reversed(items))
                if order == 1
                else items[order:] + items[:order]
            )
            services.measurements_bulk_upsert(
                actor=people["cio"], organization=org, items=ordered, source="api", today=TODAY
            )

        return job

    errors = _run_in_threads([upload(n) for n in range(6)])
    assert errors == []
    assert Measurement.objects.filter(organization=org).count() == len(items)
    history = Measurement.history.filter(organization=org)
    assert history.count() == len(items), "a repeated identical upload wrote history"
    assert set(history.values_list("history_type", flat=True)) == {"+"}


@pytest.mark.django_db(transaction=True)
def test_parallel_different_uploads_record_one_entry_per_real_change(postgres_only, org, people):
    kpis = [KPIFactory(organization=org, frequency="monthly") for _ in range(4)]
    first, second = _items(kpis, 91), list(reversed(_items(kpis, 87)))

    def upload(items):
        return lambda: services.measurements_bulk_upsert(
            actor=people["cio"], organization=org, items=items, source="api", today=TODAY
        )

    errors = _run_in_threads([upload(first), upload(second), upload(first), upload(second)])
    assert errors == []
    assert Measurement.objects.filter(organization=org).count() == len(first)
    for measurement in Measurement.objects.filter(organization=org):
        entries = list(measurement.history.order_by("history_date", "history_id"))
        assert [e.history_type for e in entries][:1] == ["+"]
        assert [e.history_type for e in entries[1:]] == ["~"] * (len(entries) - 1)
        values = [e.value for e in entries]
        assert all(a != b for a, b in zip(values, values[1:], strict=False)), values  # each entry is a change
        assert values[-1] == measurement.value
