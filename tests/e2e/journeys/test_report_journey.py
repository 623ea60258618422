"""The CIO generates an alignment report, follows its build and publishes it;
the board member reads it, downloads the PDF and cannot open the register."""

import io

from pypdf import PdfReader

from governance.models import AlignmentReport
from tests.governance.factories_reports import populate

from ..conftest import E2E
from ..journey_helpers import expect_message, path, submit

pytestmark = E2E


def test_cio_generates_and_publishes_a_report_the_board_reads_it(signed_in_page, people, org, tmp_path):
    populate(org, people)

    cio = signed_in_page("cio")
    cio.goto(path("governance:report_list", org))
    submit(cio, "Generate report")
    report = AlignmentReport.objects.get(organization=org)
    assert cio.url.endswith(path("governance:report_detail", org, pk=report.pk))
    expect_message(cio, f"The report for {report.period_label} is queued")
    # Celery runs eagerly in tests, so the build may be over when the page loads;
    # otherwise the progress card polls until it is.
    progress = cio.locator(".build-progress")
    if progress.count():
        assert "%" in progress.inner_text() or "Built" in progress.inner_text()
    cio.get_by_role("button", name="Publish to the board").wait_for()
    assert not cio.locator("progress.build-bar").count(), "the build is over"
    assert cio.get_by_role("link", name="Download PDF").is_visible()
    assert cio.locator(".badge", has_text="Draft").is_visible()
    assert cio.locator(".report-summary li").count() >= 1

    cio.once("dialog", lambda dialog: dialog.accept())
    submit(cio, "Publish to the board")
    expect_message(cio, "Published")
    assert cio.locator(".page-header .badge", has_text="Published").is_visible()
    report.refresh_from_db()
    assert report.is_published

    board = signed_in_page("board")
    assert board.url.endswith(path("governance:report_list", org)), "the board starts on the reports"
    with board.expect_navigation():
        board.get_by_role("link", name=report.period_label).first.click()
    assert board.url.endswith(path("governance:report_detail", org, pk=report.pk))
    summary = board.locator(".report-summary").inner_text()
    assert "In short" in summary
    assert board.get_by_role("button", name="Publish to the board").count() == 0

    with board.expect_download() as info:
        board.get_by_role("link", name="Download PDF").click()
    target = tmp_path / "report.pdf"
    info.value.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert report.period_label in text

    # The board sees reports and budgets, never the working register.
    response = board.goto(path("risks:register", org))
    assert response.status == 404
    response = board.goto(path("risks:heatmap", org))
    assert response.status == 404


def test_the_board_pack_on_a_phone_keeps_words_whole_and_badges_small(signed_in_page, people, org):
    """On a 390 px screen the board pack does not overflow the page, breaks no
    word inside its tables and headings, and its badges keep their own size."""
    from governance.alignment import services

    from ..conftest import PHONE

    populate(org, people)
    report = services.report_request(actor=people["cio"], organization=org, enqueue=False)
    report = services.report_build(report_id=report.pk)
    services.report_publish(actor=people["cio"], report=report)
    board = signed_in_page("board", viewport=PHONE)
    board.goto(path("governance:report_detail", org, pk=report.pk))
    board.locator(".pack-web").wait_for()
    assert board.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    broken = board.evaluate(
        """() => [...document.querySelectorAll('.pack-web td, .pack-web th, .pack-web h2, .pack-web h3')]
            .filter(el => {
                const s = getComputedStyle(el);
                return s.wordBreak === 'break-all' || s.overflowWrap === 'anywhere' || s.hyphens === 'auto';
            }).map(el => el.textContent.trim().slice(0, 40))"""
    )
    assert broken == []
    badges = board.evaluate(
        """() => [...document.querySelectorAll('.pack-web .pack-badge')].map(b => {
            const r = b.getBoundingClientRect();
            return [b.textContent.trim(), Math.round(r.width), Math.round(r.height)];
        })"""
    )
    assert badges, "the top risks carry their level badge"
    for text, width, height in badges:
        assert width < 200 and height < 40, (text, width, height)
