"""The one download helper (core/downloads.py): every CSV/XLSX/PDF download of
Concord names its file safely, is never cached or sniffed, and is recorded on
the Audit page with who, what, format, rows and file name."""

from datetime import date

import pytest
from django.http import FileResponse
from django.test import RequestFactory

from budgets.models import ProposalStatus
from core.downloads import ExportFile, content_disposition, download, safe_filename
from core.models import SecurityEvent, SecurityEventKind
from governance.alignment import services as report_services
from tests.budgets.factories import ItemFactory, ProposalFactory
from tests.governance.factories_raci import RaciActivityFactory, RaciPartyFactory, cell
from tests.governance.factories_reports import populate
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.risks.factories import make_risk

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------ file names ----


def test_ascii_names_are_quoted_as_they_are():
    assert content_disposition("acme-risk-register-2026-01-02.csv") == (
        'attachment; filename="acme-risk-register-2026-01-02.csv"'
    )
    assert content_disposition("report.pdf", inline=True) == 'inline; filename="report.pdf"'


def test_other_characters_get_an_rfc5987_name_and_an_ascii_fallback():
    header = content_disposition("Bütçe FY2027 – Zürich.xlsx")
    assert header.startswith('attachment; filename="Butce FY2027 _ Zurich.xlsx"; ')
    assert header.endswith("filename*=UTF-8''B%C3%BCt%C3%A7e%20FY2027%20%E2%80%93%20Z%C3%BCrich.xlsx")
    only_other = content_disposition("報告.pdf")
    assert 'filename="download.pdf"' in only_other and "filename*=UTF-8''%E5%A0%B1%E5%91%8A.pdf" in only_other


@pytest.mark.parametrize(
    "hostile,expected",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Windows\\evil.csv", "evil.csv"),
        ('a"; filename="evil.exe.csv', "a__ filename=_evil.exe.csv"),
        ("line\r\nSet-Cookie: x=1.csv", "line__Set-Cookie: x=1.csv"),
        ("", "download"),
        ("...", "download"),
    ],
)
def test_hostile_names_cannot_break_the_header_or_name_a_folder(hostile, expected):
    assert safe_filename(hostile) == expected
    header = content_disposition(hostile)
    assert "\r" not in header and "\n" not in header and header.count('"') == 2


def test_long_names_keep_their_extension():
    name = safe_filename("x" * 400 + ".xlsx")
    assert len(name) == 150 and name.endswith(".xlsx")


# -------------------------------------------------------------- helper ----


def test_download_sets_the_headers_and_records_who_what_format_rows(org, people):
    request = RequestFactory().get("/", HTTP_USER_AGENT="pytest")
    request.user = people["cio"]
    file = ExportFile(b"a,b\n1,2\n", "Bütçe.csv", "text/csv; charset=utf-8", rows=1)
    response = download(request, org, file, what="Budget lines")
    assert response.content == b"a,b\n1,2\n" and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "filename*=UTF-8''B%C3%BCt%C3%A7e.csv" in response["Content-Disposition"]
    event = SecurityEvent.objects.get(kind=SecurityEventKind.EXPORT)
    assert (event.actor, event.organization) == (people["cio"], org)
    assert event.detail == "Budget lines · CSV · 1 row · Bütçe.csv"
    assert event.user_agent == "pytest"


def test_download_streams_an_open_file(org, people, tmp_path):
    path = tmp_path / "big.pdf"
    path.write_bytes(b"%PDF-1.7 fake")
    request = RequestFactory().get("/")
    request.user = people["board"]
    with path.open("rb") as handle:
        response = download(request, org, ExportFile(handle, "big.pdf", "application/pdf"), what="Board pack")
        assert isinstance(response, FileResponse) and b"".join(response.streaming_content) == b"%PDF-1.7 fake"
    assert SecurityEvent.objects.get().detail == "Board pack · PDF · big.pdf"


# ------------------------------------------------------ every download ----


@pytest.fixture
def data(org, people):
    make_risk(org, people["cio"], title="Shadow IT")
    kpi = KPIFactory(organization=org, key="edr")
    MeasurementFactory(kpi=kpi, period=date(2026, 1, 1))
    proposal = ProposalFactory(organization=org, fiscal_year=2026, status=ProposalStatus.SUBMITTED)
    ItemFactory(proposal=proposal, title="EDR rollout")
    cell(RaciActivityFactory(organization=org, name="Patch servers"), RaciPartyFactory(organization=org), "A")
    return {"proposal": proposal.pk}


DOWNLOADS = [
    # name, role, url, Content-Type starts with, audit detail contains
    ("risks-csv", "cio", "/o/acme/risks/export/?format=csv", "text/csv", "Risk register · CSV · 1 row"),
    ("risks-xlsx", "cio", "/o/acme/risks/export/?format=xlsx", "application/vnd.openxml", "1 row"),
    ("kpis-csv", "cio", "/o/acme/kpis/export/?format=csv", "text/csv", "KPI values · CSV · 1 row"),
    ("kpis-xlsx", "cio", "/o/acme/kpis/export/?format=xlsx", "application/vnd.openxml", "(XLSX) · 1 row"),
    ("audit-csv", "admin", "/o/acme/audit/export.csv", "text/csv", "Audit trail · CSV"),
    ("audit-xlsx", "admin", "/o/acme/audit/export.xlsx", "application/vnd.openxml", "Audit trail · XLSX"),
    ("raci-xlsx", "cio", "/o/acme/raci/export.xlsx", "application/vnd.openxml", "(RACI)"),
    ("raci-pdf", "cio", "/o/acme/raci/export.pdf", "application/pdf", "RACI): PDF · 1 row"),
    ("budget-xlsx", "cio", "/o/acme/budget/{proposal}/export.xlsx", "application/vnd.openxml", "Budget"),
    ("budget-pdf", "board", "/o/acme/budget/{proposal}/proposal.pdf", "application/pdf", "board PDF"),
]


@pytest.mark.parametrize("name,role,url,mime,detail", DOWNLOADS, ids=[d[0] for d in DOWNLOADS])
def test_every_download_goes_through_the_helper(client_as, people, org, data, name, role, url, mime, detail):
    response = client_as(role).get(url.format(**data))
    assert response.status_code == 200, name
    assert response["Content-Type"].startswith(mime)
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    event = SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT).latest("id")
    assert (event.actor, event.organization) == (people[role], org)
    assert detail in event.detail, event.detail


def test_report_pdf_downloads_from_pages_and_api_are_recorded(client_as, org, people):
    populate(org, people)
    report = report_services.report_request(
        actor=people["cio"],
        organization=org,
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        period_label="Q3 2026",
        enqueue=False,
    )
    report = report_services.report_build(report_id=report.pk)
    report_services.report_publish(actor=people["cio"], report=report)
    page = client_as("board").get(f"/o/acme/reports/{report.pk}/pdf/")
    api = client_as("board", api=True).get(f"/api/v1/orgs/acme/reports/{report.pk}/pdf/")
    for response in (page, api):
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Content-Type-Options"] == "nosniff"
    details = list(
        SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT, actor=people["board"]).values_list(
            "detail", flat=True
        )
    )
    assert len(details) == 2 and all("Alignment report Q3 2026" in d for d in details)


def test_downloads_show_on_the_audit_page(client_as, data):
    client_as("cio").get("/o/acme/risks/export/?format=csv")
    page = client_as("admin").get("/o/acme/audit/?kind=export").content.decode()
    assert "Data exported" in page and "Risk register · CSV · 1 row" in page and "cio@acme.test" in page
