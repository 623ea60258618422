"""Decisions asked of the board, from the draft report's page in a browser: the
CIO proposes one, the CISO confirms it and it enters the pack's page 1; the
CISO withdraws their part and confirms again; a second ask is taken off the
report; the CIO publishes and the board reads the ask with its amount and
deadline. On a phone the asks' money and deadline stay in sight."""

from datetime import timedelta

from django.utils import timezone

from core.selectors import is_jointly_approved
from governance.alignment import services
from governance.models import ASK_PURPOSE, BoardAsk
from tests.governance.factories_reports import populate

from ..conftest import E2E, PHONE
from ..journey_helpers import expect_message, path, submit

pytestmark = E2E


def _propose(page, *, title: str, amount: str, deadline) -> None:
    page.locator("#asks-manage summary").click()
    form = page.locator("#asks-manage form").last
    form.get_by_label("Kind of decision").select_option(label="Approve a budget")
    form.get_by_label("What the board is asked to decide").fill(title)
    form.get_by_label("Our recommendation").fill("Approve it as proposed.")
    form.get_by_label("Amount at stake").fill(amount)
    form.get_by_label("Decide by").fill(deadline.isoformat())
    submit(page, form.get_by_role("button", name="Propose"))


def _ask_item(page, title: str):
    return page.locator("#asks-manage li.list-group-item", has_text=title)


def test_cio_and_ciso_ask_the_board_for_a_decision_from_the_draft(signed_in_page, people, org):
    populate(org, people)
    report = services.report_request(actor=people["cio"], organization=org, enqueue=False)
    report = services.report_build(report_id=report.pk)
    url = path("governance:report_detail", org, pk=report.pk)
    deadline = timezone.localdate() + timedelta(days=20)
    shown_deadline = f"{deadline.day} {deadline:%b %Y}"

    # The CIO proposes two asks: they wait for the CISO and are not in the pack yet.
    cio = signed_in_page("cio")
    cio.goto(url)
    _propose(cio, title="Approve the cloud migration budget", amount="250000", deadline=deadline)
    expect_message(cio, "Proposed")
    _propose(cio, title="Approve a spare laptop fund", amount="12000", deadline=deadline)
    assert "Waiting for the CISO" in _ask_item(cio, "cloud migration").inner_text()
    assert "Nothing is asked of the board" in cio.locator("#summary").inner_text()

    # The CISO confirms the first: it is in the report, page 1, with amount and deadline.
    ciso = signed_in_page("ciso")
    ciso.goto(url)
    submit(ciso, _ask_item(ciso, "cloud migration").get_by_role("button", name="Confirm"))
    expect_message(ciso, "Your decision is recorded")
    ciso.goto(url)
    assert "In the report" in _ask_item(ciso, "cloud migration").inner_text()
    summary = ciso.locator("#summary").inner_text()
    assert "Approve the cloud migration budget" in summary and "250,000" in summary
    assert shown_deadline in summary

    # Withdrawing one's part takes it out of the pack again; confirming puts it back.
    submit(ciso, _ask_item(ciso, "cloud migration").get_by_role("button", name="Withdraw my part"))
    ciso.goto(url)
    assert "Waiting for the CISO" in _ask_item(ciso, "cloud migration").inner_text()
    assert "cloud migration" not in ciso.locator("#summary").inner_text()
    submit(ciso, _ask_item(ciso, "cloud migration").get_by_role("button", name="Confirm"))

    # The second ask is taken off the report (after confirming the browser's question).
    ciso.goto(url)
    ciso.once("dialog", lambda dialog: dialog.accept())
    submit(ciso, _ask_item(ciso, "spare laptop").get_by_role("button", name="Take off the report"))
    assert not BoardAsk.objects.filter(report=report, title__contains="laptop").exists()
    ask = BoardAsk.objects.get(report=report)
    assert is_jointly_approved(ask, ASK_PURPOSE)

    # The CIO publishes; the board reads the ask on page 1 and in Decisions.
    cio.goto(url)
    cio.once("dialog", lambda dialog: dialog.accept())
    submit(cio, "Publish to the board")
    expect_message(cio, "Published")
    assert cio.locator("#asks-manage").count() == 0, "a published report's asks are frozen"
    board = signed_in_page("board", viewport=PHONE)
    board.goto(url)
    for section in ("#summary", "#decisions"):
        text = board.locator(section).inner_text()
        assert "Approve the cloud migration budget" in text and "250,000" in text, section
    # On a phone the amount and the deadline are on screen, labelled, not scrolled away.
    for label in ("Amount", "Decide by"):
        cell = board.locator(f'#summary td[data-label="{label}"]').first
        box = cell.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (label, box)
        assert label in cell.evaluate("el => getComputedStyle(el, '::before').content")
