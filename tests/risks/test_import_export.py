"""Export and import of the register: round trip, good files, bad files
(nothing written, row and column named), XLSX, preview then commit."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from risks import importing, services
from risks.models import Risk

from .factories import LOSS, assessed_risk, make_risk

pytestmark = pytest.mark.django_db
HEADERS = [
    "reference",
    "title",
    "business_impact",
    "category",
    "origin",
    "owner_email",
    "status",
    "csf_categories",
    "annex_a_controls",
    "loss_low",
    "loss_most_likely",
    "loss_high",
    "events_per_year",
]


def _csv(rows, headers=HEADERS, name="risks.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def _xlsx(rows, headers=HEADERS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("risks.xlsx", buffer.getvalue())


GOOD = [
    "",
    "Shadow IT",
    "Data leaves our control.",
    "Data protection and privacy",
    "security",
    "cio@acme.test",
    "",
    "PR.DS, ID.AM",
    "A.5.10 8.12",
    "1000",
    "5000",
    "20000",
    "2",
]


def test_good_csv_previews_then_imports_everything(client_as, org, people):
    client = client_as("cio")
    second = [
        "",
        "Patch backlog",
        "Servers stay exposed.",
        "cyber_attack",
        "IT",
        "ciso@acme.test",
        "identified",
        "",
        "",
        "",
        "",
        "",
        "",
    ]
    response = client.post("/o/acme/risks/import/", {"file": _csv([GOOD, second])})
    assert response.status_code == 200 and response.context["counts"] == {
        "create": 2,
        "update": 0,
        "unchanged": 0,
    }
    assert not Risk.objects.exists()  # preview writes nothing
    response = client.post("/o/acme/risks/import/", {"confirm": "1", "token": response.context["token"]})
    assert response.status_code == 302
    shadow = Risk.objects.get(title="Shadow IT")
    assert shadow.reference == "R-001" and shadow.owner == people["cio"] and shadow.expected_annual_loss
    assert sorted(c.code for c in shadow.csf_categories.all()) == ["ID.AM", "PR.DS"]
    assert sorted(c.code for c in shadow.annex_a_controls.all()) == ["A.5.10", "A.8.12"]
    assert Risk.objects.count() == 2


def test_one_bad_row_imports_nothing_and_names_row_and_column(client_as, org, people):
    client = client_as("cio")
    bad = list(GOOD)
    bad[5] = "cio@globex.test"  # not a member here
    bad[1] = ""
    bad[7] = "PR.ZZ"
    response = client.post(
        "/o/acme/risks/import/", {"file": _csv([GOOD, bad, GOOD[:3] + ["volcano"] + GOOD[4:]])}
    )
    assert response.status_code == 400
    errors = response.context["errors"]
    assert "Row 3, title: is required." in errors
    assert "Row 3, owner_email: Choose a member of this organization." in errors
    assert "Row 3, csf_categories: 'PR.ZZ' is not a NIST CSF 2.0 category." in errors
    assert any(e.startswith("Row 4, category: 'volcano' is not one of") for e in errors)
    assert "Nothing was imported" in response.content.decode()
    assert (
        client.post("/o/acme/risks/import/", {"confirm": "1"}).status_code == 302
    )  # nothing stored to commit
    assert not Risk.objects.exists()


def test_service_refuses_the_whole_file_and_rolls_back(org, people):
    rows = [dict(zip(HEADERS, GOOD, strict=True)), dict(zip(HEADERS, GOOD, strict=True))]
    rows[1]["loss_high"] = "10"  # lower than most likely
    with pytest.raises(services.ImportFailed) as exc:
        services.risks_import(actor=people["cio"], organization=org, rows=rows)
    assert exc.value.errors == ["Row 3, loss_most_likely: the losses must go low ≤ most likely ≤ high."]
    assert not Risk.objects.exists()


def test_status_accepted_cannot_be_imported(org, people):
    row = dict(zip(HEADERS, GOOD, strict=True), status="Accepted")
    _parsed, errors = importing.parse_rows([row], org)
    assert errors == [
        "Row 2, status: a risk becomes Accepted only by joint sign-off of the CIO and the CISO."
    ]


def test_xlsx_import_and_wrong_file_types(client_as, org, people):
    client = client_as("ciso")
    response = client.post("/o/acme/risks/import/", {"file": _xlsx([GOOD])})
    assert response.status_code == 200 and response.context["counts"]["create"] == 1
    fake = SimpleUploadedFile("risks.xlsx", b"not a workbook")
    response = client.post("/o/acme/risks/import/", {"file": fake})
    assert response.status_code == 400 and "not an Excel workbook" in response.content.decode()
    response = client.post("/o/acme/risks/import/", {"file": _csv([GOOD], headers=HEADERS[:3])})
    assert (
        response.status_code == 400
        and "Missing column(s): category, origin, owner_email" in response.content.decode()
    )


def test_export_then_import_round_trips_unchanged(client_as, org, people):
    risk = assessed_risk(
        org, people, cio=(2, 3), ciso=(4, 4), **LOSS, affected_services="EHR, Billing", treatment="mitigate"
    )
    make_risk(org, people["ciso"], title="Second")
    client = client_as("cio")
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/o/acme/risks/export/?format={fmt}")
        assert response.status_code == 200
        upload = SimpleUploadedFile(f"export.{fmt}", response.content)
        preview = client.post("/o/acme/risks/import/", {"file": upload})
        assert preview.status_code == 200, preview.context.get("errors")
        assert preview.context["counts"] == {"create": 0, "update": 0, "unchanged": 2}
    risk.refresh_from_db()
    assert risk.version == Risk.objects.get(pk=risk.pk).version


def test_export_follows_the_register_filters(client_as, org, people):
    assessed_risk(org, people, title="Divergent", cio=(1, 1), ciso=(5, 5))
    assessed_risk(org, people, title="Aligned", cio=(2, 2), ciso=(2, 2))
    response = client_as("cio").get("/o/acme/risks/export/?format=csv&divergent=yes")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["title"] for r in rows] == ["Divergent"]
    assert (
        rows[0]["cio_score"] == "1" and rows[0]["ciso_score"] == "25" and rows[0]["divergence_levels"] == "3"
    )


def test_import_updates_by_reference_and_detects_concurrent_change(client_as, org, people):
    risk = make_risk(org, people["cio"], title="Old title")
    row = [
        "R-001",
        "New title",
        "Clinics stop.",
        "cyber_attack",
        "security",
        "cio@acme.test",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ]
    client = client_as("cio")
    preview = client.post("/o/acme/risks/import/", {"file": _csv([row])})
    assert preview.context["counts"]["update"] == 1
    services.risk_update(actor=people["ciso"], risk=risk, expected_version=risk.version, title="Someone else")
    response = client.post("/o/acme/risks/import/", {"confirm": "1", "token": preview.context["token"]})
    assert response.status_code == 400
    assert response.context["errors"] == [
        "Row 2, row: someone changed this risk since the preview; check it and import again."
    ]
    risk.refresh_from_db()
    assert risk.title == "Someone else"


@pytest.mark.parametrize("make", [_csv, _xlsx], ids=["csv", "xlsx"])
def test_duplicate_column_headers_are_refused_naming_the_header(client_as, org, people, make):
    """Two "Title" columns: one would silently win; the file is refused instead."""
    headers = HEADERS[:3] + ["Title"] + HEADERS[3:]
    row = GOOD[:3] + ["Another title"] + GOOD[3:]
    response = client_as("cio").post("/o/acme/risks/import/", {"file": make([row], headers=headers)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The column “Title” appears twice (columns B and D)" in page
    assert not Risk.objects.exists()
