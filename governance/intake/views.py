"""Pages of project intake: my requests / the reviewers' queue, the request
form, the request page and its workflow actions, and the SLA settings."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from core.actions import ActionView, ServiceFormMixin, SignOffView
from core.cache import DEFAULT_TIMEOUT, content_fragment_key
from core.history import history_entries
from core.mixins import OrgViewMixin
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


def _rows_digest(rows: list[selectors.QueueRow]) -> str:
    """A digest of every value governance/intake/partials/queue_rows.html shows (each request's
    fields and its SLA clock): the key of the rendered rows. Keep in step with the template."""
    digest = hashlib.blake2b(digest_size=16)
    for row in rows:
        r = row.request
        shown = (r.pk, r.reference, r.title, r.requester.display_name, r.sponsor, r.tier, r.status)
        digest.update(repr((shown, r.proposed_decision, r.submitted_at, row.clock)).encode())
    return digest.hexdigest()


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
        rows = selectors.queue_rows(page.object_list, settings=settings, now=now)
        context.update(
            filter_form=form,
            status=status,
            page_obj=page,
            is_reviewer=self.is_reviewer,
            rows=rows,
            filtered=any(data.get(k) for k in ("tier", "sla", "q")) or status not in ("open", "all"),
            sla_labels=intake_rules.SLA_LABELS,
            # The rows are cached as rendered, under what they show (clocks included): a change
            # elsewhere in the organization does not render them again.
            rows_cache_key=content_fragment_key(
                self.organization.pk, self.organization.slug, self.is_reviewer, _rows_digest(rows)
            ),
            rows_cache_timeout=DEFAULT_TIMEOUT,
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


class IntakeCreateView(ServiceFormMixin, IntakeMixin, FormView):
    template_name = "governance/intake/request_form.html"
    form_class = forms.IntakeRequestForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["settings"] = services.intake_settings_get(organization=self.organization)
        context["review_depth"] = intake_rules.REVIEW_DEPTH
        return context

    def perform(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        return services.intake_request_create(actor=self.request.user, organization=self.organization, **data)

    def get_success_message(self, request) -> str:
        return (
            f"Request {request.reference} filed: {request.get_tier_display()} tier, "
            f"decision expected within {request.sla_days} business days."
        )

    def get_success_url(self, request=None) -> str:
        return reverse("governance:intake_detail", args=[self.organization.slug, request.pk])


class IntakeEditView(ServiceFormMixin, IntakeMixin, FormView):
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

    success_message = "Request saved. Its tier was recalculated from your answers."

    def perform(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        return services.intake_request_update(
            actor=self.request.user,
            request=self.object,
            expected_version=form.cleaned_data.get("version"),
            **data,
        )

    def get_success_url(self, result=None) -> str:
        return reverse("governance:intake_detail", args=[self.organization.slug, self.object.pk])


class IntakeDetailView(IntakeMixin, TemplateView):
    template_name = "governance/intake/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = selectors.intake_request_get(
            user=self.request.user, organization=self.organization, pk=self.kwargs["pk"]
        )
        settings = services.intake_settings_get(organization=self.organization)
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


class IntakeActionView(IntakeMixin, ActionView):
    """Base of the request page's POST actions: ``perform`` on the request, back to its page."""

    post_perm = Perm.INTAKE_REVIEW
    anchor = ""

    def get_success_url(self, result=None) -> str:
        return (
            reverse("governance:intake_detail", args=[self.organization.slug, self.kwargs["pk"]])
            + self.anchor
        )

    def get_form(self):
        self.object = self.get_request_object()
        return super().get_form()


class StartReviewView(IntakeActionView):
    success_message = "Review started. We'll e-mail the requester shortly."

    def perform(self, form):
        return services.intake_start_review(actor=self.request.user, request=self.object)


class RequestInfoView(IntakeActionView):
    success_message = (
        "Question posted; we'll e-mail the requester shortly. The clock is paused until they answer."
    )
    anchor = "#comments"
    form_class = forms.QuestionForm

    def perform(self, form):
        return services.intake_request_information(
            actor=self.request.user, request=self.object, **form.cleaned_data
        )


class CommentView(IntakeActionView):
    post_perm = Perm.INTAKE_FILE
    success_message = "Comment added."
    anchor = "#comments"
    form_class = forms.CommentForm

    def perform(self, form):
        return services.intake_comment_add(actor=self.request.user, request=self.object, **form.cleaned_data)


class OptionAddView(IntakeActionView):
    success_message = "Option added."
    anchor = "#options"
    form_class = forms.OptionForm

    def perform(self, form):
        return services.intake_option_add(actor=self.request.user, request=self.object, **form.cleaned_data)


class OptionDeleteView(IntakeActionView):
    success_message = "Option removed."
    anchor = "#options"

    def perform(self, form):
        option = get_object_or_404(IntakeOption, pk=self.kwargs["item"], request=self.object)
        return services.intake_option_delete(actor=self.request.user, option=option)


class ConditionAddView(IntakeActionView):
    success_message = "Condition added. Sign-offs on the earlier version are void."
    anchor = "#conditions"
    form_class = forms.ConditionForm

    def perform(self, form):
        return services.intake_condition_add(
            actor=self.request.user, request=self.object, **form.cleaned_data
        )


class ConditionDeleteView(IntakeActionView):
    success_message = "Condition removed. Sign-offs on the earlier version are void."
    anchor = "#conditions"

    def perform(self, form):
        condition = get_object_or_404(IntakeCondition, pk=self.kwargs["item"], request=self.object)
        return services.intake_condition_delete(actor=self.request.user, condition=condition)


class ConditionMetView(IntakeActionView):
    success_message = "Condition updated."
    anchor = "#conditions"

    def perform(self, form):
        condition = get_object_or_404(IntakeCondition, pk=self.kwargs["item"], request=self.object)
        return services.intake_condition_set_met(
            actor=self.request.user, condition=condition, met=self.request.POST.get("met") == "1"
        )


class ProposeView(IntakeActionView):
    success_message = "Decision proposed. It takes effect when the CIO and the CISO have both approved it."
    anchor = "#decision"
    form_class = forms.ProposalForm

    def perform(self, form):
        return services.intake_propose_decision(
            actor=self.request.user,
            request=self.object,
            decision=form.cleaned_data["decision"],
            rationale=form.cleaned_data["rationale"],
            expected_version=form.cleaned_data.get("version"),
        )


class IntakeSignOffView(SignOffView, IntakeActionView):
    """``intake/<pk>/sign/`` and ``intake/<pk>/withdraw/``: the joint decision on the request."""

    anchor = "#decision"
    purpose = services.DECISION_PURPOSE

    def get_subject(self):
        return self.object

    def get_success_message(self, result) -> str:
        if self.operation == "sign":
            self.object.refresh_from_db()
            if self.object.is_decided:
                return (
                    f"Decision taken: {self.object.get_status_display()}. We'll e-mail the requester shortly."
                )
        return super().get_success_message(result)


class CreateRiskView(IntakeActionView):
    post_perm = Perm.RISK_EDIT
    anchor = "#risks"

    def get_form(self):
        super().get_form()
        form = _risk_form(self.organization, self.request.POST)
        if form is None:
            raise Http404("The risk register is not installed.")
        return form

    def perform(self, form):
        return services.intake_create_risk(actor=self.request.user, request=self.object, **form.cleaned_data)

    def get_success_message(self, risk) -> str:
        return f"Risk {risk.reference} added to the register and linked to this request."


class IntakeSettingsView(ServiceFormMixin, IntakeMixin, FormView):
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

    success_message = "Intake SLAs saved. They apply to requests filed or re-triaged from now on."

    def perform(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        return services.intake_settings_update(
            actor=self.request.user,
            organization=self.organization,
            expected_version=form.cleaned_data["version"],
            **data,
        )

    def get_success_url(self, result=None) -> str:
        return reverse("governance:intake_settings", args=[self.organization.slug])
