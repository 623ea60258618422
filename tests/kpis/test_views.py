"""Pages: role and organization contract, forms, import/export, query counts."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpis.models import KPI, Measurement
from tests.contract import expect_page

from .factories import KPIFactory, MeasurementFactory

EXECUTIVES = {"cio", "ciso"}


def url(name, *args):
    return reverse(f"kpis:{name}", args=["acme", *args])


@pytest.fixture
def kpi(org):
    kpi = KPIFactory(organization=org, key="edr", name="EDR coverage")
    MeasurementFactory(kpi=kpi, period=date(2025, 1, 1), value=D(91))
    return kpi


def test_contract_of_every_page(client_as, kpi):
    m = kpi.measurements.get()
    for page in (
        url("scorecard"),
        url("create"),
        url("library"),
        url("import"),
        url("export"),
        url("detail", kpi.pk),
        url("edit", kpi.pk),
        url("delete", kpi.pk),
        url("measurement_create", kpi.pk),
    ):
        expect_page(client_as, page, allowed=EXECUTIVES)
    # POST-only endpoints: the roles without KPI rights get 404, never a change
    for role in ("board", "contributor", "admin", "outsider"):
        client = client_as(role)
        assert client.post(url("measurement_delete", kpi.pk, m.pk)).status_code == 404
        assert client.post(url("library_add"), {"key": "mttr"}).status_code == 404
        assert client.post(url("delete", kpi.pk)).status_code == 404
    assert Measurement.objects.filter(pk=m.pk).exists() and KPI.objects.count() == 1


def test_other_organizations_kpi_is_404(client_as, other_org):
    foreign = KPIFactory(organization=other_org)
    assert client_as("cio").get(url("detail", foreign.pk)).status_code == 404
    assert client_as("cio").get(url("edit", foreign.pk)).status_code == 404


def test_scorecard_groups_and_shows_status(client_as, org):
    KPIFactory(organization=org, name="Availability", domain="it")
    red = KPIFactory(
        organization=org,
        name="Phishing",
        domain="security",
        direction="lower",
        target=D(3),
        warning=D(6),
        critical=D(10),
    )
    MeasurementFactory(kpi=red, period=date(2025, 1, 1), value=D(12))
    response = client_as("ciso").get(url("scorecard"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Availability" in body and "Phishing" in body and 'id="group-joint"' in body
    assert "<svg" in body and "status-red" in body
    # The legend says the rule of docs/DEFINITIONS.md ("KPI status"): red starts beyond the warning line.
    assert "green: target met" in body
    assert "amber: target missed, inside the warning line" in body
    assert "red: beyond the warning line" in body
    assert "critical line" not in body
    filtered = client_as("ciso").get(url("scorecard") + "?domain=it").content.decode()
    assert "Availability" in filtered and "Phishing" not in filtered


def test_scorecard_empty_state(client_as, org):
    body = client_as("cio").get(url("scorecard")).content.decode()
    assert "No KPIs yet" in body and url("library") in body


def scorecard_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx)


def grow(org, kpis, periods):
    for i in range(kpis):
        kpi = KPIFactory(organization=org, domain=("it", "security", "joint")[i % 3])
        Measurement.objects.bulk_create(
            Measurement(
                organization=org, kpi=kpi, period=date(2024 + (p // 12), p % 12 + 1, 1), value=D(85 + p % 10)
            )
            for p in range(periods)
        )


def test_scorecard_page_query_count_is_flat(client_as, org, django_assert_max_num_queries):
    client = client_as("cio")
    grow(org, 2, 2)
    small = scorecard_queries(client, url("scorecard"))
    grow(org, 30, 24)
    with django_assert_max_num_queries(small):
        client.get(url("scorecard"))
    assert small <= 9  # signed-in request, latest values of all KPIs, the page's KPIs, their recent values


def test_detail_page_shows_chart_history_and_paginates(client_as, org, django_assert_max_num_queries):
    kpi = KPIFactory(organization=org)
    client = client_as("cio")
    grow_values = [
        Measurement(organization=org, kpi=kpi, period=date(2023 + p // 12, p % 12 + 1, 1), value=D(90))
        for p in range(3)
    ]
    Measurement.objects.bulk_create(grow_values)
    small = scorecard_queries(client, url("detail", kpi.pk))
    Measurement.objects.bulk_create(
        Measurement(organization=org, kpi=kpi, period=date(2020 + p // 12, p % 12 + 1, 1), value=D(90))
        for p in range(36)
    )
    with django_assert_max_num_queries(small):
        response = client.get(url("detail", kpi.pk))
    body = response.content.decode()
    assert "Target" in body and "Critical" in body and "History" in body and "1 / 2" in body


def test_create_form_validates_and_creates(client_as, org):
    client = client_as("cio")
    data = {
        "name": "EDR",
        "domain": "security",
        "unit": "percent",
        "direction": "higher",
        "target": "90",
        "warning": "95",
        "critical": "80",
        "frequency": "monthly",
        "key": "",
        "csf_function": "",
    }
    response = client.post(url("create"), data)
    assert response.status_code == 200 and "higher is better" in response.content.decode()
    assert not KPI.objects.exists()
    data["target"] = "98"
    response = client.post(url("create"), data)
    kpi = KPI.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", kpi.pk)


def test_edit_form_detects_concurrent_change(client_as, kpi):
    client = client_as("ciso")
    data = {
        "name": kpi.name,
        "domain": kpi.domain,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "target": "97",
        "warning": "90",
        "critical": "80",
        "frequency": kpi.frequency,
        "key": kpi.key,
        "csf_function": "",
        "version": "1",
    }
    assert client.post(url("edit", kpi.pk), data).status_code == 302
    data["target"] = "96"
    response = client.post(url("edit", kpi.pk), data)  # still version 1
    assert response.status_code == 200 and "Someone else changed" in response.content.decode()
    kpi.refresh_from_db()
    assert kpi.target == D(97)


def test_measurement_form_records_and_shows_field_errors(client_as, kpi):
    client = client_as("cio")
    response = client.post(url("measurement_create", kpi.pk), {"period": "2025-02-14", "value": "150"})
    assert response.status_code == 200 and "between 0 and 100" in response.content.decode()
    response = client.post(url("measurement_create", kpi.pk), {"period": "2099-02-14", "value": "50"})
    assert response.status_code == 200 and "future" in response.content.decode()
    response = client.post(url("measurement_create", kpi.pk), {"period": "2025-02-14", "value": "93.5"})
    assert response.status_code == 302
    assert kpi.measurements.get(period=date(2025, 2, 1)).value == D("93.5")


def test_delete_measurement_and_kpi(client_as, kpi):
    client = client_as("cio")
    m = kpi.measurements.get()
    assert client.post(url("measurement_delete", kpi.pk, m.pk)).status_code == 302
    assert not kpi.measurements.exists()
    assert client.post(url("delete", kpi.pk)).status_code == 302
    assert not KPI.objects.exists()


def test_library_marks_added_and_adds_with_one_click(client_as, org):
    client = client_as("cio")
    body = client.get(url("library")).content.decode()
    assert "EDR coverage" in body and "On your scorecard" not in body
    assert client.post(url("library_add"), {"key": "edr_coverage"}).status_code == 302
    assert KPI.objects.filter(organization=org, key="edr_coverage").exists()
    assert "On your scorecard" in client.get(url("library")).content.decode()
    client.post(url("library_add"), {"key": "edr_coverage"})
    assert KPI.objects.filter(key="edr_coverage").count() == 1


def csv_upload(text, name="values.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_import_preview_then_confirm(client_as, kpi):
    client = client_as("cio")
    response = client.post(
        url("import"),
        {"file": csv_upload("kpi,period,value,note\nedr,2025-01-01,92,\nedr,2025-02-10,93,ok\n")},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "2 rows ready" in body and "Update" in body
    assert kpi.measurements.count() == 1  # nothing written by the preview
    token = response.context["token"]
    response = client.post(url("import"), {"confirm": "1", "token": token})
    assert response.status_code == 302
    assert dict(kpi.measurements.values_list("period", "value")) == {
        date(2025, 1, 1): D(92),
        date(2025, 2, 1): D(93),
    }
    # the token is single use
    assert client.post(url("import"), {"confirm": "1", "token": token}).status_code == 302
    assert kpi.measurements.count() == 2


def test_import_with_errors_writes_nothing(client_as, kpi):
    client = client_as("cio")
    response = client.post(
        url("import"),
        {"file": csv_upload("kpi,period,value\nedr,2025-03-01,92\nnope,2025-03-01,1\nedr,2025-04-01,-4\n")},
    )
    body = response.content.decode()
    assert "Row 3, kpi" in body and "Row 4, value" in body and "Nothing was imported" in body
    assert kpi.measurements.count() == 1
    response = client.post(url("import"), {"file": csv_upload("a,b\n1,2\n")})
    assert "Missing column(s): kpi, period, value" in response.content.decode()


def test_export_csv_and_xlsx_roundtrip(client_as, kpi):
    client = client_as("cio")
    response = client.get(url("export") + "?format=csv")
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("kpi,kpi_name") and "edr,EDR coverage" in text
    other = KPIFactory(organization=kpi.organization, key="other")
    MeasurementFactory(kpi=other, period=date(2025, 1, 1))
    assert len(client.get(url("export") + "?format=csv").content.decode("utf-8-sig").splitlines()) == 3
    one = client.get(url("export") + f"?format=csv&kpi={kpi.pk}").content.decode("utf-8-sig")
    assert len(one.splitlines()) == 2 and "edr,EDR coverage" in one
    response = client.get(url("export") + "?format=xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=1).value == "edr" and sheet.cell(row=2, column=6).value == 91


def test_exported_xlsx_imports_back_unchanged(client_as, kpi):
    client = client_as("ciso")
    exported = client.get(url("export") + "?format=xlsx").content
    upload = SimpleUploadedFile(
        "values.xlsx",
        exported,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response = client.post(url("import"), {"file": upload})
    assert response.status_code == 200 and not response.context.get("errors")
    assert [p.action for p in response.context["preview"].rows] == ["unchanged"]


def test_import_refuses_other_file_types(client_as, kpi):
    response = client_as("cio").post(url("import"), {"file": SimpleUploadedFile("values.pdf", b"%PDF-1.4")})
    assert response.status_code == 400 and "Only .csv and .xlsx" in response.content.decode()


def test_kpi_form_explains_the_status_rule_of_the_definitions(client_as):
    body = client_as("ciso").get(url("create")).content.decode()
    assert "misses the target but is inside the warning line (the line itself included) is amber" in body
    assert "a value beyond the warning line is red" in body
    assert "The critical threshold does not change the colour" in body
    assert "turns red" not in body and "past the critical threshold" not in body
