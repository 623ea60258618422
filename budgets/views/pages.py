"""Proposal pages: list, create, the proposal page (summary, charts, items table,
sign-off, history), workflow actions and exports. Item, option and risk-link
pages live in ``items.py``."""

from __future__ import annotations

import calendar

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from core.errors import DomainError
from core.exports import export_or_queue
from core.history import history_entries
from core.mixins import OrgViewMixin, add_domain_error
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


class ProposalCreateView(OrgViewMixin, FormView):
    required_perm = Perm.BUDGET_EDIT
    template_name = "budgets/proposal_form.html"
    form_class = ProposalCreateForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organization": self.organization}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["start_month_name"] = calendar.month_name[self.organization.fiscal_year_start_month]
        return context

    def form_valid(self, form):
        try:
            proposal = services.proposal_create(
                actor=self.request.user, organization=self.organization, **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Proposal for FY{proposal.fiscal_year} created.")
        return redirect("budgets:proposal_detail", org=self.organization.slug, pk=proposal.pk)


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
            sign_url=reverse("budgets:proposal_sign", args=[self.organization.slug, proposal.pk]),
            withdraw_url=reverse("budgets:proposal_withdraw", args=[self.organization.slug, proposal.pk]),
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


class ProposalEditView(ProposalMixin, FormView):
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

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.proposal_update(
                actor=self.request.user,
                proposal=self.get_proposal(),
                expected_version=form.cleaned_data["version"],
                **data,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Proposal details saved.")
        return redirect(self.proposal_url())


class ProposalDeleteView(ProposalMixin, View):
    required_perm = Perm.BUDGET_EDIT

    def post(self, request, org, pk):
        proposal = self.get_proposal()
        try:
            services.proposal_delete(actor=request.user, proposal=proposal)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(self.proposal_url())
        messages.success(request, f"The FY{proposal.fiscal_year} draft was deleted.")
        return redirect("budgets:proposal_list", org=org)


WORKFLOW_ACTIONS = {
    "start-review": (
        services.proposal_start_review,
        "Joint review started. The CIO and the CISO can now sign.",
    ),
    "back-to-draft": (services.proposal_back_to_draft, "Back to draft. Sign-offs were voided."),
    "submit": (services.proposal_submit, "Submitted to the board."),
    "reopen": (services.proposal_reopen, "Reopened for revision."),
}


class ProposalTransitionView(ProposalMixin, View):
    """POST a workflow step: start review, back to draft, submit, reopen."""

    required_perm = Perm.BUDGET_EDIT

    def post(self, request, org, pk, action):
        if action not in WORKFLOW_ACTIONS:
            return redirect(self.proposal_url(self.get_proposal()))
        service, done = WORKFLOW_ACTIONS[action]
        kwargs = {}
        if (
            action in ("start-review", "back-to-draft", "submit")
            and request.POST.get("version", "").isdigit()
        ):
            kwargs["expected_version"] = int(request.POST["version"])
        try:
            service(actor=request.user, proposal=self.get_proposal(), **kwargs)
            messages.success(request, done)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(self.proposal_url())


class ProposalDecisionView(ProposalMixin, View):
    """Record the board's decision: approve (optional note) or return (reason required)."""

    required_perm = Perm.BUDGET_VIEW
    post_perm = Perm.BUDGET_DECIDE

    def post(self, request, org, pk, decision):
        proposal = self.get_proposal()
        try:
            if decision == "approve":
                form = ApproveForm(request.POST)
                note = form.cleaned_data["note"] if form.is_valid() else ""
                services.proposal_approve(actor=request.user, proposal=proposal, note=note)
                messages.success(request, "The board's approval is recorded. The proposal is now read-only.")
            else:
                services.proposal_return(
                    actor=request.user, proposal=proposal, reason=request.POST.get("reason", "")
                )
                messages.success(request, "Recorded that the board returned the proposal.")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(self.proposal_url())


class ProposalSignView(ProposalMixin, View):
    required_perm = Perm.BUDGET_VIEW
    post_perm = Perm.SIGN
    step_up_required = True

    def post(self, request, org, pk):
        try:
            services.proposal_sign(
                actor=request.user,
                proposal=self.get_proposal(),
                decision=request.POST.get("decision", "approve"),
                comment=request.POST.get("comment", ""),
            )
            messages.success(request, "Your sign-off is recorded.")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(self.proposal_url())


class ProposalWithdrawView(ProposalMixin, View):
    required_perm = Perm.BUDGET_VIEW
    post_perm = Perm.SIGN
    step_up_required = True

    def post(self, request, org, pk):
        try:
            services.proposal_withdraw_signoff(actor=request.user, proposal=self.get_proposal())
            messages.success(request, "Your sign-off was withdrawn.")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(self.proposal_url())


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
