"""Report pages: role contract, the board's visibility (drafts 404), progress,
actions, and the PDF (text extracted with pypdf)."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from governance.alignment import services
from governance.models import AlignmentReport, ReportStatus
from risks.models import Risk
from tests.contract import expect_page

from .factories_reports import make_report, populate

pytestmark = pytest.mark.django_db
EXECUTIVES = {"cio", "ciso"}
READERS = {"cio", "ciso", "board"}


def built(org, people, *, publish: bool, period=(date(2026, 7, 1), date(2026, 9, 30), "Q3 2026")):
    report = services.report_request(
        actor=people["cio"],
        organization=org,
        period_start=period[0],
        period_end=period[1],
        period_label=period[2],
        enqueue=False,
    )
    report = services.report_build(report_id=report.pk)
    return services.report_publish(actor=people["cio"], report=report) if publish else report


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


@pytest.fixture
def published(org, people):
    populate(org, people)
    return built(org, people, publish=True)


@pytest.fixture
def draft(org, people, published):
    return built(org, people, publish=False, period=(date(2026, 10, 1), date(2026, 12, 31), "Q4 2026"))


def test_contract_for_every_page(client_as, org, published):
    base = f"/o/{org.slug}"
    expect_page(client_as, f"{base}/reports/", allowed=READERS)
    expect_page(client_as, f"{base}/reports/{published.pk}/", allowed=READERS)
    expect_page(client_as, f"{base}/alignment/method/", allowed=READERS)
    expect_page(client_as, f"{base}/reports/{published.pk}/progress/", allowed=EXECUTIVES)
    expect_page(client_as, f"{base}/dashboard/", allowed=EXECUTIVES)


def test_pdf_contract(client_as, org, published):
    expect_page(client_as, f"/o/{org.slug}/reports/{published.pk}/pdf/", allowed=READERS)


def test_board_sees_published_reports_and_never_drafts(client_as, org, published, draft):
    board = client_as("board")
    listing = board.get(f"/o/{org.slug}/reports/")
    assert list(listing.context["reports"]) == [published]
    assert "Q4 2026" not in listing.content.decode()
    assert board.get(f"/o/{org.slug}/reports/{draft.pk}/").status_code == 404
    assert board.get(f"/o/{org.slug}/reports/{draft.pk}/pdf/").status_code == 404
    assert board.get(f"/o/{org.slug}/reports/?status=draft").context["reports"].__len__() == 1
    page = board.get(f"/o/{org.slug}/reports/{published.pk}/")
    assert page.status_code == 200
    assert "Publish to the board" not in page.content.decode()
    for url in ("dashboard/", "reports/generate/", f"reports/{published.pk}/progress/"):
        assert board.get(f"/o/{org.slug}/{url}").status_code == 404
    for url in (f"reports/{draft.pk}/publish/", f"reports/{draft.pk}/delete/", "reports/generate/"):
        assert board.post(f"/o/{org.slug}/{url}").status_code == 404
    draft.refresh_from_db()
    assert draft.status == ReportStatus.DRAFT


def test_executives_see_drafts_and_filter_them(client_as, org, published, draft):
    cio = client_as("cio")
    assert list(cio.get(f"/o/{org.slug}/reports/").context["reports"]) == [draft, published]
    assert list(cio.get(f"/o/{org.slug}/reports/?status=draft").context["reports"]) == [draft]
    assert list(cio.get(f"/o/{org.slug}/reports/?sort=period").context["reports"]) == [published, draft]


def test_report_page_reads_summary_first_then_details(client_as, org, published):
    html = client_as("board").get(f"/o/{org.slug}/reports/{published.pk}/").content.decode()
    assert (
        html.index("Alignment score")
        < html.index("In short")
        < html.index("What we ask of the board")
        < html.index("Top risks in business terms")
    )
    assert "IT and security work together" in html
    assert "If risk 1 happens, patients wait longer for care." in html
    assert "<svg" in html  # charts


def test_generate_publish_and_delete_from_the_pages(
    client_as, org, people, django_capture_on_commit_callbacks
):
    populate(org, people)
    cio = client_as("cio")
    with django_capture_on_commit_callbacks(execute=True):
        response = cio.post(f"/o/{org.slug}/reports/generate/", {"period": "previous"})
    report = AlignmentReport.objects.get(organization=org)
    assert response.status_code == 302 and response["Location"] == f"/o/{org.slug}/reports/{report.pk}/"
    assert report.is_ready
    progress = cio.get(f"/o/{org.slug}/reports/{report.pk}/progress/?reload=1")
    assert progress["HX-Refresh"] == "true" and "Ready" in progress.content.decode()
    cio.post(f"/o/{org.slug}/reports/{report.pk}/publish/")
    report.refresh_from_db()
    assert report.is_published
    response = cio.post(f"/o/{org.slug}/reports/{report.pk}/delete/", follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert AlignmentReport.objects.filter(pk=report.pk).exists()


def test_generate_with_a_bad_period_says_so(client_as, org, people):
    response = client_as("ciso").post(f"/o/{org.slug}/reports/generate/", {"period": "someday"}, follow=True)
    assert "Choose the period" in response.content.decode()
    assert not AlignmentReport.objects.exists()


def test_progress_fragment_polls_while_building(client_as, org, people):
    report = services.report_request(actor=people["cio"], organization=org, enqueue=False)
    html = client_as("cio").get(f"/o/{org.slug}/reports/{report.pk}/progress/").content.decode()
    assert 'hx-trigger="every 2s"' in html and "Waiting for a worker" in html
    failed = client_as("cio").get(f"/o/{org.slug}/reports/{report.pk}/")
    assert failed.status_code == 200
    AlignmentReport.objects.filter(pk=report.pk).update(
        build_status="failed", failure_reason="The report could not be built: boom"
    )
    html = client_as("cio").get(f"/o/{org.slug}/reports/{report.pk}/").content.decode()
    assert "The report could not be built: boom" in html and 'hx-trigger="every 2s"' not in html


def test_pdf_shows_score_and_top_risks(client_as, org, published):
    text = pdf_text(client_as("board").get(f"/o/{org.slug}/reports/{published.pk}/pdf/"))
    page_one = text[: text.index("Page 1 of")]
    assert f"{published.score} / 100" in page_one and "Alignment score:" in page_one
    assert "Ransomware on clinical systems 0" in text
    assert "Contents" in text and "Page 2 of" in text


def test_published_report_and_pdf_do_not_change_when_risks_change(client_as, org, published):
    url = f"/o/{org.slug}/reports/{published.pk}/"
    before_page = client_as("board").get(url).context["snapshot"]
    before_pdf = pdf_text(client_as("board").get(url + "pdf/"))
    Risk.objects.filter(organization=org, reference="R-001").update(
        title="Completely different risk", inherent_score=2
    )
    after_pdf = pdf_text(client_as("board").get(url + "pdf/"))
    assert client_as("board").get(url).context["snapshot"] == before_page
    assert "Completely different risk" not in after_pdf and "Ransomware on clinical systems 0" in after_pdf
    assert after_pdf.replace(" ", "") == before_pdf.replace(" ", "")


def test_report_list_query_count_is_flat(client_as, org, people, django_assert_max_num_queries):
    url = f"/o/{org.slug}/reports/"
    cio = client_as("cio")
    make_report(org, label="Q1 2025", start=date(2025, 1, 1), end=date(2025, 3, 31))
    with django_assert_max_num_queries(10) as small:
        cio.get(url)
    for year in range(2000, 2020):
        make_report(org, label=f"Q1 {year}", start=date(year, 1, 1), end=date(year, 3, 31))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(cio.get(url).context["reports"]) == 20


def test_page_and_pdf_both_list_the_whole_scorecard(client_as, org, published):
    snapshot = published.snapshot
    snapshot["kpis"]["items"] = [
        {
            "id": 1000 + i,
            "name": f"Scorecard line {i:02d}",
            "unit": "percent",
            "direction": "higher",
            "value": 90 + i % 5,
            "target": 95,
            "status": "red" if i < 3 else "green",
            "as_of": "2026-11-30",
        }
        for i in range(40)
    ]
    snapshot["kpis"].update(total=40, green=37, red=3, amber=0, stale=0)
    AlignmentReport.objects.filter(pk=published.pk).update(snapshot=snapshot)
    page = client_as("board").get(f"/o/{org.slug}/reports/{published.pk}/").content.decode()
    assert all(f"Scorecard line {i:02d}" in page for i in range(40)) and "The PDF lists all" not in page
    assert "as of 30 Nov 2026" in page
    text = pdf_text(client_as("board").get(f"/o/{org.slug}/reports/{published.pk}/pdf/"))
    assert all(f"Scorecard line {i:02d}" in text for i in range(40))
