"""Notifications in a real browser: the CIO's signature reaches the CISO's
bell; the inbox opens the exact item and marks it read; "mark all read"
empties the count."""

from playwright.sync_api import expect

from core.notifications.services import notify
from core.roles import Role
from risks import services as risk_services
from tests.risks.factories import assessed_risk, request_acceptance

from ..conftest import E2E
from ..journey_helpers import submit

pytestmark = E2E


def test_bell_counts_the_inbox_opens_the_item_and_marks_it_read(signed_in_page, people, org, axe_check):
    risk = request_acceptance(assessed_risk(org, people, cio=(4, 4), ciso=(4, 5)), people[Role.CIO])
    risk_services.acceptance_sign(actor=people[Role.CIO], risk=risk, decision="approve", comment="Fine by me")
    notify(
        event="report.published",
        organization=org,
        recipients=[people[Role.CISO]],
        title="Q1 alignment report was published to the board",
        key="e2e:report",
    )

    ciso = signed_in_page(Role.CISO)
    bell = ciso.get_by_test_id("bell")
    # Put up for signature (the CIO requested it), then signed by the CIO, then the report.
    expect(bell.locator("[data-unread]")).to_have_text("3 unread")

    with ciso.expect_navigation():
        bell.click()
    assert ciso.url.endswith("/notifications/")
    expect(ciso.get_by_role("heading", level=1)).to_have_text("Notifications")
    rows = ciso.locator("[data-notification]")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="waits for your signature")).to_have_attribute("data-read", "no")
    waiting = rows.filter(has_text="your signature completes it")
    expect(waiting).to_have_attribute("data-read", "no")
    axe_check(ciso)

    with ciso.expect_navigation():
        waiting.get_by_role("link").click()
    assert ciso.url.endswith(f"/o/acme/risks/{risk.pk}/")
    expect(bell.locator("[data-unread]")).to_have_text("2 unread")

    ciso.go_back()
    ciso.reload()
    expect(
        ciso.locator("[data-notification]").filter(has_text="your signature completes it")
    ).to_have_attribute("data-read", "yes")
    submit(ciso, "Mark all read")
    expect(ciso.locator("[data-notification][data-read=no]")).to_have_count(0)
    expect(bell.locator("[data-unread]")).to_have_count(0)
