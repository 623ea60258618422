"""Pages of project intake: my requests / the reviewers' queue, the request
form, the request page and its workflow actions, and the SLA settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from core.errors import DomainError
from core.history import history_entries
from core.mixins import OrgViewMixin, add_domain_error
from core.roles import Perm
from core.selectors import signoff_panel

from . import forms, selectors, services
from . import rules as intake_rules
from .models import IntakeCondition, IntakeOption, IntakeRequest


class IntakeMixin(OrgViewMixin):
    required_perm = Perm.INTAKE_FILE

    @property
    def is_reviewer(self) -> bool:
        return self.can(Perm.INTAKE_REVIEW)

    def get_request_object(self) -> IntakeRequest:
        return get_object_or_404(
            IntakeRequest.objects.visible_to(self.request.user),
            organization=self.organization,
            pk=self.kwargs["pk"],
        )


class IntakeListView(IntakeMixin, TemplateView):
    """Reviewers get the queue, sorted by SLA; people who file get their own requests."""

    template_name = "governance/intake/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = forms.QueueFilterForm(self.request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        status = data.get("status") or ("open" if self.is_reviewer else "all")
        settings = services.intake_settings_get(organization=self.organization)
        now = timezone.now()
        requests = selectors.intake_request_list(
            user=self.request.user,
            organization=self.organization,
            status="" if status == "all" else status,
            tier=data.get("tier", ""),
            sla=data.get("sla", ""),
            search=data.get("q", ""),
            sort=data.get("sort") or "sla",
            now=now,
            settings=settings,
        )
        page = Paginator(requests, 25).get_page(self.request.GET.get("page"))
        context.update(
            filter_form=form,
            status=status,
            page_obj=page,
            is_reviewer=self.is_reviewer,
            rows=selectors.queue_rows(page.object_list, settings=settings, now=now),
            filtered=any(data.get(k) for k in ("tier", "sla", "q")) or status not in ("open", "all"),
            sla_labels=intake_rules.SLA_LABELS,
        )
        if self.is_reviewer:
            context["summary"] = selectors.intake_overview(
                organization=self.organization,
                user=self.request.user,
                now=now,
                at_risk_percent=settings.at_risk_percent,
            )
            context["settings"] = settings
        return context


class IntakeCreateView(IntakeMixin, FormView):
    template_name = "governance/intake/request_form.html"
    form_class = forms.IntakeRequestForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["settings"] = services.intake_settings_get(organization=self.organization)
        context["review_depth"] = intake_rules.REVIEW_DEPTH
        return context

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            request = services.intake_request_create(
                actor=self.request.user, organization=self.organization, **data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Request {request.reference} filed: {request.get_tier_display()} tier, "
            f"decision expected within {request.sla_days} business days.",
        )
        return redirect("governance:intake_detail", org=self.organization.slug, pk=request.pk)


class IntakeEditView(IntakeMixin, FormView):
    template_name = "governance/intake/request_form.html"
    form_class = forms.IntakeRequestForm

    def get_initial(self):
        self.object = self.get_request_object()
        if not self.object.is_open or (self.object.requester != self.request.user and not self.is_reviewer):
            raise PermissionDenied("This request can no longer be edited.")
        initial = {name: getattr(self.object, name) for name in services.REQUEST_FIELDS}
        initial["version"] = self.object.version
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            intake=self.object,
            settings=services.intake_settings_get(organization=self.organization),
            review_depth=intake_rules.REVIEW_DEPTH,
        )
        return context

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.intake_request_update(
                actor=self.request.user,
                request=self.object,
                expected_version=form.cleaned_data.get("version"),
                **data,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Request saved. Its tier was recalculated from your answers.")
        return redirect("governance:intake_detail", org=self.organization.slug, pk=self.object.pk)


class IntakeDetailView(IntakeMixin, TemplateView):
    template_name = "governance/intake/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = selectors.intake_request_get(
            user=self.request.user, organization=self.organization, pk=self.kwargs["pk"]
        )
        settings = services.intake_settings_get(organization=self.organization)
        org = self.organization.slug
        reviewer = self.is_reviewer
        context.update(
            intake=obj,
            clock=selectors.request_clock(obj, settings),
            is_reviewer=reviewer,
            is_requester=obj.requester_id == self.request.user.pk,
            review_depth=intake_rules.REVIEW_DEPTH[obj.tier],
            tier_result=intake_rules.tier_for(
                **{name: getattr(obj, name) for name in forms.IntakeRequestForm.TRIAGE_FIELDS}
            ),
            comment_form=forms.CommentForm(),
            question_form=forms.QuestionForm(),
            option_form=forms.OptionForm(),
            condition_form=forms.ConditionForm(),
            proposal_form=forms.ProposalForm(
                initial={
                    "decision": obj.proposed_decision or None,
                    "rationale": obj.decision_rationale,
                    "version": obj.version,
                }
            ),
            history=history_entries(obj, limit=30),
            signoff=signoff_panel(
                subject=obj,
                purpose=services.DECISION_PURPOSE,
                user=self.request.user,
                sign_url=reverse("governance:intake_sign", args=[org, obj.pk]),
                withdraw_url=reverse("governance:intake_withdraw", args=[org, obj.pk]) if obj.is_open else "",
                title="Joint decision",
                can_sign=obj.is_open and bool(obj.proposed_decision),
            ),
        )
        # Linked risks are register content: only for those who may read the register.
        context["linked_risks"] = list(obj.risk_links.all()) if self.can(Perm.RISK_VIEW) else None
        if reviewer and obj.is_decided:
            context["risk_form"] = _risk_form(self.organization)
        return context


def _risk_form(organization, data=None):
    try:
        return forms.RiskFromRequestForm(data, organization=organization)
    except ImportError:  # the risk register is not installed
        return None


class IntakeActionView(IntakeMixin, View):
    """Base of the request page's POST actions: run ``perform`` and go back to the page."""

    post_perm = Perm.INTAKE_REVIEW
    success = ""

    def perform(self, obj: IntakeRequest) -> None:
        raise NotImplementedError

    def invalid(self, form) -> None:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(self.request, f"{label}: {error}" if label else error)

    def post(self, request, org, pk):
        obj = self.get_request_object()
        try:
            if self.perform(obj) is not False and self.success:
                messages.success(request, self.success)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(reverse("governance:intake_detail", args=[org, pk]) + self.anchor)

    anchor = ""


class StartReviewView(IntakeActionView):
    success = "Review started. We'll e-mail the requester shortly."

    def perform(self, obj):
        services.intake_start_review(actor=self.request.user, request=obj)


class RequestInfoView(IntakeActionView):
    success = "Question posted; we'll e-mail the requester shortly. The clock is paused until they answer."
    anchor = "#comments"

    def perform(self, obj):
        form = forms.QuestionForm(self.request.POST)
        if not form.is_valid():
            return self.invalid(form) or False
        services.intake_request_information(actor=self.request.user, request=obj, **form.cleaned_data)


class CommentView(IntakeActionView):
    post_perm = Perm.INTAKE_FILE
    success = "Comment added."
    anchor = "#comments"

    def perform(self, obj):
        form = forms.CommentForm(self.request.POST)
        if not form.is_valid():
            return self.invalid(form) or False
        services.intake_comment_add(actor=self.request.user, request=obj, **form.cleaned_data)


class OptionAddView(IntakeActionView):
    success = "Option added."
    anchor = "#options"

    def perform(self, obj):
        form = forms.OptionForm(self.request.POST)
        if not form.is_valid():
            return self.invalid(form) or False
        services.intake_option_add(actor=self.request.user, request=obj, **form.cleaned_data)


class OptionDeleteView(IntakeActionView):
    success = "Option removed."
    anchor = "#options"

    def perform(self, obj):
        option = get_object_or_404(IntakeOption, pk=self.kwargs["item"], request=obj)
        services.intake_option_delete(actor=self.request.user, option=option)

    def post(self, request, org, pk, item):
        return super().post(request, org, pk)


class ConditionAddView(IntakeActionView):
    success = "Condition added. Sign-offs on the earlier version are void."
    anchor = "#conditions"

    def perform(self, obj):
        form = forms.ConditionForm(self.request.POST)
        if not form.is_valid():
            return self.invalid(form) or False
        services.intake_condition_add(actor=self.request.user, request=obj, **form.cleaned_data)


class ConditionDeleteView(IntakeActionView):
    success = "Condition removed. Sign-offs on the earlier version are void."
    anchor = "#conditions"

    def perform(self, obj):
        condition = get_object_or_404(IntakeCondition, pk=self.kwargs["item"], request=obj)
        services.intake_condition_delete(actor=self.request.user, condition=condition)

    def post(self, request, org, pk, item):
        return super().post(request, org, pk)


class ConditionMetView(IntakeActionView):
    success = "Condition updated."
    anchor = "#conditions"

    def perform(self, obj):
        condition = get_object_or_404(IntakeCondition, pk=self.kwargs["item"], request=obj)
        services.intake_condition_set_met(
            actor=self.request.user, condition=condition, met=self.request.POST.get("met") == "1"
        )

    def post(self, request, org, pk, item):
        return super().post(request, org, pk)


class ProposeView(IntakeActionView):
    success = "Decision proposed. It takes effect when the CIO and the CISO have both approved it."
    anchor = "#decision"

    def perform(self, obj):
        form = forms.ProposalForm(self.request.POST)
        if not form.is_valid():
            return self.invalid(form) or False
        services.intake_propose_decision(
            actor=self.request.user,
            request=obj,
            decision=form.cleaned_data["decision"],
            rationale=form.cleaned_data["rationale"],
            expected_version=form.cleaned_data.get("version"),
        )


class SignView(IntakeActionView):
    post_perm = Perm.SIGN
    step_up_required = True
    anchor = "#decision"

    def perform(self, obj):
        services.intake_sign(
            actor=self.request.user,
            request=obj,
            decision=self.request.POST.get("decision", ""),
            comment=self.request.POST.get("comment", ""),
        )
        obj.refresh_from_db()
        messages.success(
            self.request,
            f"Decision taken: {obj.get_status_display()}. We'll e-mail the requester shortly."
            if obj.is_decided
            else "Your sign-off is recorded.",
        )


class WithdrawView(IntakeActionView):
    post_perm = Perm.SIGN
    step_up_required = True
    success = "Your sign-off is withdrawn."
    anchor = "#decision"

    def perform(self, obj):
        services.intake_withdraw_signoff(actor=self.request.user, request=obj)


class CreateRiskView(IntakeActionView):
    post_perm = Perm.RISK_EDIT
    anchor = "#risks"

    def perform(self, obj):
        form = _risk_form(self.organization, self.request.POST)
        if form is None or not form.is_valid():
            return self.invalid(form) if form else False
        risk = services.intake_create_risk(actor=self.request.user, request=obj, **form.cleaned_data)
        messages.success(
            self.request, f"Risk {risk.reference} added to the register and linked to this request."
        )


class IntakeSettingsView(IntakeMixin, FormView):
    required_perm = Perm.INTAKE_REVIEW
    template_name = "governance/intake/settings.html"
    form_class = forms.IntakeSettingsForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = services.intake_settings_get(organization=self.organization)
        kwargs.setdefault("initial", {})["version"] = kwargs["instance"].version
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["review_depth"] = intake_rules.REVIEW_DEPTH
        context["history"] = history_entries(services.intake_settings_get(organization=self.organization))
        return context

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.intake_settings_update(
                actor=self.request.user,
                organization=self.organization,
                expected_version=form.cleaned_data["version"],
                **data,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, "Intake SLAs saved. They apply to requests filed or re-triaged from now on."
        )
        return redirect("governance:intake_settings", org=self.organization.slug)
