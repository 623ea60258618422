"""API: role and organization contract, CRUD, bulk upsert with a token, scorecard, query counts."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.services import api_token_create
from kpis.models import KPI, Measurement
from tests.contract import expect_api

from .factories import KPIFactory, MeasurementFactory

EXECUTIVES = {"cio", "ciso"}
BASE = "/api/v1/orgs/acme/kpis/"


@pytest.fixture
def kpi(org):
    kpi = KPIFactory(organization=org, key="edr", name="EDR coverage")
    MeasurementFactory(kpi=kpi, period=date(2025, 1, 1), value=D(91))
    return kpi


def token_client(user):
    _, secret = api_token_create(actor=user, name="SIEM push", scopes=["write"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_contract_of_read_endpoints(client_as, kpi):
    m = kpi.measurements.get()
    for path in (
        BASE,
        f"{BASE}{kpi.pk}/",
        f"{BASE}measurements/",
        f"{BASE}measurements/{m.pk}/",
        f"{BASE}scorecard/",
        f"{BASE}scorecard/summary/",
    ):
        expect_api(client_as, path, allowed=EXECUTIVES)


def test_contract_of_write_endpoints(client_as, kpi):
    expect_api(
        client_as,
        f"{BASE}measurements/bulk/",
        allowed=EXECUTIVES,
        method="post",
        data={"items": [{"kpi": "edr", "period": "2025-02-01", "value": "90"}]},
        ok_status=(200,),
    )
    expect_api(
        client_as,
        f"{BASE}{kpi.pk}/",
        allowed=EXECUTIVES,
        method="patch",
        data={"target": "97", "version": kpi.version},
        ok_status=(200, 409),
    )
    body = {
        "name": "New",
        "domain": "it",
        "unit": "count",
        "direction": "lower",
        "target": "0",
        "warning": "1",
        "critical": "2",
        "frequency": "weekly",
    }
    response = client_as("board", api=True).post(BASE, body, format="json")
    assert response.status_code == 404
    response = client_as("cio", api=True).post(BASE, body, format="json")
    assert response.status_code == 201, response.data
    assert client_as("contributor", api=True).delete(f"{BASE}{kpi.pk}/").status_code == 404
    assert client_as("ciso", api=True).delete(f"{BASE}{kpi.pk}/").status_code == 204


def test_other_organizations_objects_are_404(client_as, other_org):
    foreign = KPIFactory(organization=other_org)
    m = MeasurementFactory(kpi=foreign)
    client = client_as("cio", api=True)
    assert client.get(f"{BASE}{foreign.pk}/").status_code == 404
    assert client.get(f"{BASE}measurements/{m.pk}/").status_code == 404
    response = client.post(
        f"{BASE}measurements/bulk/",
        {"items": [{"kpi": foreign.pk, "period": "2025-01-01", "value": "1"}]},
        format="json",
    )
    assert response.status_code == 400 and "items[0].kpi" in response.data["errors"]
    assert client_as("cio", api=True).get("/api/v1/orgs/globex/kpis/").status_code == 404


def test_create_with_inconsistent_thresholds_is_400_naming_the_field(client_as, org):
    response = client_as("cio", api=True).post(
        BASE,
        {
            "name": "EDR",
            "domain": "security",
            "unit": "percent",
            "direction": "higher",
            "target": "90",
            "warning": "95",
            "critical": "80",
            "frequency": "monthly",
        },
        format="json",
    )
    assert response.status_code == 400 and "warning" in response.data["errors"]
    response = client_as("cio", api=True).post(
        BASE, {"name": "X", "unit": "percent", "target": "nope"}, format="json"
    )
    assert response.status_code == 400 and "target" in response.data["errors"]
    assert not KPI.objects.exists()


def test_patch_with_stale_version_is_409(client_as, kpi):
    client = client_as("cio", api=True)
    assert client.patch(f"{BASE}{kpi.pk}/", {"target": "97", "version": 1}, format="json").status_code == 200
    response = client.patch(f"{BASE}{kpi.pk}/", {"target": "96", "version": 1}, format="json")
    assert response.status_code == 409


def test_kpi_list_filters_search_and_ordering(client_as, org):
    KPIFactory(organization=org, name="Availability", domain="it", key="avail")
    KPIFactory(organization=org, name="Phishing", domain="security", key="phish")
    client = client_as("cio", api=True)
    assert [k["name"] for k in client.get(BASE, {"domain": "it"}).data["results"]] == ["Availability"]
    assert [k["name"] for k in client.get(BASE, {"search": "phish"}).data["results"]] == ["Phishing"]
    assert [k["name"] for k in client.get(BASE, {"ordering": "-name"}).data["results"]] == [
        "Phishing",
        "Availability",
    ]


def test_token_client_pushes_a_month_and_sees_it_on_the_scorecard(org, cio, kpi):
    mttr = KPIFactory(
        organization=org,
        key="mttr",
        unit="hours",
        direction="lower",
        target=D(4),
        warning=D(8),
        critical=D(24),
        domain="joint",
    )
    client = token_client(cio)
    payload = {
        "items": [
            {"kpi": "edr", "period": "2025-02-01", "value": 97.5, "note": "EDR console"},
            {"kpi": mttr.pk, "period": "2025-02-28", "value": "30"},
        ]
    }
    response = client.post(f"{BASE}measurements/bulk/", payload, format="json")
    assert response.status_code == 200, response.data
    assert response.data == {"created": 2, "updated": 0, "unchanged": 0, "source": "api"}
    again = client.post(f"{BASE}measurements/bulk/", payload, format="json")
    assert again.data == {"created": 0, "updated": 0, "unchanged": 2, "source": "api"}
    assert Measurement.objects.filter(source="api", recorded_by=cio).count() == 2
    rows = {r["key"]: r for r in client.get(f"{BASE}scorecard/").data}
    assert rows["edr"]["latest_value"] == "97.5000" and rows["edr"]["status"] == "green"
    assert rows["mttr"]["status"] == "red"
    listed = client.get(
        f"{BASE}measurements/", {"kpi_key": "edr", "period_after": "2025-02-01", "source": "api"}
    ).data
    assert [m["period"] for m in listed["results"]] == ["2025-02-01"]


def test_bulk_one_bad_item_is_400_with_item_errors_and_writes_nothing(client_as, kpi):
    items = [{"kpi": "edr", "period": f"2024-{m:02d}-01", "value": "90"} for m in range(1, 13)]
    items[3]["value"] = "101"
    items[7]["period"] = "2099-01-01"
    response = client_as("cio", api=True).post(f"{BASE}measurements/bulk/", {"items": items}, format="json")
    assert response.status_code == 400
    assert set(response.data["errors"]) == {"items[3].value", "items[7].period"}
    assert "nothing was saved" in response.data["detail"]
    assert kpi.measurements.count() == 1


@pytest.mark.parametrize("payload", [{}, {"items": []}, {"items": "x"}, []])
def test_bulk_refuses_missing_items(client_as, kpi, payload):
    response = client_as("cio", api=True).post(f"{BASE}measurements/bulk/", payload, format="json")
    assert response.status_code == 400 and "items" in response.data["errors"]


def test_bulk_accepts_a_bare_list_of_1000(client_as, org, django_assert_max_num_queries):
    kpis = [KPIFactory(organization=org, frequency="weekly") for _ in range(4)]
    start = date(2020, 1, 6).toordinal()
    items = [
        {"kpi": k.pk, "period": date.fromordinal(start + 7 * w).isoformat(), "value": "50"}
        for k in kpis
        for w in range(250)
    ]
    response = client_as("cio", api=True).post(f"{BASE}measurements/bulk/", items, format="json")
    assert response.status_code == 200 and response.data["created"] == 1000


def api_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx)


def grow(org, kpis, periods):
    for i in range(kpis):
        kpi = KPIFactory(organization=org, domain=("it", "security", "joint")[i % 3])
        Measurement.objects.bulk_create(
            Measurement(
                organization=org, kpi=kpi, period=date(2023 + p // 12, p % 12 + 1, 1), value=D(85 + p % 10)
            )
            for p in range(periods)
        )


@pytest.mark.parametrize("path", ["", "measurements/", "scorecard/", "scorecard/summary/"])
def test_list_endpoints_query_count_is_flat(client_as, org, path, django_assert_max_num_queries):
    client = client_as("cio", api=True)
    grow(org, 2, 2)
    small = api_queries(client, BASE + path)
    grow(org, 25, 24)
    with django_assert_max_num_queries(small):
        client.get(BASE + path)
    assert small <= 10


def test_scorecard_summary_counts(client_as, org):
    green = KPIFactory(organization=org, domain="it")
    red = KPIFactory(organization=org, domain="it")
    KPIFactory(organization=org, domain="joint")  # no values: stale
    today = date.today()
    from kpis.status import latest_expected_period

    period = latest_expected_period(today, "monthly")
    MeasurementFactory(kpi=green, period=period, value=D(99))
    MeasurementFactory(kpi=red, period=period, value=D(10))
    data = client_as("ciso", api=True).get(f"{BASE}scorecard/summary/").data
    assert data["it"] == {"green": 1, "amber": 0, "red": 1, "stale": 0, "total": 2}
    assert data["joint"]["stale"] == 1 and data["all"]["total"] == 3 and data["security"]["total"] == 0


def test_schema_documents_the_bulk_endpoint(client_as):
    response = client_as("cio", api=True).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/orgs/{org_slug}/kpis/measurements/bulk/" in text and "MeasurementBulkRequest" in text
