"""Factories for budget tests."""

from decimal import Decimal

import factory

from budgets.models import BudgetItem, ItemOption, ItemRiskLink, Proposal
from risks.models import Mitigation, Risk


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    fiscal_year = 2027
    title = factory.LazyAttribute(lambda o: f"Technology and security budget FY{o.fiscal_year}")


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetItem

    proposal = factory.SubFactory(ProposalFactory)
    organization = factory.SelfAttribute("proposal.organization")
    title = factory.Sequence(lambda n: f"Item {n}")
    domain = "security"
    category = "software"
    kind = "opex"
    amount = Decimal("100000.00")
    priority = "should"
    justification = "Needed."


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemOption

    item = factory.SubFactory(ItemFactory)
    organization = factory.SelfAttribute("item.organization")
    name = factory.Sequence(lambda n: f"Option {n}")
    cost = Decimal("100000.00")
    timeline_weeks = 12
    security_score = 3


def make_risk(organization, owner, number=1, eal="500000.00", title=None):
    return Risk.objects.create(
        organization=organization,
        number=number,
        reference=f"R-{number:03d}",
        title=title or f"Risk {number}",
        impact_statement="Bad things.",
        category="cyber_attack",
        origin="security",
        owner=owner,
        expected_annual_loss=Decimal(eal) if eal is not None else None,
    )


def make_mitigation(risk, owner, title="Deploy EDR"):
    return Mitigation.objects.create(organization=risk.organization, risk=risk, title=title, owner=owner)


def make_link(item, risk, before="500000", after="100000"):
    return ItemRiskLink.objects.create(
        organization=item.organization,
        item=item,
        risk=risk,
        loss_before=Decimal(before),
        loss_after=Decimal(after),
    )
