"""Budget pages: role and organization contract, board visibility, inline
editing, workflow buttons, exports and pinned query counts."""

import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from budgets import services
from budgets.models import BudgetItem, ItemOption, Proposal, ProposalStatus
from tests.contract import expect_page

from .factories import ItemFactory, OptionFactory, ProposalFactory, make_link, make_mitigation, make_risk

pytestmark = pytest.mark.django_db
EXECS = {"cio", "ciso"}
READERS = {"cio", "ciso", "board"}


@pytest.fixture
def draft(org):
    return ProposalFactory(organization=org, fiscal_year=2027)


@pytest.fixture
def submitted(org):
    return ProposalFactory(organization=org, fiscal_year=2026, status=ProposalStatus.SUBMITTED)


@pytest.fixture
def filled(draft, people, org):
    item = ItemFactory(proposal=draft, title="EDR rollout", amount=D("120000"))
    OptionFactory(item=item, name="Balanced", cost=D("120000"), is_chosen=True)
    risk = make_risk(org, people["cio"])
    link = make_link(item, risk)
    return {"proposal": draft, "item": item, "option": item.options.get(), "link": link, "risk": risk}


def test_list_and_create_contract(client_as, draft):
    expect_page(client_as, "/o/acme/budget/", allowed=READERS)
    expect_page(client_as, "/o/acme/budget/new/", allowed=EXECS)


def test_proposal_pages_contract(client_as, filled):
    pk, item = filled["proposal"].pk, filled["item"]
    expect_page(client_as, f"/o/acme/budget/{pk}/", allowed=EXECS)  # a draft: invisible to the board
    expect_page(client_as, f"/o/acme/budget/{pk}/edit/", allowed=EXECS)
    expect_page(client_as, f"/o/acme/budget/{pk}/export.xlsx", allowed=EXECS)
    expect_page(client_as, f"/o/acme/budget/{pk}/proposal.pdf", allowed=EXECS)
    expect_page(client_as, f"/o/acme/budget/{pk}/items/add/", allowed=EXECS)
    expect_page(client_as, f"/o/acme/budget/items/{item.pk}/", allowed=EXECS)
    expect_page(client_as, f"/o/acme/budget/items/{item.pk}/edit/", allowed=EXECS)
    expect_page(client_as, f"/o/acme/budget/items/{item.pk}/row/", allowed=EXECS)
    expect_page(client_as, f"/o/acme/budget/options/{filled['option'].pk}/edit/", allowed=EXECS)
    expect_page(client_as, f"/o/acme/budget/risk-links/{filled['link'].pk}/edit/", allowed=EXECS)


def test_board_sees_submitted_proposals_and_their_pdf_only(client_as, draft, submitted):
    item = ItemFactory(proposal=submitted)
    page = client_as("board").get("/o/acme/budget/").content.decode()
    assert "FY2026" in page and "FY2027" not in page
    expect_page(client_as, f"/o/acme/budget/{submitted.pk}/", allowed=READERS)
    expect_page(client_as, f"/o/acme/budget/{submitted.pk}/proposal.pdf", allowed=READERS)
    expect_page(client_as, f"/o/acme/budget/items/{item.pk}/", allowed=READERS)
    expect_page(client_as, f"/o/acme/budget/{submitted.pk}/export.xlsx", allowed=EXECS)
    board = client_as("board")
    assert board.get(f"/o/acme/budget/{draft.pk}/").status_code == 404
    assert board.get(f"/o/acme/budget/{draft.pk}/proposal.pdf").status_code == 404
    page = board.get(f"/o/acme/budget/{submitted.pk}/").content.decode()
    assert "Add an item" not in page and "Record board approval" not in page and "Approve as" not in page


@pytest.mark.parametrize("status", ["draft", "joint_review"])
def test_board_cannot_see_unsubmitted_statuses(client_as, org, status):
    p = ProposalFactory(organization=org, fiscal_year=2030, status=status)
    assert client_as("board").get(f"/o/acme/budget/{p.pk}/").status_code == 404


def test_board_cannot_change_anything(client_as, submitted, filled):
    board = client_as("board")
    item = filled["item"]
    posts = [
        "/o/acme/budget/new/",
        f"/o/acme/budget/{submitted.pk}/step/reopen/",
        f"/o/acme/budget/{submitted.pk}/decision/approve/",
        f"/o/acme/budget/{submitted.pk}/decision/return/",
        f"/o/acme/budget/{submitted.pk}/sign/",
        f"/o/acme/budget/{submitted.pk}/items/add/",
        f"/o/acme/budget/items/{item.pk}/edit/",
        f"/o/acme/budget/items/{item.pk}/delete/",
        f"/o/acme/budget/options/{filled['option'].pk}/choose/",
        f"/o/acme/budget/risk-links/{filled['link'].pk}/delete/",
    ]
    for url in posts:
        assert board.post(url, {"reason": "x", "title": "x"}).status_code in (403, 404), url
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.SUBMITTED
    for role in ("contributor", "admin", "outsider"):
        assert client_as(role).post(f"/o/acme/budget/{submitted.pk}/decision/approve/").status_code == 404


def test_proposal_page_shows_summary_figures(client_as, filled):
    page = client_as("ciso").get(f"/o/acme/budget/{filled['proposal'].pk}/").content.decode()
    assert "EDR rollout" in page and "120,000" in page
    assert "400,000" in page  # loss avoided 500k → 100k
    assert "+233.3%" in page  # (400 000 − 120 000) / 120 000, one decimal (core.formatting.rosi_text)
    assert "<svg" in page and "How the figures are computed" in page
    assert 'style="' not in page and "<style" not in page


def test_inline_add_item_with_htmx_validation_in_place(client_as, draft):
    client = client_as("cio")
    url = f"/o/acme/budget/{draft.pk}/items/add/"
    bad = client.post(
        url,
        {
            "title": "",
            "domain": "it",
            "category": "cloud",
            "kind": "opex",
            "amount": "-5",
            "priority": "must",
        },
        HTTP_HX_REQUEST="true",
    )
    body = bad.content.decode()
    assert bad.status_code == 200 and 'id="item-add"' in body and "<html" not in body
    assert "This field is required" in body and "greater than or equal to 0" in body
    ok = client.post(
        url,
        {
            "title": "Cloud backup",
            "domain": "it",
            "category": "cloud",
            "kind": "opex",
            "amount": "45000.50",
            "priority": "must",
        },
        HTTP_HX_REQUEST="true",
    )
    assert ok.status_code == 204 and ok["HX-Refresh"] == "true"
    assert BudgetItem.objects.get(title="Cloud backup").amount == D("45000.50")
    plain = client.post(
        url,
        {
            "title": "Laptops",
            "domain": "it",
            "category": "hardware",
            "kind": "capex",
            "amount": "1000",
            "priority": "could",
        },
    )
    assert plain.status_code == 302


def test_inline_edit_row_and_stale_version_message(client_as, filled):
    item = filled["item"]
    client = client_as("cio")
    row = client.get(f"/o/acme/budget/items/{item.pk}/edit/", HTTP_HX_REQUEST="true").content.decode()
    assert row.strip().startswith("<tr") and 'name="version"' in row
    assert "Follows the chosen option" in row  # the amount is locked by the option
    data = {
        "title": "EDR everywhere",
        "domain": "security",
        "category": "software",
        "kind": "opex",
        "priority": "must",
        "version": item.version,
    }
    saved = client.post(f"/o/acme/budget/items/{item.pk}/edit/", data, HTTP_HX_REQUEST="true")
    assert saved.status_code == 204, saved.content.decode()
    stale = client.post(
        f"/o/acme/budget/items/{item.pk}/edit/", data, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Someone else changed this record" in stale
    cancel = client.get(f"/o/acme/budget/items/{item.pk}/row/", HTTP_HX_REQUEST="true").content.decode()
    assert "EDR everywhere" in cancel and "<html" not in cancel


def test_item_page_options_side_by_side_and_links(client_as, filled, org, people):
    item = filled["item"]
    client = client_as("ciso")
    response = client.post(
        f"/o/acme/budget/items/{item.pk}/options/add/",
        {
            "name": "Most secure",
            "cost": "180000",
            "timeline_weeks": "16",
            "security_score": "5",
            "pros": "Full coverage\nManaged 24/7",
            "cons": "Costly",
        },
    )
    assert response.status_code == 302
    secure = ItemOption.objects.get(name="Most secure")
    client.post(f"/o/acme/budget/options/{secure.pk}/choose/")
    item.refresh_from_db()
    assert item.amount == D("180000")
    page = client.get(f"/o/acme/budget/items/{item.pk}/").content.decode()
    assert "Balanced" in page and "Most secure" in page and "Managed 24/7" in page and "strongest" in page
    assert "R-001" in page and "400,000" in page
    bad = client.post(
        f"/o/acme/budget/items/{item.pk}/options/add/",
        {"name": "", "cost": "x", "timeline_weeks": "0", "security_score": "9"},
    )
    assert bad.status_code == 200 and "This field is required" in bad.content.decode()
    risk2 = make_risk(org, people["cio"], number=2, eal="90000")
    response = client.post(
        f"/o/acme/budget/items/{item.pk}/risks/add/", {"risk": risk2.pk, "loss_after": "10000"}
    )
    assert response.status_code == 302 and item.risk_links.count() == 2
    bad = client.post(
        f"/o/acme/budget/items/{item.pk}/risks/add/", {"risk": "", "loss_before": "5", "loss_after": "10"}
    )
    assert "higher than the loss before" in bad.content.decode()


def test_workflow_through_pages(client_as, filled, people):
    proposal = filled["proposal"]
    cio, ciso = client_as("cio"), client_as("ciso")
    base = f"/o/acme/budget/{proposal.pk}"
    cio.post(f"{base}/step/start-review/")
    cio.post(f"{base}/sign/", {"decision": "approve"})
    page = ciso.get(f"{base}/").content.decode()
    assert "1 of 2 signed" in page and "Approve as CISO" in page
    ciso.post(f"{base}/sign/", {"decision": "approve"})
    ciso.post(f"{base}/step/submit/")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED
    response = cio.post(f"{base}/decision/return/", {"reason": ""}, follow=True)
    assert "Say why the board returned" in response.content.decode()
    cio.post(f"{base}/decision/approve/", {"note": "Approved in the March meeting."})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED
    page = cio.get(f"{base}/").content.decode()
    assert "read-only" in page and "Add an item" not in page
    response = cio.post(f"/o/acme/budget/items/{filled['item'].pk}/delete/", follow=True)
    assert "read-only" in response.content.decode()
    assert BudgetItem.objects.filter(pk=filled["item"].pk).exists()


def test_create_proposal_page_validation(client_as, draft):
    client = client_as("cio")
    page = client.post(
        "/o/acme/budget/new/", {"fiscal_year": "2027", "amortisation_years": "3"}
    ).content.decode()
    assert "already a proposal for FY2027" in page
    response = client.post(
        "/o/acme/budget/new/", {"fiscal_year": "2028", "amortisation_years": "3", "copy_previous": "on"}
    )
    assert response.status_code == 302
    assert Proposal.objects.get(fiscal_year=2028).copied_from == draft


def test_delete_item_and_draft(client_as, filled):
    client = client_as("cio")
    item = filled["item"]
    client.post(f"/o/acme/budget/items/{item.pk}/delete/", {"version": item.version})
    assert not BudgetItem.objects.filter(pk=item.pk).exists()
    client.post(f"/o/acme/budget/{filled['proposal'].pk}/delete/")
    assert not Proposal.objects.filter(pk=filled["proposal"].pk).exists()


def test_xlsx_export_reads_back_with_totals(client_as, filled, org, people):
    ItemFactory(
        proposal=filled["proposal"], title="Network refresh", domain="it", kind="capex", amount=D("90000.25")
    )
    response = client_as("cio").get(f"/o/acme/budget/{filled['proposal'].pk}/export.xlsx")
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    wb = load_workbook(io.BytesIO(response.content))
    items = wb["Items"]
    headers = [c.value for c in items[1]]
    rows = {r[0]: dict(zip(headers, r, strict=False)) for r in items.iter_rows(min_row=2, values_only=True)}
    assert rows["EDR rollout"]["Amount"] == 120000 and rows["EDR rollout"]["Loss avoided per year"] == 400000
    assert rows["Network refresh"]["Annual cost"] == pytest.approx(30000.08)
    assert items.cell(row=2, column=6).number_format.endswith('"USD"')
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Total"] == pytest.approx(210000.25)
    assert summary["Cost avoidance per year"] == 400000
    assert summary["Domain: IT"] == pytest.approx(90000.25)
    assert not any(str(c.value).startswith("=") for row in wb["Summary"].iter_rows() for c in row)


def test_pdf_export_contains_totals_and_sections(client_as, filled, people):
    proposal = filled["proposal"]
    item = filled["item"]
    item.mitigation = make_mitigation(filled["risk"], people["cio"])
    item.save()
    services.proposal_start_review(actor=people["cio"], proposal=proposal)
    services.proposal_sign(actor=people["cio"], proposal=proposal, comment="Agreed with finance.")
    response = client_as("ciso").get(f"/o/acme/budget/{proposal.pk}/proposal.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "120,000" in text and "400,000" in text
    for section in ("Items by priority", "Risks each item addresses", "Sign-offs", "Must have", "R-001"):
        assert section in text, section
    assert "Agreed with finance." in text
    assert "Page 2 of" in text


def test_pdf_lists_voided_signoffs_with_their_state(client_as, filled, people):
    proposal = filled["proposal"]
    services.proposal_start_review(actor=people["cio"], proposal=proposal)
    services.proposal_sign(actor=people["cio"], proposal=proposal, comment="Agreed with finance.")
    item = BudgetItem.objects.get(pk=filled["item"].pk)
    services.item_update(
        actor=people["cio"], item=item, expected_version=item.version, justification="Updated"
    )
    response = client_as("ciso").get(f"/o/acme/budget/{proposal.pk}/proposal.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Not signed for this version" in text
    assert "including voided and withdrawn ones" in text and "Voided" in text


def _fill(proposal, count):
    BudgetItem.objects.bulk_create(
        [
            BudgetItem(
                organization=proposal.organization,
                proposal=proposal,
                title=f"Item {i}",
                domain="it",
                category="cloud",
                kind="opex",
                amount=D("1000"),
                priority="should",
            )
            for i in range(count)
        ]
    )


def test_proposal_page_query_count_is_flat(client_as, org, people, django_assert_max_num_queries):
    small = ProposalFactory(organization=org, fiscal_year=2027)
    large = ProposalFactory(organization=org, fiscal_year=2028)
    _fill(small, 10)
    _fill(large, 300)
    for p in (small, large):
        item = p.items.first()
        OptionFactory(item=item, is_chosen=True)
        make_link(item, make_risk(org, people["cio"], number=p.fiscal_year))
    client = client_as("cio")
    for p in (small, large):  # warm caches (content types, sessions, each proposal's totals)
        client.get(f"/o/acme/budget/{p.pk}/")
    counts = []
    for p in (small, large):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/o/acme/budget/{p.pk}/").status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        client.get(f"/o/acme/budget/{large.pk}/")
    assert counts[0] <= 9  # as PROPOSAL_PAGE_QUERIES in test_scale.py (the gaps each item closes: one query)


def test_proposal_list_query_count_is_flat(client_as, org, django_assert_max_num_queries):
    for year in range(2010, 2013):
        _fill(ProposalFactory(organization=org, fiscal_year=year), 3)
    client = client_as("cio")
    client.get("/o/acme/budget/")
    with django_assert_max_num_queries(12):
        client.get("/o/acme/budget/")
    for year in range(2013, 2030):
        _fill(ProposalFactory(organization=org, fiscal_year=year), 3)
    with django_assert_max_num_queries(12):
        assert client.get("/o/acme/budget/").status_code == 200


def test_board_reads_signatures_but_not_working_history(client_as, submitted, people):
    page = client_as("board").get(f"/o/acme/budget/{submitted.pk}/").content.decode()
    assert "Joint sign-off for submission" in page and "Approve as" not in page
    assert 'id="history-title"' not in page
    assert 'id="history-title"' in client_as("cio").get(f"/o/acme/budget/{submitted.pk}/").content.decode()
