"""Proposal pages: list, create, the proposal page (summary, charts, items table,
sign-off, history), workflow actions and exports. Item, option and risk-link
pages live in ``items.py``."""

from __future__ import annotations

import calendar

from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from core.actions import ActionView, ServiceFormMixin, SignOffView
from core.exports import export_or_queue
from core.history import history_entries
from core.mixins import OrgViewMixin
from core.roles import Perm
from core.selectors import signoff_panel

from .. import export_jobs, presenters, selectors, services
from ..fiscal import fiscal_year_span
from ..forms import ApproveForm, ItemFilterForm, ItemForm, ProposalCreateForm, ProposalEditForm, ReturnForm
from ..models import SIGNOFF_PURPOSE, ProposalStatus

ITEMS_PER_PAGE = 25  # like the risk register and the intake queue


class ProposalMixin(OrgViewMixin):
    """Loads ``self.proposal`` through the visibility chokepoint (404 if hidden)."""

    required_perm = Perm.BUDGET_VIEW_SUBMITTED
    post_perm = Perm.BUDGET_EDIT

    def dispatch(self, request, *args, **kwargs):
        self.proposal = None
        return super().dispatch(request, *args, **kwargs)

    def get_proposal(self):
        if self.proposal is None:
            self.proposal = selectors.proposal_get(
                user=self.request.user, organization=self.organization, pk=self.kwargs["pk"]
            )
            self.proposal.organization = self.organization  # the proposal was looked up in it
        return self.proposal

    def proposal_url(self, proposal=None) -> str:
        return reverse(
            "budgets:proposal_detail", args=[self.organization.slug, (proposal or self.proposal).pk]
        )


class ProposalListView(OrgViewMixin, TemplateView):
    required_perm = Perm.BUDGET_VIEW_SUBMITTED
    template_name = "budgets/proposal_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        status = status if status in ProposalStatus.values else ""
        proposals = selectors.proposal_list(
            user=self.request.user, organization=self.organization, status=status
        )
        page = Paginator(proposals, 25).get_page(self.request.GET.get("page"))
        start_month = self.organization.fiscal_year_start_month
        context.update(
            page_obj=page,
            proposals=page.object_list,
            status=status,
            statuses=ProposalStatus.choices,
            can_edit=self.can(Perm.BUDGET_EDIT),
            year_spans={p.pk: fiscal_year_span(p.fiscal_year, start_month) for p in page.object_list},
        )
        return context


class ProposalCreateView(ServiceFormMixin, OrgViewMixin, FormView):
    required_perm = Perm.BUDGET_EDIT
    template_name = "budgets/proposal_form.html"
    form_class = ProposalCreateForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organization": self.organization}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["start_month_name"] = calendar.month_name[self.organization.fiscal_year_start_month]
        return context

    def perform(self, form):
        return services.proposal_create(
            actor=self.request.user, organization=self.organization, **form.cleaned_data
        )

    def get_success_message(self, proposal) -> str:
        return f"Proposal for FY{proposal.fiscal_year} created."

    def get_success_url(self, proposal=None) -> str:
        return reverse("budgets:proposal_detail", args=[self.organization.slug, proposal.pk])


class ProposalDetailView(ProposalMixin, TemplateView):
    """Summary and charts over all items (added up by the database), one page of
    the items table, sign-off and history: the same number of queries for ten
    items or thousands."""

    template_name = "budgets/proposal_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        proposal = self.get_proposal()
        context.update(presenters.proposal_context(proposal, organization=self.organization))
        can_edit = self.can(Perm.BUDGET_EDIT) and proposal.is_editable
        context.update(
            self.items_context(proposal, context["summary"].item_count),
            can_edit=can_edit,
            can_decide=self.can(Perm.BUDGET_DECIDE),
            can_manage=self.can(Perm.BUDGET_EDIT),
            can_export_xlsx=self.can(Perm.BUDGET_VIEW),
            return_form=ReturnForm(),
            approve_form=ApproveForm(),
            add_form=self.add_form() if can_edit else None,
        )
        # The board reads the submitted document and its signatures, not the working history.
        context["show_history"] = self.can(Perm.BUDGET_VIEW)
        if context["show_history"]:
            context["history"] = history_entries(proposal, limit=40)
        context["signoff"] = signoff_panel(
            subject=proposal,
            purpose=SIGNOFF_PURPOSE,
            user=self.request.user,
            title="Joint sign-off for submission",
            can_sign=proposal.status == ProposalStatus.JOINT_REVIEW,
        )
        return context

    def items_context(self, proposal, item_count: int) -> dict:
        """One page of the filtered, sorted items table."""
        filters = ItemFilterForm(self.request.GET or None)
        sort = self.request.GET.get("sort", "")
        active_filters = {k: v for k, v in filters.filters().items() if v}
        paginator = Paginator(
            selectors.item_list(proposal=proposal, filters=active_filters, sort=sort), ITEMS_PER_PAGE
        )
        if not active_filters:
            paginator.count = item_count  # the summary counted them already
        page = paginator.get_page(self.request.GET.get("page"))
        return {
            "filter_form": filters,
            "filtered": bool(active_filters),
            "page_obj": page,
            "sort": sort,
            "rows": presenters.item_rows(page.object_list, proposal.amortisation_years),
        }

    def add_form(self) -> ItemForm:
        """The inline "add an item" form; its mitigation list is bounded, with a search."""
        mitigations = selectors.linkable_mitigations(user=self.request.user, organization=self.organization)
        return ItemForm(
            mitigations=mitigations,
            search_url=reverse("budgets:mitigation_choices", args=[self.organization.slug]),
        )


class ProposalEditView(ServiceFormMixin, ProposalMixin, FormView):
    required_perm = Perm.BUDGET_EDIT
    template_name = "budgets/proposal_edit.html"
    form_class = ProposalEditForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_proposal()
        kwargs.setdefault("initial", {})["version"] = self.proposal.version
        return kwargs

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "proposal": self.get_proposal()}

    success_message = "Proposal details saved."

    def perform(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        return services.proposal_update(
            actor=self.request.user,
            proposal=self.get_proposal(),
            expected_version=form.cleaned_data["version"],
            **data,
        )

    def get_success_url(self, result=None) -> str:
        return self.proposal_url()


class ProposalActionView(ProposalMixin, ActionView):
    """A POST on a proposal; back to the proposal's page."""

    required_perm = Perm.BUDGET_EDIT

    def get_success_url(self, result=None) -> str:
        return self.proposal_url(self.get_proposal())


class ProposalDeleteView(ProposalActionView):
    def perform(self, form):
        proposal = self.get_proposal()
        services.proposal_delete(actor=self.request.user, proposal=proposal)
        return proposal

    def get_success_message(self, proposal) -> str:
        return f"The FY{proposal.fiscal_year} draft was deleted."

    def get_success_url(self, result=None) -> str:
        return reverse("budgets:proposal_list", args=[self.organization.slug])

    def get_failure_url(self) -> str:
        return self.proposal_url(self.get_proposal())


WORKFLOW_ACTIONS = {
    "start-review": (
        services.proposal_start_review,
        "Joint review started. The CIO and the CISO can now sign.",
    ),
    "back-to-draft": (services.proposal_back_to_draft, "Back to draft. Sign-offs were voided."),
    "submit": (services.proposal_submit, "Submitted to the board."),
    "reopen": (services.proposal_reopen, "Reopened for revision."),
}
VERSIONED_STEPS = ("start-review", "back-to-draft", "submit")


class ProposalTransitionView(ProposalActionView):
    """POST a workflow step: start review, back to draft, submit, reopen."""

    def post(self, request, *args, **kwargs):
        if kwargs["action"] not in WORKFLOW_ACTIONS:
            return redirect(self.get_success_url())
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        action = self.kwargs["action"]
        service, _done = WORKFLOW_ACTIONS[action]
        version = self.posted_version() if action in VERSIONED_STEPS else None
        kwargs = {"expected_version": version} if version is not None else {}
        return service(actor=self.request.user, proposal=self.get_proposal(), **kwargs)

    def get_success_message(self, result) -> str:
        return WORKFLOW_ACTIONS[self.kwargs["action"]][1]


class ProposalDecisionView(ProposalActionView):
    """Record the board's decision: approve (optional note) or return (reason required)."""

    required_perm = Perm.BUDGET_VIEW
    post_perm = Perm.BUDGET_DECIDE

    def perform(self, form):
        proposal = self.get_proposal()
        if self.kwargs["decision"] == "approve":
            note_form = ApproveForm(self.request.POST)
            note = note_form.cleaned_data["note"] if note_form.is_valid() else ""
            return services.proposal_approve(actor=self.request.user, proposal=proposal, note=note)
        return services.proposal_return(
            actor=self.request.user, proposal=proposal, reason=self.request.POST.get("reason", "")
        )

    def get_success_message(self, result) -> str:
        if self.kwargs["decision"] == "approve":
            return "The board's approval is recorded. The proposal is now read-only."
        return "Recorded that the board returned the proposal."


class ProposalSignOffView(SignOffView, ProposalActionView):
    """``<pk>/sign/`` and ``<pk>/withdraw/``: the joint sign-off for submission."""

    required_perm = Perm.BUDGET_VIEW_SUBMITTED
    purpose = SIGNOFF_PURPOSE

    def get_subject(self):
        return self.get_proposal()


class ProposalXlsxView(ProposalMixin, View):
    required_perm = Perm.BUDGET_VIEW

    def get(self, request, org, pk):
        proposal = self.get_proposal()
        return export_or_queue(
            request, self.organization, key=export_jobs.XLSX, parameters={"proposal": proposal.pk}
        )


class ProposalPdfView(ProposalMixin, View):
    """The board-ready PDF; the board may download it for proposals it can see."""

    def get(self, request, org, pk):
        proposal = self.get_proposal()
        return export_or_queue(
            request, self.organization, key=export_jobs.PDF, parameters={"proposal": proposal.pk}
        )
