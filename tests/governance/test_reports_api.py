"""API: dashboard summary and alignment reports, for every role."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from governance.alignment import services
from governance.models import AlignmentReport
from tests.contract import expect_api

from .factories_reports import make_report, populate

pytestmark = pytest.mark.django_db
EXECUTIVES = {"cio", "ciso"}
READERS = {"cio", "ciso", "board"}


@pytest.fixture
def reports(org, people):
    populate(org, people)
    published = services.report_request(
        actor=people["cio"],
        organization=org,
        period_start=date(2026, 4, 1),
        period_end=date(2026, 6, 30),
        period_label="Q2 2026",
        enqueue=False,
    )
    published = services.report_publish(
        actor=people["cio"], report=services.report_build(report_id=published.pk)
    )
    draft = services.report_request(
        actor=people["cio"],
        organization=org,
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        period_label="Q3 2026",
        enqueue=False,
    )
    return published, services.report_build(report_id=draft.pk)


def test_contract(client_as, org, reports):
    published, draft = reports
    base = f"/api/v1/orgs/{org.slug}"
    expect_api(client_as, f"{base}/dashboard/", allowed=EXECUTIVES)
    expect_api(client_as, f"{base}/reports/", allowed=READERS)
    expect_api(client_as, f"{base}/reports/{published.pk}/", allowed=READERS)
    expect_api(client_as, f"{base}/reports/{draft.pk}/", allowed=EXECUTIVES)
    expect_api(client_as, f"{base}/reports/{published.pk}/pdf/", allowed=READERS)
    expect_api(
        client_as,
        f"{base}/reports/generate/",
        method="post",
        data={"period": "previous"},
        allowed=EXECUTIVES,
        ok_status=(202,),
        denied_status=(403, 404),
    )


def test_write_actions_are_refused_to_the_board(client_as, org, reports):
    published, draft = reports
    board = client_as("board", api=True)
    # The role table refuses the action before any lookup, so a draft's existence is not revealed either.
    assert board.post(f"/api/v1/orgs/{org.slug}/reports/{draft.pk}/publish/").status_code == 403
    assert board.post(f"/api/v1/orgs/{org.slug}/reports/999999/publish/").status_code == 403
    assert board.post(f"/api/v1/orgs/{org.slug}/reports/{published.pk}/publish/").status_code == 403
    assert board.delete(f"/api/v1/orgs/{org.slug}/reports/{published.pk}/").status_code == 403
    draft.refresh_from_db()
    assert not draft.is_published and AlignmentReport.objects.filter(pk=published.pk).exists()


def test_board_lists_only_published(client_as, org, reports):
    published, _ = reports
    data = client_as("board", api=True).get(f"/api/v1/orgs/{org.slug}/reports/").json()
    assert [r["id"] for r in data["results"]] == [published.pk]
    assert "snapshot" not in data["results"][0]


def test_detail_carries_the_snapshot(client_as, org, reports):
    published, _ = reports
    data = client_as("board", api=True).get(f"/api/v1/orgs/{org.slug}/reports/{published.pk}/").json()
    assert data["snapshot"]["alignment"]["score"] == data["score"] == published.score
    assert data["status"] == "published" and data["published_by"] == "cio@acme.test"


def test_generate_publish_delete_flow(client_as, org, people, django_capture_on_commit_callbacks):
    api = client_as("ciso", api=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/orgs/{org.slug}/reports/generate/",
            {"period_start": "2026-01-01", "period_end": "2026-03-31", "period_label": "Q1 2026"},
            format="json",
        )
    assert response.status_code == 202, response.json()
    pk = response.json()["id"]
    assert AlignmentReport.objects.get(pk=pk).is_ready
    assert api.post(f"/api/v1/orgs/{org.slug}/reports/{pk}/publish/").json()["status"] == "published"
    again = api.post(
        f"/api/v1/orgs/{org.slug}/reports/generate/",
        {"period_start": "2026-01-01", "period_end": "2026-03-31"},
        format="json",
    )
    assert again.status_code == 400 and again.json()["code"] == "published"
    refused = api.delete(f"/api/v1/orgs/{org.slug}/reports/{pk}/")
    assert refused.status_code == 400 and "cannot be deleted" in refused.json()["detail"]


def test_generate_validates_fields(client_as, org, people):
    api = client_as("cio", api=True)
    url = f"/api/v1/orgs/{org.slug}/reports/generate/"
    response = api.post(url, {"period_start": "2026-01-01"}, format="json")
    assert response.status_code == 400 and "period_end" in response.json()["errors"]
    response = api.post(url, {"period_start": "2026-03-01", "period_end": "2026-01-01"}, format="json")
    assert response.status_code == 400 and "period_end" in response.json()["errors"]
    response = api.post(url, {"period": "tomorrow"}, format="json")
    assert response.status_code == 400 and "period" in response.json()["errors"]
    absurd = api.post(url, {"period_start": "0001-01-01", "period_end": "9999-12-31"}, format="json")
    assert absurd.status_code == 400 and "at most one year" in str(absurd.json())
    future = api.post(url, {"period_start": "2999-01-01", "period_end": "2999-03-31"}, format="json")
    assert future.status_code == 400 and "must have started" in str(future.json())
    assert not AlignmentReport.objects.exists()


def test_pdf_endpoint(client_as, org, reports):
    published, _ = reports
    response = client_as("board", api=True).get(f"/api/v1/orgs/{org.slug}/reports/{published.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert f"{published.score} / 100" in text


def test_dashboard_summary(client_as, org, reports):
    data = client_as("cio", api=True).get(f"/api/v1/orgs/{org.slug}/dashboard/").json()
    assert set(data) >= {"alignment", "trend", "risks", "kpis", "budget", "raci", "intake", "decisions"}
    assert [p["label"] for p in data["trend"]] == ["Q2 2026"]
    assert len(data["alignment"]["parts"]) == 5


def test_list_query_count_is_flat(client_as, org, people, django_assert_max_num_queries):
    api = client_as("cio", api=True)
    url = f"/api/v1/orgs/{org.slug}/reports/"
    make_report(org, label="Q1 2025", start=date(2025, 1, 1), end=date(2025, 3, 31))
    with django_assert_max_num_queries(10) as small:
        api.get(url)
    for year in range(1990, 2020):
        make_report(org, label=f"Q1 {year}", start=date(year, 1, 1), end=date(year, 3, 31))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert api.get(url).json()["count"] == 31
