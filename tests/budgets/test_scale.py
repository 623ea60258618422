"""A proposal with thousands of items and a register with thousands of risks:
totals added up by the database (and equal to the pure arithmetic), one page
of items, bounded choice lists with a search, sign-offs read once, and query
counts that do not grow with the data."""

import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets import money, selectors, services
from budgets.forms import CHOICES_SHOWN
from budgets.models import (
    BudgetItem,
    Category,
    Domain,
    ItemOption,
    ItemRiskLink,
    Kind,
    Priority,
    ProposalStatus,
)
from risks.models import Mitigation, Risk

from .factories import ItemFactory, OptionFactory, ProposalFactory, make_link, make_risk

pytestmark = pytest.mark.django_db

# Proposal page: the signed-in request's own statements (session, user, membership)
# plus proposal, summary, one page of items, mitigation choices, history and sign-offs.
PROPOSAL_PAGE_QUERIES = (
    9  # the totals come from the cache once the page has been seen; +1: the gaps each item closes
)


def _reference_summary(proposal) -> money.Summary:
    """The pure arithmetic over every item, one by one (what the database must match)."""
    figures = []
    for item in proposal.items.prefetch_related("risk_links", "options"):
        links = list(item.risk_links.all())
        options = list(item.options.all())
        figures.append(
            money.ItemFigures(
                domain=item.domain,
                category=item.category,
                kind=item.kind,
                priority=item.priority,
                amount=item.amount,
                loss_avoided=money.loss_avoided((link.loss_before, link.loss_after) for link in links),
                risk_count=len(links),
                option_count=len(options),
                has_chosen_option=any(o.is_chosen for o in options),
            )
        )
    return money.summarise(
        figures,
        amortisation_years=proposal.amortisation_years,
        domains=Domain.values,
        categories=Category.values,
        kinds=Kind.values,
        priorities=Priority.values,
    )


def _varied_items(proposal, org, owner, *, first_risk: int):
    """Items in every domain, category, kind and priority, with CapEx amounts whose
    amortised cost falls on half a cent, must-haves funded or not, options and links."""
    amounts = ["100.01", "0.01", "90000.25", "0", "1234567.89", "333.33", "10.05", "7"]
    items = []
    for i in range(40):
        items.append(
            ItemFactory(
                proposal=proposal,
                domain=Domain.values[i % 3],
                category=Category.values[i % 7],
                kind=Kind.values[i % 2],
                priority=Priority.values[i % 3],
                amount=D(amounts[i % len(amounts)]),
            )
        )
    for n, item in enumerate(items[::4]):
        make_link(item, make_risk(org, owner, number=first_risk + n), before="1000.55", after="10.10")
    for item in items[1::5]:
        OptionFactory(item=item, cost=item.amount)  # options, none chosen: a must-have stays unfunded
    for item in items[2::5]:
        OptionFactory(item=item, cost=item.amount, is_chosen=True)
    return items


def test_summary_is_added_up_by_the_database_exactly_as_the_pure_arithmetic(org, people):
    last = ProposalFactory(organization=org, fiscal_year=2026, amortisation_years=4)
    current = ProposalFactory(organization=org, fiscal_year=2027, amortisation_years=2)
    _varied_items(last, org, people["cio"], first_risk=1)
    _varied_items(current, org, people["cio"], first_risk=100)
    with CaptureQueriesContext(connection) as ctx:
        result = selectors.proposal_summary(current)
    assert len(ctx) == 1  # both years, all items, in one statement
    expected = _reference_summary(current)
    assert result.summary == expected
    assert expected.unfunded_musts > 0 and expected.cost_avoidance > 0 and expected.portfolio_rosi is not None
    assert result.previous == last and result.previous_total == _reference_summary(last).total
    assert result.change == money.change(expected.total, result.previous_total)
    assert selectors.proposal_summary(current, previous=False).previous is None


def test_summary_of_an_empty_proposal_and_of_an_empty_previous_year(org):
    last = ProposalFactory(organization=org, fiscal_year=2026)
    current = ProposalFactory(organization=org, fiscal_year=2027)
    ItemFactory(proposal=current, amount=D("500"))
    result = selectors.proposal_summary(current)
    assert result.previous == last and result.previous_total == D("0.00")
    assert result.change.delta == D("500.00") and result.change.ratio is None
    empty = selectors.proposal_summary(last)
    assert empty.summary.item_count == 0 and empty.summary.total == D("0.00") and empty.previous is None
    assert empty.summary.security_share is None and empty.summary.by_domain == dict.fromkeys(
        Domain.values, D("0")
    )


def _fill(proposal, count, *, offset=0):
    BudgetItem.objects.bulk_create(
        [
            BudgetItem(
                organization=proposal.organization,
                proposal=proposal,
                title=f"Item {offset + i:04d}",
                domain=Domain.values[i % 3],
                category="cloud",
                kind="opex",
                amount=D("1000"),
                priority="should",
            )
            for i in range(count)
        ]
    )


def _register(org, owner, count):
    """``count`` risks, each with a mitigation."""
    risks = Risk.objects.bulk_create(
        [
            Risk(
                organization=org,
                number=n,
                reference=f"R-{n:03d}",
                title=f"Risk {n}",
                impact_statement="Bad.",
                category="cyber_attack",
                origin="security",
                owner=owner,
            )
            for n in range(1, count + 1)
        ]
    )
    Mitigation.objects.bulk_create(
        [
            Mitigation(organization=org, risk=risk, title=f"Control {risk.number}", owner=owner)
            for risk in risks
        ]
    )


def _links_and_options(proposal, org, owner, *, every: int, first_risk: int):
    for n, item in enumerate(proposal.items.order_by("pk")[::every]):
        ItemOption.objects.create(
            organization=org,
            item=item,
            name="Chosen",
            cost=item.amount,
            timeline_weeks=4,
            security_score=3,
            is_chosen=True,
        )
        ItemRiskLink.objects.create(
            organization=org,
            item=item,
            risk=make_risk(org, owner, number=first_risk + n),
            loss_before=D("900"),
            loss_after=D("100"),
        )


def _page(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx), response.content.decode()


def test_proposal_page_costs_the_same_queries_for_3_or_300_items(client_as, org, people):
    _register(org, people["cio"], CHOICES_SHOWN * 3)
    small = ProposalFactory(organization=org, fiscal_year=2027, status=ProposalStatus.JOINT_REVIEW)
    large = ProposalFactory(organization=org, fiscal_year=2028, status=ProposalStatus.JOINT_REVIEW)
    _fill(small, 3)
    _fill(large, 300)
    _links_and_options(small, org, people["cio"], every=1, first_risk=1001)
    _links_and_options(large, org, people["cio"], every=3, first_risk=2001)
    client = client_as("cio")
    for proposal in (small, large):  # warm caches (content types, sessions, each proposal's totals)
        client.get(f"/o/acme/budget/{proposal.pk}/")
    counts = {}
    for name, proposal in (("small", small), ("large", large)):
        counts[name], page = _page(client, f"/o/acme/budget/{proposal.pk}/")
    assert counts["small"] == counts["large"] <= PROPOSAL_PAGE_QUERIES
    # One page of the table, but the totals are those of all 300 items.
    assert page.count('class="item-title"') == 25 and "1–25 of 300" in page
    assert 'Items <span class="text-body-secondary fs-6">(300)</span>' in page
    # The mitigation list shows the first entries, never the whole register.
    select = re.search(r'<select name="mitigation".*?</select>', page, re.S).group(0)
    assert select.count("<option") == CHOICES_SHOWN + 1  # + "None"
    assert "search to find any other" in page and 'hx-get="/o/acme/budget/mitigation-choices/"' in page


def test_items_table_pages_keep_filters_and_sort(client_as, org):
    proposal = ProposalFactory(organization=org, fiscal_year=2027)
    _fill(proposal, 90)
    client = client_as("ciso")
    url = f"/o/acme/budget/{proposal.pk}/?domain=security&sort=title"
    client.get(url)  # warm caches (content types, sessions)
    first_count, first = _page(client, url)
    assert "1–25 of 30" in first and "Item 0001" in first and "Item 0002" not in first  # 0002 is a joint item
    assert 'href="?domain=security&amp;sort=title&amp;page=2"' in first
    last_count, last = _page(client, url + "&page=2")
    assert "26–30 of 30" in last and last.count('class="item-title"') == 5
    assert last_count == first_count
    # The count and the totals stay those of the whole proposal, whatever the filter.
    assert 'fs-6">(90)</span>' in first


def test_mitigation_search_is_bounded_and_keeps_the_current_choice(client_as, org, people):
    _register(org, people["cio"], CHOICES_SHOWN * 2)
    kept = Mitigation.objects.get(title="Control 40")
    client = client_as("cio")
    url = "/o/acme/budget/mitigation-choices/"
    everything = client.get(url, {"q": "control"}).content.decode()
    assert everything.count("<option") == CHOICES_SHOWN + 2  # None, the first twenty, "more match"
    assert "More match" in everything
    found = client.get(url, {"q": "R-007", "mitigation": kept.pk}).content.decode()
    values = re.findall(r'<option value="(\d*)"', found)
    assert values == ["", str(kept.pk), str(Mitigation.objects.get(title="Control 7").pk)]
    assert f'<option value="{kept.pk}" selected>' in found
    assert "No match" in client.get(url, {"q": "nothing like this"}).content.decode()
    assert client_as("board").get(url, {"q": "control"}).status_code == 404
    assert client_as("outsider").get(url, {"q": "control"}).status_code == 404


def test_a_mitigation_beyond_the_first_twenty_can_be_chosen_and_stays_shown(client_as, org, people):
    _register(org, people["cio"], CHOICES_SHOWN * 2)
    kept = Mitigation.objects.get(title="Control 40")
    proposal = ProposalFactory(organization=org)
    client = client_as("cio")
    response = client.post(
        f"/o/acme/budget/{proposal.pk}/items/add/",
        {
            "title": "SOC tooling",
            "domain": "security",
            "category": "software",
            "kind": "opex",
            "amount": "100",
            "priority": "must",
            "mitigation": kept.pk,
        },
    )
    assert response.status_code == 302
    item = BudgetItem.objects.get(title="SOC tooling")
    assert item.mitigation == kept
    row = client.get(f"/o/acme/budget/items/{item.pk}/edit/", HTTP_HX_REQUEST="true").content.decode()
    select = re.search(r'<select name="mitigation".*?</select>', row, re.S).group(0)
    assert f'<option value="{kept.pk}" selected>R-040 · Control 40</option>' in select
    assert select.count("<option") == CHOICES_SHOWN + 1


def test_risk_search_leaves_out_risks_already_linked(client_as, org, people):
    item = ItemFactory(proposal=ProposalFactory(organization=org))
    _register(org, people["cio"], 30)
    linked = Risk.objects.get(number=12)
    make_link(item, linked)
    client = client_as("ciso")
    body = client.get(f"/o/acme/budget/items/{item.pk}/risk-choices/", {"q": "Risk 1"}).content.decode()
    labels = re.findall(r">(R-\d+) · ", body)
    assert "R-012" not in labels and "R-001" in labels and "R-019" in labels and len(labels) == 10
    page = client.get(f"/o/acme/budget/items/{item.pk}/").content.decode()
    select = re.search(r'<select name="risk".*?</select>', page, re.S).group(0)
    assert select.count("<option") == CHOICES_SHOWN + 1 and "R-012 ·" not in select
    response = client.post(
        f"/o/acme/budget/items/{item.pk}/risks/add/",
        {"risk": Risk.objects.get(number=30).pk, "loss_before": "100", "loss_after": "0"},
    )
    assert response.status_code == 302  # a risk beyond the first twenty is still accepted
    assert item.risk_links.filter(risk__number=30).exists()


def test_sign_offs_in_force_are_found_behind_a_long_log(client_as, org, people):
    proposal = ProposalFactory(organization=org, status=ProposalStatus.JOINT_REVIEW)
    ItemFactory(proposal=proposal)
    services.proposal_sign(actor=people["ciso"], proposal=proposal, comment="Fine by security.")
    for _ in range(selectors.SIGNOFF_LOG_LENGTH + 2):
        services.proposal_sign(actor=people["cio"], proposal=proposal)
        services.proposal_withdraw_signoff(actor=people["cio"], proposal=proposal)
    proposal.refresh_from_db()
    with CaptureQueriesContext(connection) as ctx:
        status, log = selectors.proposal_signoffs(proposal)
    assert len(ctx) == 1
    assert status.ciso is not None and status.ciso.comment == "Fine by security." and status.cio is None
    assert len(log) == selectors.SIGNOFF_LOG_LENGTH and status.ciso not in log
    page = client_as("cio").get(f"/o/acme/budget/{proposal.pk}/").content.decode()
    assert "1 of 2 signed" in page and "Fine by security." in page


def test_cached_totals_follow_an_item_change_at_once(client_as, org, people):
    proposal = ProposalFactory(organization=org, fiscal_year=2027)
    item = ItemFactory(organization=org, proposal=proposal, amount=D("1000"))
    client = client_as("cio")
    url = f"/o/acme/budget/{proposal.pk}/"
    assert client.get(url).context["summary"].total == D("1000")
    services.item_update(actor=people["cio"], item=item, expected_version=item.version, amount=D("2500"))
    assert client.get(url).context["summary"].total == D("2500")
    services.item_create(
        actor=people["cio"],
        proposal=proposal,
        title="Second",
        amount=D("500"),
        domain="it",
        category="software",
        kind="opex",
        priority="should",
    )
    assert client.get(url).context["summary"].total == D("3000")
