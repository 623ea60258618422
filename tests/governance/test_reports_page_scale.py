"""The board's report page stays the same size however large the organization:
a bounded KPI table (the worst first; the PDF keeps every KPI), the same
queries, and a trend bounded to the latest published reports."""

from datetime import date, timedelta

import pytest

from governance.alignment.selectors import reports as selectors
from governance.alignment.views.reports import pdf_context

from .factories_reports import make_kpi, make_report, populate
from .test_reports_pages import built

pytestmark = pytest.mark.django_db
LIMIT = selectors.KPI_ROWS_ON_PAGE


def _kpi_rows(response) -> int:
    html = response.content.decode()
    table = html[html.index("pack-all-kpis") :]
    return table[: table.index("</table>")].count("<tr>") - 1  # minus the header row


def test_kpi_table_and_queries_do_not_grow_with_the_scorecard(
    client_as, org, people, django_assert_max_num_queries
):
    populate(org, people)
    small = built(org, people, publish=True)
    for n in range(LIMIT + 10):
        make_kpi(org, name=f"Backup success {n:02}", value=50 if n % 2 else 99)
    large = built(org, people, publish=True, period=(date(2026, 10, 1), date(2026, 12, 31), "Q4 2026"))
    board = client_as("board")
    board.get(f"/o/{org.slug}/reports/{small.pk}/")
    counts = {}
    for name, report in (("small", small), ("large", large)):
        with django_assert_max_num_queries(10) as queries:
            response = board.get(f"/o/{org.slug}/reports/{report.pk}/")
        counts[name] = (len(queries.captured_queries), _kpi_rows(response), response.context["kpi_table"])
    assert counts["small"][0] == counts["large"][0]
    assert counts["small"][1] == len(small.snapshot["kpis"]["items"]) < LIMIT
    assert counts["large"][1] == LIMIT
    table = counts["large"][2]
    assert table["total"] == len(large.snapshot["kpis"]["items"]) and table["more"] == table["total"] - LIMIT
    # The worst first: every red KPI of the scorecard is on the page before any green one.
    statuses = [k["status"] for k in table["rows"]]
    assert statuses == sorted(statuses, key=["red", "stale", "amber", "green"].index)
    assert f"The PDF lists all {table['total']}" in response.content.decode()
    # The PDF still has the whole scorecard.
    assert len(pdf_context(large)["snapshot"]["kpis"]["items"]) == table["total"]


def test_kpi_rows_for_page_from_an_old_or_empty_snapshot():
    assert selectors.kpi_rows_for_page({}) == {"rows": [], "more": 0, "total": 0}
    items = [{"name": f"K{n}", "status": "green"} for n in range(LIMIT + 3)]
    table = selectors.kpi_rows_for_page({"items": items})
    assert table["rows"] == items[:LIMIT] and table["more"] == 3 and table["total"] == LIMIT + 3


def test_published_trend_is_bounded_to_the_latest_reports(org, django_assert_num_queries):
    start = date(2023, 1, 1)
    for n in range(12):
        period_start = start + timedelta(days=91 * n)
        make_report(
            org, label=f"P{n:02}", start=period_start, end=period_start + timedelta(days=90), score=40 + n
        )
    with django_assert_num_queries(1):
        trend = selectors.published_trend(organization=org)
    assert [p["label"] for p in trend] == [f"P{n:02}" for n in range(4, 12)]
    assert len(selectors.published_trend(organization=org, limit=3)) == 3
