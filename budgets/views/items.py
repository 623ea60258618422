"""Item pages: inline add / edit in the proposal's items table (HTMX, with a
plain-page fallback), the item page with its options side by side and the
risks it reduces, and the option and risk-link actions."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from core.actions import ActionView
from core.history import history_entries
from core.mixins import OrgViewMixin
from core.roles import Perm

from .. import gaps, presenters, selectors, services
from ..forms import (
    CHOICES_SHOWN,
    NO_MITIGATION,
    NO_RISK,
    ItemForm,
    LinkEditForm,
    LinkForm,
    OptionForm,
    choice_options,
    mitigation_label,
    risk_label,
)
from .gaps import GapLinkForm


class ItemMixin(OrgViewMixin):
    required_perm = Perm.BUDGET_VIEW_SUBMITTED
    post_perm = Perm.BUDGET_EDIT
    http_method_names = View.http_method_names

    def mitigations(self):
        return selectors.linkable_mitigations(user=self.request.user, organization=self.organization)

    def item_form(self, *args, **kwargs) -> ItemForm:
        """The item form, its mitigation a bounded list with a search box."""
        return ItemForm(
            *args,
            mitigations=self.mitigations(),
            **kwargs,
            search_url=reverse("budgets:mitigation_choices", args=[self.organization.slug]),
        )

    def link_form(self, item, *args, **kwargs) -> LinkForm:
        """The form linking a risk to ``item``, its risk a bounded list with a search box."""
        risks = selectors.linkable_risks(user=self.request.user, organization=self.organization, item=item)
        return LinkForm(
            *args,
            risks=risks,
            **kwargs,
            search_url=reverse("budgets:risk_choices", args=[self.organization.slug, item.pk]),
        )

    def load_item(self):
        self.item = selectors.item_get(
            user=self.request.user, organization=self.organization, pk=self.kwargs["pk"]
        )
        self.proposal = self.item.proposal
        return self.item

    def item_url(self, item=None) -> str:
        return reverse("budgets:item_detail", args=[self.organization.slug, (item or self.item).pk])

    def proposal_url(self, proposal) -> str:
        return reverse("budgets:proposal_detail", args=[self.organization.slug, proposal.pk])


class ItemCreateView(ItemMixin, ActionView):
    """Add an item to a proposal (HTMX form on the proposal page, or a plain page).
    After an HTMX save the page reloads so totals, charts and sign-offs update."""

    required_perm = Perm.BUDGET_EDIT
    refusal_on_form = True
    htmx_refresh = True

    def get_proposal(self):
        return selectors.proposal_get(
            user=self.request.user, organization=self.organization, pk=self.kwargs["pk"]
        )

    def get(self, request, org, pk):
        return self._render(self.item_form(), self.get_proposal())

    def get_form(self):
        self.proposal = self.get_proposal()
        return self.item_form(self.request.POST)

    def form_invalid(self, form, status: int = 200):
        return self._render(form, self.proposal)

    def perform(self, form):
        return services.item_create(actor=self.request.user, proposal=self.proposal, **form.service_data())

    def get_success_message(self, item) -> str:
        return f"“{item.title}” added."

    def get_success_url(self, result=None) -> str:
        return self.proposal_url(self.proposal)

    def _render(self, form, proposal):
        context = {
            "form": form,
            "proposal": proposal,
            "org": self.organization,
            "membership": self.membership,
            "currency": self.organization.currency,
        }
        template = "budgets/partials/item_add_form.html" if self.request.htmx else "budgets/item_form.html"
        return render(self.request, template, context)


class ItemEditView(ItemMixin, ActionView):
    """Edit an item: an inline table row over HTMX, a plain page otherwise."""

    required_perm = Perm.BUDGET_EDIT
    refusal_on_form = True
    htmx_refresh = True

    def get(self, request, org, pk):
        item = self.load_item()
        form = self.item_form(
            instance=item, initial={"version": item.version}, has_options=item.option_count > 0
        )
        return self._render(form, item)

    def get_form(self):
        item = self.load_item()
        return self.item_form(self.request.POST, instance=item, has_options=item.option_count > 0)

    def form_invalid(self, form, status: int = 200):
        return self._render(form, self.item)

    def perform(self, form):
        services.item_update(
            actor=self.request.user,
            item=self.item,
            expected_version=form.cleaned_data["version"],
            **form.service_data(),
        )
        return self.item

    def get_success_message(self, item) -> str:
        return f"“{item.title}” saved."

    def get_success_url(self, result=None) -> str:
        url = self.request.POST.get("next") or ""
        return url if url.startswith("/") else self.proposal_url(self.item.proposal)

    def _render(self, form, item):
        context = {
            "form": form,
            "item": item,
            "proposal": item.proposal,
            "org": self.organization,
            "membership": self.membership,
            "currency": self.organization.currency,
            "next": self.request.GET.get("next", ""),
        }
        template = "budgets/partials/item_edit_row.html" if self.request.htmx else "budgets/item_form.html"
        return render(self.request, template, context)


class ItemRowView(ItemMixin, View):
    """One row of the items table (to cancel an inline edit)."""

    def get(self, request, org, pk):
        item = self.load_item()
        row = presenters.item_rows([item], item.proposal.amortisation_years)[0]
        return render(
            request,
            "budgets/partials/item_row.html",
            {
                "row": row,
                "org": self.organization,
                "currency": self.organization.currency,
                "can_edit": self.can(Perm.BUDGET_EDIT) and item.proposal.is_editable,
            },
        )


class ItemDeleteView(ItemMixin, ActionView):
    required_perm = Perm.BUDGET_EDIT

    def perform(self, form):
        item = self.load_item()
        services.item_delete(actor=self.request.user, item=item, expected_version=self.posted_version())
        return item

    def get_success_message(self, item) -> str:
        return f"“{item.title}” removed from the proposal."

    def get_success_url(self, result=None) -> str:
        return self.proposal_url((result or self.item).proposal)


class ItemDetailView(ItemMixin, TemplateView):
    template_name = "budgets/item_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = self.load_item()
        can_edit = self.can(Perm.BUDGET_EDIT) and item.proposal.is_editable
        options = list(item.options.all())
        context.update(
            item=item,
            proposal=item.proposal,
            currency=self.organization.currency,
            can_edit=can_edit,
            row=presenters.item_rows([item], item.proposal.amortisation_years)[0],
            options=options,
            links=list(item.risk_links.all()),
            gap_links=list(item.gap_links.all()),
            can_see_profile=self.can(Perm.PROFILE_VIEW),
            best_score=max((o.security_score for o in options), default=None),
            lowest_cost=min((o.cost for o in options), default=None),
            fastest=min((o.timeline_weeks for o in options), default=None),
            history=history_entries(item, limit=30),
        )
        if can_edit:
            context["option_form"] = kwargs.get("option_form") or OptionForm()
            context["link_form"] = kwargs.get("link_form") or self.link_form(item)
            context["gap_form"] = GapLinkForm(
                outcomes=gaps.linkable_gaps(user=self.request.user, organization=self.organization, item=item)
            )
        return context


class _ItemPartCreateView(ActionView, ItemDetailView):
    """Add an option or a risk link on the item's page; an invalid form shows the page again."""

    required_perm = Perm.BUDGET_EDIT
    http_method_names = ItemDetailView.http_method_names
    refusal_on_form = True
    form_name = ""

    def get_form(self):
        return self.make_form(self.load_item())

    def form_invalid(self, form, status: int = 200):
        return self.render_to_response(
            self.get_context_data(**{f"{self.form_name}_form": form, f"open_{self.form_name}_form": True})
        )

    def get_success_url(self, result=None) -> str:
        return self.item_url()


class OptionCreateView(_ItemPartCreateView):
    form_name = "option"

    def make_form(self, item):
        return OptionForm(self.request.POST)

    def perform(self, form):
        return services.option_create(actor=self.request.user, item=self.item, **form.service_data())

    def get_success_message(self, option) -> str:
        return f"Option “{option.name}” added."


class LinkCreateView(_ItemPartCreateView):
    form_name = "link"

    def make_form(self, item):
        return self.link_form(item, self.request.POST)

    def perform(self, form):
        data = form.cleaned_data
        return services.link_create(
            actor=self.request.user,
            item=self.item,
            risk=data["risk"],
            loss_before=data.get("loss_before"),
            loss_after=data["loss_after"],
            note=data.get("note", ""),
        )

    def get_success_message(self, link) -> str:
        return f"{link.risk.reference} linked."


class _PartEditView(ItemMixin, ActionView):
    """Edit an option or a risk link on its own small page."""

    required_perm = Perm.BUDGET_EDIT
    template_name = "budgets/part_form.html"
    form_class = None
    title = ""
    refusal_on_form = True
    success_message = "Saved."

    def load(self):
        raise NotImplementedError

    def get(self, request, org, pk):
        obj = self.load()
        return self._render(self.form_class(instance=obj, initial={"version": obj.version}), obj)

    def get_form(self):
        self.obj = self.load()
        return self.form_class(self.request.POST, instance=self.obj)

    def form_invalid(self, form, status: int = 200):
        return self._render(form, self.obj)

    def perform(self, form):
        return self.save(self.obj, form)

    def get_success_url(self, result=None) -> str:
        return self.item_url(self.obj.item)

    def _render(self, form, obj):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "obj": obj,
                "item": obj.item,
                "proposal": obj.item.proposal,
                "title": self.title,
                "org": self.organization,
                "membership": self.membership,
            },
        )


class OptionEditView(_PartEditView):
    form_class = OptionForm
    title = "Edit option"

    def load(self):
        return selectors.option_get(
            user=self.request.user, organization=self.organization, pk=self.kwargs["pk"]
        )

    def save(self, obj, form):
        services.option_update(
            actor=self.request.user,
            option=obj,
            expected_version=form.cleaned_data["version"],
            **form.service_data(),
        )


class LinkEditView(_PartEditView):
    form_class = LinkEditForm
    title = "Edit risk reduction"

    def load(self):
        return selectors.link_get(
            user=self.request.user, organization=self.organization, pk=self.kwargs["pk"]
        )

    def save(self, obj, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        services.link_update(
            actor=self.request.user, link=obj, expected_version=form.cleaned_data["version"], **data
        )


class _PartActionView(ItemMixin, ActionView):
    """POST-only actions on an option or a link, back to the item page."""

    required_perm = Perm.BUDGET_EDIT

    def perform(self, form):
        self.obj = self.load()
        return self.act(self.obj)

    def get_success_message(self, message) -> str:
        return message

    def get_success_url(self, result=None) -> str:
        return self.item_url(self.obj.item)


class OptionChooseView(_PartActionView):
    load = OptionEditView.load

    def act(self, option):
        services.option_choose(actor=self.request.user, option=option)
        return f"“{option.name}” is now the chosen option; the item's amount follows it."


class OptionDeleteView(_PartActionView):
    load = OptionEditView.load

    def act(self, option):
        services.option_delete(actor=self.request.user, option=option)
        return f"Option “{option.name}” deleted."


class LinkDeleteView(_PartActionView):
    load = LinkEditView.load

    def act(self, link):
        services.link_delete(actor=self.request.user, link=link)
        return f"{link.risk.reference} is no longer linked to this item."


class _ChoicesView(ItemMixin, View):
    """The options of a bounded choice list that match a search, for HTMX to put
    into the list's <select>: the empty choice, the current one (``<field>=pk``,
    kept so that searching never drops it), then the first CHOICES_SHOWN matches."""

    required_perm = Perm.BUDGET_EDIT
    field_name = ""
    empty_label = None

    def label(self, row) -> str:
        raise NotImplementedError

    def rows(self, search: str = ""):
        raise NotImplementedError

    def get(self, request, org, **kwargs):
        rows = list(self.rows(request.GET.get("q", ""))[: CHOICES_SHOWN + 1])
        current = request.GET.get(self.field_name, "")
        selected = self.rows().filter(pk=current).first() if current.isdigit() else None
        return render(
            request,
            "budgets/partials/choice_options.html",
            {
                "options": choice_options(
                    rows[:CHOICES_SHOWN], label=self.label, empty_label=self.empty_label, selected=selected
                ),
                "selected": str(selected.pk) if selected else "",
                "more": len(rows) > CHOICES_SHOWN,
                "none": not rows,
            },
        )


class MitigationChoicesView(_ChoicesView):
    field_name = "mitigation"
    empty_label = NO_MITIGATION
    label = staticmethod(mitigation_label)

    def rows(self, search: str = ""):
        return selectors.linkable_mitigations(
            user=self.request.user, organization=self.organization, search=search
        )


class RiskChoicesView(_ChoicesView):
    field_name = "risk"
    empty_label = NO_RISK
    label = staticmethod(risk_label)

    def get(self, request, org, pk):
        self.load_item()
        return super().get(request, org)

    def rows(self, search: str = ""):
        return selectors.linkable_risks(
            user=self.request.user, organization=self.organization, item=self.item, search=search
        )
