"""A large ownership matrix, a page at a time: the CIO pages through the grid,
fixes a gap on the second page by clicking a cell, and the counters (which
cover every activity, not only the page) update in place."""

from playwright.sync_api import expect

from tests.governance.factories_raci import RaciActivityFactory, cell, standard_parties

from ..conftest import E2E
from ..journey_helpers import assert_accessible, axe_serious, path

pytestmark = E2E


def test_cio_pages_through_a_large_matrix_and_fixes_a_gap_on_page_two(signed_in_page, org):
    parties = standard_parties(org)
    for i in range(30):
        activity = RaciActivityFactory(organization=org, name=f"Activity {i:02}", position=i)
        cell(activity, parties["ops"], "R")
        if i != 27:  # the only gap, on the second page
            cell(activity, parties["cio"], "A")

    page = signed_in_page("cio")
    page.goto(path("governance:raci", org))
    expect(page.locator("#raci-count")).to_contain_text("Showing 1–25 of 30 activities")
    assert page.locator("tbody tr[id^=activity-]").count() == 25
    gaps = page.locator("#raci-summary .tile", has_text="Gaps").locator(".tile-value")
    expect(gaps).to_have_text("1")  # counted over the whole matrix, though the gap is not on this page

    page.get_by_role("link", name="Next page").click()
    expect(page.locator("#raci-count")).to_contain_text("Showing 26–30 of 30 activities")
    assert page.url.endswith("?page=2")
    assert_accessible([dict(found, page="RACI grid, page 2") for found in axe_serious(page)])

    page.evaluate("window.__sameDocument = true")
    row = page.locator("tbody tr", has_text="Activity 27")
    with page.expect_response(lambda r: "/raci/summary/" in r.url):
        row.get_by_role("button", name="Activity 27, CISO: empty").click()  # empty → R
    with page.expect_response(lambda r: "/raci/summary/" in r.url):
        row.get_by_role("button", name="Activity 27, CISO: R").click()  # R → A
    expect(row.locator(".raci-check")).to_contain_text("OK")
    expect(gaps).to_have_text("0")
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded instead of updating in place"
    assert page.url.endswith("?page=2")
