"""The CIO fixes an ownership gap by clicking cells of the RACI grid: the row
and the counters update in place (HTMX), without reloading the page."""

from playwright.sync_api import expect

from tests.governance.factories_raci import RaciActivityFactory, cell, standard_parties

from ..conftest import E2E
from ..journey_helpers import path

pytestmark = E2E


def _tile(page, label: str) -> str:
    return page.locator("#raci-summary .tile", has_text=label).locator(".tile-value").inner_text().strip()


def test_cio_clicks_cells_and_the_gap_disappears_in_place(signed_in_page, org):
    parties = standard_parties(org)
    activity = RaciActivityFactory(organization=org, name="Patch management")
    cell(activity, parties["ops"], "R")
    cell(activity, parties["ciso"], "C")
    healthy = RaciActivityFactory(organization=org, name="Incident response")
    cell(healthy, parties["ciso"], "A")
    cell(healthy, parties["ops"], "R")
    cell(healthy, parties["cio"], "I")

    page = signed_in_page("cio")
    page.goto(path("governance:raci", org))
    row = page.locator(f"#activity-{activity.pk}")
    assert _tile(page, "Gaps") == "1"
    assert "OK" not in row.locator(".raci-check").inner_text()
    page.evaluate("window.__sameDocument = true")  # a full reload would drop it

    button = row.get_by_role("button", name="Patch management, CIO:")
    assert button.inner_text().strip() == "·"
    # Like a person, wait for the counters to refresh before the next click.
    with page.expect_response(lambda r: "/raci/summary/" in r.url):
        button.click()
    assert row.get_by_role("button", name="Patch management, CIO: R").is_visible()
    assert _tile(page, "Gaps") == "1", "an R is not an A: still a gap"
    with page.expect_response(lambda r: "/raci/summary/" in r.url):
        row.get_by_role("button", name="Patch management, CIO: R").click()

    assert row.get_by_role("button", name="Patch management, CIO: A").inner_text().strip() == "A"
    assert "OK" in row.locator(".raci-check").inner_text()
    gaps = page.locator("#raci-summary .tile", has_text="Gaps")
    expect(gaps.locator(".tile-value")).to_have_text("0")  # the counters refresh after the row
    assert "tile-alert" not in gaps.get_attribute("class")
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded instead of updating in place"
    # The untouched row is as it was, and the change is saved.
    assert "OK" in page.locator(f"#activity-{healthy.pk} .raci-check").inner_text()
    page.reload()
    assert _tile(page, "Gaps") == "0"
    assert (
        page.locator(f"#activity-{activity.pk}")
        .get_by_role("button", name="Patch management, CIO: A")
        .is_visible()
    )
