"""The board's report page costs the same however large the organization: the
full scorecard comes from the frozen snapshot (every KPI, as in the PDF,
without a query per KPI), the same queries, and a trend bounded to the latest
published reports. Reports built before the board pack keep a bounded table."""

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


def test_full_scorecard_from_the_snapshot_and_queries_do_not_grow(
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
        counts[name] = (len(queries.captured_queries), _kpi_rows(response), response.content.decode())
    # The page's cost is flat: more KPIs, more rows, the same queries.
    assert counts["small"][0] == counts["large"][0]
    items = large.snapshot["kpis"]["items"]
    assert counts["small"][1] == len(small.snapshot["kpis"]["items"]) < LIMIT
    assert counts["large"][1] == len(items) > LIMIT + 10
    # The worst first, and the page and the PDF list the same KPIs with the same values.
    html = counts["large"][2]
    table = html[html.index("pack-all-kpis") :]
    table = table[: table.index("</table>")]
    positions = [table.index(f'data-all-kpi="{k["id"]}"') for k in items]
    assert positions == sorted(positions)
    statuses = [k["status"] for k in items]
    assert statuses == sorted(statuses, key=["red", "stale", "amber", "green"].index)
    assert pdf_context(large)["snapshot"]["kpis"]["items"] == items


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
