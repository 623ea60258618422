"""Budget items close gaps of the CSF profile; the proposal shows which; the gaps
that no item of an approved budget closes are listed for the CIO and the CISO."""

from decimal import Decimal

import pytest

from budgets import gaps
from budgets import services as budget_services
from budgets.models import ItemGapLink, ProposalStatus
from core.errors import DomainError, NotAllowed
from core.roles import Role
from risks.profile import services as profile_services
from tests.budgets.factories import ProposalFactory
from tests.risks.factories import profile_outcome

pytestmark = pytest.mark.django_db


def _item(org, people, year=2027, title="SIEM"):
    proposal = ProposalFactory(organization=org, fiscal_year=year)
    return budget_services.item_create(
        actor=people[Role.CIO],
        proposal=proposal,
        title=title,
        domain="security",
        category="software",
        kind="opex",
        amount=Decimal("50000"),
        priority="must",
        justification="Detect attacks.",
    )


def test_a_link_shows_on_the_proposal_and_changes_it(client_as, org, people):
    item = _item(org, people)
    outcome = profile_outcome(org, "DE.CM-01")
    version = item.proposal.version
    gaps.gap_link_create(actor=people[Role.CISO], item=item, outcome=outcome, note="Clinics onboarded")
    item.proposal.refresh_from_db()
    assert item.proposal.version == version + 1  # its sign-offs are void
    page = client_as("cio").get(f"/o/{org.slug}/budget/{item.proposal.pk}/").content.decode()
    assert "Closes" in page and ">DE.CM-01</abbr>" in page
    detail = client_as("cio").get(f"/o/{org.slug}/budget/items/{item.pk}/").content.decode()
    assert "DE.CM-01</a> Networks and network services" in detail


def test_links_are_refused_when_they_make_no_sense(org, other_org, people):
    item = _item(org, people)
    outcome = profile_outcome(org, "DE.CM-01")
    gaps.gap_link_create(actor=people[Role.CIO], item=item, outcome=outcome)
    with pytest.raises(DomainError, match="already closes"):
        gaps.gap_link_create(actor=people[Role.CIO], item=item, outcome=outcome)
    with pytest.raises(DomainError) as caught:
        gaps.gap_link_create(
            actor=people[Role.CIO], item=item, outcome=profile_outcome(other_org, "DE.CM-01")
        )
    assert caught.value.field == "outcome"
    out = profile_services.outcome_update(
        actor=people[Role.CIO],
        outcome=profile_outcome(org, "PR.PS-06"),
        expected_version=None,
        in_scope=False,
        scope_reason="None.",
    )
    with pytest.raises(DomainError, match="out of scope"):
        gaps.gap_link_create(actor=people[Role.CIO], item=item, outcome=out)
    with pytest.raises(NotAllowed):
        gaps.gap_link_create(actor=people[Role.BOARD], item=item, outcome=profile_outcome(org, "DE.CM-02"))


def test_the_page_links_and_unlinks(client_as, org, people):
    item = _item(org, people)
    outcome = profile_outcome(org, "DE.CM-01")
    client = client_as("ciso")
    response = client.post(f"/o/{org.slug}/budget/items/{item.pk}/gaps/add/", {"outcome": outcome.pk})
    assert response.status_code == 302
    link = ItemGapLink.objects.get(item=item)
    response = client.post(f"/o/{org.slug}/budget/gap-links/{link.pk}/delete/")
    assert response.status_code == 302 and not ItemGapLink.objects.exists()
    assert client_as("board").post(
        f"/o/{org.slug}/budget/items/{item.pk}/gaps/add/", {"outcome": outcome.pk}
    ).status_code in (403, 404)


def test_gaps_without_a_funded_item(client_as, org, people):
    funded_item = _item(org, people, 2026, "EDR")
    planned_item = _item(org, people, 2027, "SIEM")
    funded, planned = profile_outcome(org, "DE.CM-09"), profile_outcome(org, "DE.CM-01")
    gaps.gap_link_create(actor=people[Role.CIO], item=funded_item, outcome=funded)
    gaps.gap_link_create(actor=people[Role.CIO], item=planned_item, outcome=planned)
    funded_item.proposal.status = ProposalStatus.APPROVED
    funded_item.proposal.save(update_fields=["status"])
    listed = {
        g.outcome.subcategory.code: g for g in gaps.unfunded_gaps(user=people[Role.CIO], organization=org)
    }
    assert "DE.CM-09" not in listed and "DE.CM-01" in listed and len(listed) == 105
    assert [link.item.title for link in listed["DE.CM-01"].planned] == ["SIEM"]
    page = client_as("ciso").get(f"/o/{org.slug}/budget/unfunded-gaps/").content.decode()
    assert 'data-gap="DE.CM-01"' in page and 'data-gap="DE.CM-09"' not in page and "SIEM</a> (FY2027" in page
    for role in ("board", "contributor"):
        assert client_as(role).get(f"/o/{org.slug}/budget/unfunded-gaps/").status_code == 404
