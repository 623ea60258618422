"""Uploads cannot take the server down, and bad input is a 400, never a 500.

A corpus of hostile files is generated here (zip bombs, wrong types, other
encodings, NUL bytes, too many rows, too large) and fed to every import path:
each answers 400 with a message naming the problem, writes nothing, and the
reader stops early (rows and bytes read are asserted, not time)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from core import tabular
from kpis.models import Measurement
from risks.models import Risk
from tests.kpis.factories import KPIFactory

pytestmark = pytest.mark.django_db

RISK_HEADER = (
    "title,business_impact,category,origin,owner_email,loss_low,loss_most_likely,loss_high,events_per_year"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_member(data: bytes, name: str, size: int) -> bytes:
    """A real workbook plus one highly compressible member of ``size`` bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr(name, b"\x00" * size)
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return out.getvalue()


HEADER_ONLY = xlsx([["kpi", "period", "value"]])

# name, content, a phrase the message must contain
HOSTILE_FILES = {
    "zip-bomb": (
        "bomb.xlsx",
        lambda: with_member(HEADER_ONLY, "xl/media/bomb.bin", 40 * 1024 * 1024),
        "unpacks to",
    ),
    "ratio-bomb": (
        "dense.xlsx",
        lambda: with_member(HEADER_ONLY, "xl/media/dense.bin", 3 * 1024 * 1024),
        "unpacks to",
    ),
    "zip-not-xlsx": ("archive.xlsx", plain_zip, "not an Excel workbook"),
    "broken-zip": ("broken.xlsx", lambda: b"PK\x03\x04" + b"\x01" * 200, "not a valid Excel workbook"),
    "png-as-csv": ("photo.csv", lambda: PNG, "PNG image"),
    "png-as-xlsx": ("photo.xlsx", lambda: PNG, "PNG image"),
    "exe-as-csv": ("setup.csv", lambda: EXE, "Windows program"),
    "exe-as-xlsx": ("setup.xlsx", lambda: EXE, "Windows program"),
    "latin-1": (
        "latin.csv",
        lambda: "kpi,period,value,note\nedr,2026-01-01,90,Été\n".encode("latin-1"),
        "not UTF-8",
    ),
    "utf-16": ("wide.csv", lambda: "kpi,period,value\nedr,2026-01-01,90\n".encode("utf-16"), "UTF-16"),
    "utf-16-no-bom": ("wide.csv", lambda: "kpi,period,value\nedr,2026-01-01,90\n".encode("utf-16-le"), "NUL"),
    "nul-bytes": ("nul.csv", lambda: b"kpi,period,value\nedr,2026-01-01,9\x000\n", "NUL"),
    "too-many-rows": (
        "rows.csv",
        lambda: b"kpi,period,value\n" + b"edr,2026-01-01,90\n" * 30_000,
        "more than",
    ),
    "too-many-rows-xlsx": (
        "rows.xlsx",
        lambda: xlsx([["kpi", "period", "value"]] + [["edr", "2026-01-01", 90]] * 20_001),
        "more than",
    ),
    "oversized": ("big.csv", lambda: b"kpi,period,value\n" + b"edr,2026-01-01,90\n" * 400_000, "larger than"),
    "too-many-columns": (
        "wide.csv",
        lambda: (",".join(f"c{i}" for i in range(500)) + "\n1\n").encode(),
        "columns",
    ),
}


@pytest.fixture
def kpi(org):
    return KPIFactory(
        organization=org, key="edr", unit="count", direction="lower", target=0, warning=1, critical=2
    )


def _post_risks(client_as, upload):
    return client_as("cio").post("/o/acme/risks/import/", {"file": upload})


def _post_kpis(client_as, upload):
    return client_as("cio").post("/o/acme/kpis/import/", {"file": upload})


IMPORT_PATHS = {"risks": _post_risks, "kpis": _post_kpis}


@pytest.mark.parametrize("case", list(HOSTILE_FILES))
@pytest.mark.parametrize("path", list(IMPORT_PATHS))
def test_hostile_files_are_refused_by_every_import(client_as, kpi, case, path):
    name, build, phrase = HOSTILE_FILES[case]
    response = IMPORT_PATHS[path](client_as, SimpleUploadedFile(name, build()))
    assert response.status_code == 400, (case, path, response.status_code)
    assert phrase in response.content.decode(), (case, path)
    assert not Risk.objects.exists() and not Measurement.objects.exists()
    assert "risks_import" not in client_as("cio").session and "kpis_import" not in client_as("cio").session


def test_csv_reading_stops_at_the_row_limit_without_reading_the_rest():
    content = b"title\n" + b"x\n" * 1_000_000  # 2 MB, under the size limit
    upload = SimpleUploadedFile("rows.csv", content)
    with pytest.raises(tabular.FileRefused, match="more than 5,000 rows") as refused:
        tabular.read_rows(upload, max_rows=5000)
    assert refused.value.rows_read == 5002  # the header, 5,000 rows, and the one too many
    assert upload.file.tell() < len(content) // 10  # the rest of the file was never read


def test_xlsx_reading_stops_at_the_row_limit():
    upload = SimpleUploadedFile("rows.xlsx", xlsx([["title"]] + [["x"]] * 3000))
    with pytest.raises(tabular.FileRefused, match="more than 100 rows") as refused:
        tabular.read_rows(upload, max_rows=100)
    assert refused.value.rows_read == 102


def test_blank_rows_cannot_make_the_xlsx_reader_walk_forever():
    workbook = Workbook()
    workbook.active.append(["title"])
    workbook.active.cell(row=1_000_000, column=1, value="far away")  # a million rows declared, all blank
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(tabular.FileRefused, match="more than 100 rows") as refused:
        tabular.read_rows(SimpleUploadedFile("gap.xlsx", out.getvalue()), max_rows=100)
    assert refused.value.rows_read == 202


def test_a_zip_bomb_is_refused_before_parsing(monkeypatch):
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    upload = SimpleUploadedFile("bomb.xlsx", with_member(HEADER_ONLY, "xl/media/bomb.bin", 40 * 1024 * 1024))
    with pytest.raises(tabular.FileRefused, match="unpacks to"):
        tabular.read_rows(upload)


# ------------------------------------------------------ row-level values ----

BAD_RISK_ROWS = {
    "bell-in-title": ("Ransom\x07ware", "loss_low", ""),
    "escape-in-title": ("\x1b[31mRed", "loss_low", ""),
    "tab-in-title": ("Ransom\tware", "loss_low", ""),
    "nan-loss": ("Ransomware", "loss_low", "NaN"),
    "snan-loss": ("Ransomware", "loss_low", "sNaN"),
    "infinity-loss": ("Ransomware", "loss_low", "Infinity"),
    "huge-loss": ("Ransomware", "loss_low", "1e30"),
    "huge-frequency": ("Ransomware", "events_per_year", "123456789"),
}


@pytest.mark.parametrize("case", list(BAD_RISK_ROWS))
def test_bad_values_in_a_risk_import_are_row_errors(client_as, people, case):
    title, column, bad = BAD_RISK_ROWS[case]
    numbers = {"loss_low": "1000", "loss_most_likely": "2000", "loss_high": "3000", "events_per_year": "0.5"}
    if bad:
        numbers[column] = bad
    line = (
        f'"{title}",Clinics stop,cyber_attack,security,cio@acme.test,{numbers["loss_low"]},'
        f"{numbers['loss_most_likely']},{numbers['loss_high']},{numbers['events_per_year']}"
    )
    good = "Phishing,Mail stops,cyber_attack,security,cio@acme.test,,,,"
    upload = SimpleUploadedFile("risks.csv", f"{RISK_HEADER}\n{good}\n{line}\n".encode())
    response = _post_risks(client_as, upload)
    assert response.status_code == 400
    errors = response.context["errors"]
    assert any(e.startswith(f"Row 3, {'title' if not bad else column}") for e in errors), errors
    assert not Risk.objects.exists()  # the good row is not written either: all or nothing


BAD_KPI_VALUES = [
    "NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "123456789012345678901234567890",
    "9" * 5000,
]


@pytest.mark.parametrize("value", BAD_KPI_VALUES)
def test_bad_numbers_in_a_kpi_import_are_row_errors(client_as, kpi, value):
    upload = SimpleUploadedFile(
        "values.csv", f"kpi,period,value\nedr,2026-01-01,5\nedr,2026-02-01,{value}\n".encode()
    )
    response = _post_kpis(client_as, upload)
    assert response.status_code == 400
    assert any(e.startswith("Row 3, value") for e in response.context["errors"])
    assert not Measurement.objects.exists()


BAD_BULK_ITEMS = {
    "nan": ({"kpi": "edr", "period": "2026-01-01", "value": "NaN"}, "value"),
    "snan": ({"kpi": "edr", "period": "2026-01-01", "value": "sNaN"}, "value"),
    "infinity": ({"kpi": "edr", "period": "2026-01-01", "value": "Infinity"}, "value"),
    "huge-float": ({"kpi": "edr", "period": "2026-01-01", "value": 1e308}, "value"),
    "huge-text": ({"kpi": "edr", "period": "2026-01-01", "value": "1e999999"}, "value"),
    "nul-in-key": ({"kpi": "ed\x00r", "period": "2026-01-01", "value": 1}, "kpi"),
    "bell-in-key": ({"kpi": "edr\x07", "period": "2026-01-01", "value": 1}, "kpi"),
    "huge-id": ({"kpi": 10**30, "period": "2026-01-01", "value": 1}, "kpi"),
    "huge-id-text": ({"kpi": "9" * 40, "period": "2026-01-01", "value": 1}, "kpi"),
    "unicode-digit-id": ({"kpi": "²", "period": "2026-01-01", "value": 1}, "kpi"),
    "nul-in-note": ({"kpi": "edr", "period": "2026-01-01", "value": 1, "note": "a\x00b"}, "note"),
    "nul-in-period": ({"kpi": "edr", "period": "2026-01\x00-01", "value": 1}, "period"),
}


@pytest.mark.parametrize("case", list(BAD_BULK_ITEMS))
def test_bad_items_in_the_bulk_api_are_item_errors(client_as, kpi, case):
    item, field = BAD_BULK_ITEMS[case]
    good = {"kpi": "edr", "period": "2026-02-01", "value": 3}
    response = client_as("cio", api=True).post(
        "/api/v1/orgs/acme/kpis/measurements/bulk/", {"items": [good, item]}, format="json"
    )
    assert response.status_code == 400, response.content[:300]
    assert f"items[1].{field}" in response.json()["errors"], response.json()
    assert not Measurement.objects.exists()


BAD_RISK_FIELDS = {
    "bell-in-title": ({"title": "Ransom\x07ware"}, "title"),
    "newline-in-title": ({"title": "Ransom\nware"}, "title"),
    "nul-in-impact": ({"impact_statement": "Clinics\x00stop"}, "impact_statement"),
    "nan-loss": ({"loss_low": "NaN"}, "loss_low"),
    "infinity-loss": ({"loss_low": "Infinity"}, "loss_low"),
    "huge-loss": ({"loss_low": "1e30"}, "loss_low"),
}


@pytest.mark.parametrize("case", list(BAD_RISK_FIELDS))
def test_bad_values_sent_to_the_risk_api_are_400(client_as, people, case):
    changes, field = BAD_RISK_FIELDS[case]
    body = {
        "title": "Ransomware",
        "impact_statement": "Clinics stop",
        "category": "cyber_attack",
        "origin": "security",
        "owner": people["cio"].pk,
        **changes,
    }
    response = client_as("cio", api=True).post("/api/v1/orgs/acme/risks/", body, format="json")
    assert response.status_code == 400 and field in response.json()["errors"], response.content[:300]
    assert not Risk.objects.exists()


def test_bad_values_typed_into_the_risk_form_are_refused(client_as, people):
    body = {
        "title": "Ransom\x1bware",
        "impact_statement": "Clinics stop",
        "category": "cyber_attack",
        "origin": "security",
        "owner": people["cio"].pk,
        "status": "identified",
    }
    response = client_as("cio").post("/o/acme/risks/new/", body)
    assert response.status_code in (200, 400) and "title" in response.context["form"].errors
    assert not Risk.objects.exists()


def test_an_oversized_upload_is_refused_before_its_body_is_read(client_as, settings, kpi):
    settings.IMPORT_MAX_BYTES = settings.EVIDENCE_MAX_BYTES = 1000  # the gate stops what nothing takes
    big = SimpleUploadedFile("big.csv", b"kpi,period,value\n" + b"edr,2026-01-01,90\n" * 100_000)  # 1.8 MB
    response = client_as("cio").post("/o/acme/kpis/import/", {"file": big})
    assert response.status_code == 400 and b"larger than" in response.content
    assert response.context is None  # answered by the gate: no view ran, no form parsed the body
    assert not Measurement.objects.exists()


OUT_OF_RANGE = {
    "option-score": (
        "options",
        {"name": "Plan B", "cost": "10", "timeline_weeks": 4, "security_score": 99},
        "security_score",
    ),
    "option-weeks": (
        "options",
        {"name": "Plan B", "cost": "10", "timeline_weeks": 10**12, "security_score": 3},
        "timeline_weeks",
    ),
    "option-cost-nan": (
        "options",
        {"name": "Plan B", "cost": "NaN", "timeline_weeks": 4, "security_score": 3},
        "cost",
    ),
    "option-cost-huge": (
        "options",
        {"name": "Plan B", "cost": "1e40", "timeline_weeks": 4, "security_score": 3},
        "cost",
    ),
    "item-amount-inf": (
        "items",
        {
            "title": "X",
            "domain": "it",
            "category": "software",
            "kind": "opex",
            "amount": "Infinity",
            "priority": "must",
        },
        "amount",
    ),
}


@pytest.mark.parametrize("case", list(OUT_OF_RANGE))
def test_out_of_range_numbers_in_budget_writes_are_400(client_as, org, case):
    from budgets.models import BudgetItem, ItemOption
    from tests.budgets.factories import ItemFactory, ProposalFactory

    item = ItemFactory(proposal=ProposalFactory(organization=org))
    resource, body, field = OUT_OF_RANGE[case]
    body = {
        **body,
        "item" if resource == "options" else "proposal": item.pk
        if resource == "options"
        else item.proposal.pk,
    }
    response = client_as("cio", api=True).post(f"/api/v1/orgs/acme/budget/{resource}/", body, format="json")
    assert response.status_code == 400 and field in response.json()["errors"], response.content[:300]
    assert not ItemOption.objects.exists() and BudgetItem.objects.count() == 1


@pytest.mark.parametrize(
    "body,where",
    [
        ('{"items": [{"kpi": "\\ud800", "period": "2026-11-01", "value": 1}]}', "items[0].kpi"),
        (
            '{"items": [{"kpi": "edr", "period": "2026-11-01", "value": 1, "note": "a\\udfffb"}]}',
            "items[0].note",
        ),
    ],
)
def test_a_lone_surrogate_in_json_is_a_400_naming_the_field(client_as, kpi, body, where):
    """JSON can spell text that no database can store; it is refused before any service runs."""
    response = client_as("cio", api=True).generic(
        "POST", "/api/v1/orgs/acme/kpis/measurements/bulk/", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content[:300]
    assert where in response.content.decode()
    assert not Measurement.objects.exists()


def test_deeply_nested_json_is_a_400_not_a_500(client_as, kpi):
    body = '{"items": ' + "[" * 5000 + "]" * 5000 + "}"
    response = client_as("cio", api=True).generic(
        "POST", "/api/v1/orgs/acme/kpis/measurements/bulk/", body, content_type="application/json"
    )
    assert response.status_code == 400 and "nested too deeply" in response.content.decode()
    assert not Measurement.objects.exists()
