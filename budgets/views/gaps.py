"""Budget items against the CSF profile's gaps: link a gap to an item, unlink it,
and the "Gaps without a funded item" list for the CIO and the CISO."""

from __future__ import annotations

from django import forms
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from core.actions import ActionView
from core.forms import StyledFormMixin
from core.mixins import OrgViewMixin
from core.roles import Perm

from .. import gaps
from ..models import BudgetItem, ItemGapLink


def gap_label(outcome) -> str:
    return f"{outcome.subcategory.code} {outcome.subcategory.statement}"[:140]


class GapLinkForm(StyledFormMixin, forms.Form):
    outcome = forms.ModelChoiceField(queryset=None, label="Gap it closes", empty_label="Choose a gap")
    note = forms.CharField(label="How", required=False, max_length=300)

    def __init__(self, *args, outcomes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].queryset = outcomes
        self.fields["outcome"].label_from_instance = gap_label


class GapLinkCreateView(ActionView):
    """POST on an item's page: the item closes this gap."""

    required_perm = Perm.BUDGET_EDIT

    def get_item(self) -> BudgetItem:
        return get_object_or_404(
            BudgetItem.objects.visible_to(self.request.user).select_related("proposal"),
            pk=self.kwargs["pk"],
            organization=self.organization,
        )

    def get_form(self):
        self.item = self.get_item()
        outcomes = gaps.linkable_gaps(user=self.request.user, organization=self.organization, item=self.item)
        return GapLinkForm(self.request.POST, outcomes=outcomes)

    def perform(self, form):
        return gaps.gap_link_create(
            actor=self.request.user,
            item=self.item,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data.get("note", ""),
        )

    def get_success_message(self, link) -> str:
        return f"This item now closes the gap on {link.outcome.subcategory.code}."

    def get_success_url(self, result=None) -> str:
        return reverse("budgets:item_detail", args=[self.organization.slug, self.kwargs["pk"]]) + "#gaps"


class GapLinkDeleteView(ActionView):
    required_perm = Perm.BUDGET_EDIT

    def perform(self, form):
        link = get_object_or_404(
            ItemGapLink.objects.visible_to(self.request.user).select_related(
                "item__proposal", "outcome__subcategory"
            ),
            pk=self.kwargs["pk"],
            organization=self.organization,
        )
        self.item_pk = link.item_id
        gaps.gap_link_delete(actor=self.request.user, link=link)
        return link

    def get_success_message(self, link) -> str:
        return f"This item no longer closes the gap on {link.outcome.subcategory.code}."

    def get_success_url(self, result=None) -> str:
        if result is None:
            return reverse("budgets:proposal_list", args=[self.organization.slug])
        return reverse("budgets:item_detail", args=[self.organization.slug, self.item_pk]) + "#gaps"


class UnfundedGapsView(OrgViewMixin, TemplateView):
    """The CSF profile's gaps that no item of an approved budget closes."""

    required_perm = Perm.BUDGET_VIEW
    template_name = "budgets/unfunded_gaps.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["gaps"] = found = gaps.unfunded_gaps(user=self.request.user, organization=self.organization)
        context["planned_count"] = sum(1 for gap in found if gap.planned)
        context["can_see_profile"] = self.can(Perm.PROFILE_VIEW)
        return context
