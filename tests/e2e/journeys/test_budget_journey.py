"""The CIO and the CISO review, co-sign and submit the budget proposal; the
board member reads it and downloads the board PDF."""

import io
from decimal import Decimal

from pypdf import PdfReader

from budgets.models import Proposal
from tests.budgets.factories import ItemFactory, ProposalFactory

from ..conftest import E2E
from ..journey_helpers import expect_message, path, submit

pytestmark = E2E


def test_cio_and_ciso_cosign_and_submit_then_the_board_downloads_the_pdf(signed_in_page, org, tmp_path):
    proposal = ProposalFactory(
        organization=org, fiscal_year=2027, title="Technology and security budget FY2027"
    )
    ItemFactory(proposal=proposal, title="EDR renewal", domain="security", amount=Decimal("180000"))
    ItemFactory(
        proposal=proposal,
        title="Network refresh",
        domain="it",
        category="hardware",
        kind="capex",
        amount=Decimal("75000"),
    )
    detail = path("budgets:proposal_detail", org, pk=proposal.pk)

    cio = signed_in_page("cio")
    cio.goto(detail)
    assert "255.0k" in cio.locator(".budget-tiles .tile", has_text="Total").inner_text()
    submit(cio, "Start joint review")
    assert cio.get_by_role("button", name="Submit to the board").is_disabled(), "needs both signatures first"
    submit(cio, "Approve as CIO")
    assert "1 of 2 signed" in cio.locator(".signoff-panel").inner_text()

    ciso = signed_in_page("ciso")
    ciso.goto(detail)
    submit(ciso, "Approve as CISO")
    assert "Jointly approved" in ciso.locator(".signoff-panel").inner_text()
    submit(ciso, "Submit to the board")
    expect_message(ciso, "Submitted to the board")
    proposal.refresh_from_db()
    assert proposal.status == "submitted"

    board = signed_in_page("board")
    board.goto(path("budgets:proposal_list", org))
    with board.expect_navigation():
        board.get_by_role("link", name="FY2027", exact=True).click()
    assert board.url.endswith(detail)
    page_text = board.locator("main").inner_text()
    assert "EDR renewal" in page_text and "Network refresh" in page_text
    assert "Jointly approved" in board.locator(".signoff-panel").inner_text()
    assert board.get_by_role("button", name="Approve as CIO").count() == 0

    with board.expect_download() as info:
        board.get_by_role("link", name="Board PDF").click()
    download = info.value
    assert download.suggested_filename == f"budget-FY2027-{org.slug}.pdf"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Total requested: 255,000" in text, text[:1500]
    assert "EDR renewal" in text
    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"
