"""Filter sets shared by the budget API (and usable by selectors)."""

import django_filters

from .models import (
    BudgetItem,
    Category,
    Domain,
    ItemOption,
    ItemRiskLink,
    Kind,
    Priority,
    Proposal,
    ProposalStatus,
)


class ProposalFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ProposalStatus.choices)
    fiscal_year = django_filters.NumberFilter()

    class Meta:
        model = Proposal
        fields = ["status", "fiscal_year"]


class ItemFilter(django_filters.FilterSet):
    proposal = django_filters.NumberFilter(field_name="proposal_id")
    domain = django_filters.ChoiceFilter(choices=Domain.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    has_risk = django_filters.BooleanFilter(method="filter_has_risk", label="Linked to at least one risk")

    class Meta:
        model = BudgetItem
        fields = ["proposal", "domain", "category", "kind", "priority"]

    def filter_has_risk(self, queryset, name, value):
        return queryset.filter(risk_count__gt=0) if value else queryset.filter(risk_count=0)


class OptionFilter(django_filters.FilterSet):
    item = django_filters.NumberFilter(field_name="item_id")
    proposal = django_filters.NumberFilter(field_name="item__proposal_id")
    is_chosen = django_filters.BooleanFilter()

    class Meta:
        model = ItemOption
        fields = ["item", "proposal", "is_chosen"]


class LinkFilter(django_filters.FilterSet):
    item = django_filters.NumberFilter(field_name="item_id")
    proposal = django_filters.NumberFilter(field_name="item__proposal_id")
    risk = django_filters.NumberFilter(field_name="risk_id")

    class Meta:
        model = ItemRiskLink
        fields = ["item", "proposal", "risk"]
