"""Workflow steps on a risk's page, each a POST that calls one service
(``core.actions.ActionView``): assess my lens, propose / confirm / decline the
agreement, request and end a joint acceptance, delete a mitigation; signing and
withdrawing the acceptance are the joint decision's ``sign/`` and ``withdraw/``
(``core.actions.SignOffView``). A refusal of a form re-renders the risk's page
with the message on the field it names; any other refusal is a message."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse

from core.actions import ActionView, SignOffView

from .. import services
from ..forms import AcceptanceRequestForm, AssessmentForm, DeclineForm
from .pages import RiskDetailView


class RiskActionView(ActionView, RiskDetailView):
    anchor = ""
    form_name = ""  # the risk page's context name of the form, to show it again with its errors

    def get_success_url(self, result=None) -> str:
        url = reverse("risks:detail", args=[self.organization.slug, self.kwargs["pk"]])
        return f"{url}#{self.anchor}" if self.anchor else url

    def get_failure_url(self) -> str:
        return reverse("risks:detail", args=[self.organization.slug, self.kwargs["pk"]])

    @property
    def refusal_on_form(self) -> bool:
        return bool(self.form_name)

    def form_invalid(self, form, status: int = 400):
        if not self.form_name:
            return super().form_invalid(form, status)
        return self.render_with(status=status, **{self.form_name: form})


class AssessView(RiskActionView):
    anchor = "assessments"
    form_class = AssessmentForm
    form_name = "assess_form"
    success_message = "Your assessment is saved."

    def perform(self, form):
        return services.assessment_record(
            actor=self.request.user,
            risk=self.get_risk(),
            rationale=form.cleaned_data["rationale"],
            expected_version=form.cleaned_data.get("version"),
            **form.ratings(),
        )


class AgreementProposeView(RiskActionView):
    anchor = "agreement"
    step_up_required = True  # proposing and confirming an agreed assessment are its two signatures
    form_class = AssessmentForm
    form_prefix = "agree"
    form_name = "agree_form"
    success_message = "Agreement proposed. It counts once the other side confirms it."

    def perform(self, form):
        return services.agreement_propose(
            actor=self.request.user,
            risk=self.get_risk(),
            rationale=form.cleaned_data["rationale"],
            **form.ratings(),
        )


class AgreementConfirmView(RiskActionView):
    anchor = "agreement"
    step_up_required = True
    success_message = "Agreed. The register now uses the agreed assessment."

    def perform(self, form):
        return services.agreement_confirm(actor=self.request.user, risk=self.get_risk())


class AgreementDeclineView(RiskActionView):
    anchor = "agreement"
    form_class = DeclineForm
    form_name = "decline_form"
    require_valid_form = False  # the reason is optional: an unreadable one is left out
    success_message = "The proposal is withdrawn."

    def perform(self, form):
        return services.agreement_decline(
            actor=self.request.user, risk=self.get_risk(), reason=form.cleaned_data.get("reason", "")
        )


class AcceptanceRequestView(RiskActionView):
    anchor = "acceptance"
    form_class = AcceptanceRequestForm
    form_name = "acceptance_form"
    success_message = "Joint acceptance requested. The CIO and the CISO now both sign it."

    def perform(self, form):
        return services.acceptance_request(
            actor=self.request.user,
            risk=self.get_risk(),
            justification=form.cleaned_data["justification"],
            expires_on=form.cleaned_data["expires_on"],
            expected_version=form.cleaned_data.get("version"),
        )


class AcceptanceSignOffView(SignOffView, RiskActionView):
    """``<pk>/sign/`` and ``<pk>/withdraw/``: the joint acceptance's sign-off."""

    anchor = "acceptance"
    purpose = services.ACCEPTANCE

    def get_subject(self):
        return self.get_risk()


class AcceptanceCancelView(RiskActionView):
    anchor = "acceptance"
    step_up_required = True  # it undoes a joint decision: as guarded as signing it
    success_message = "The joint acceptance is ended."

    def perform(self, form):
        return services.acceptance_cancel(
            actor=self.request.user, risk=self.get_risk(), expected_version=self.posted_version()
        )


class MitigationDeleteView(RiskActionView):
    anchor = "mitigations"

    def perform(self, form):
        risk = self.get_risk()
        mitigation = next((m for m in risk.mitigations.all() if m.pk == self.kwargs["mpk"]), None)
        if mitigation is None:
            raise Http404("No such mitigation.")
        services.mitigation_delete(
            actor=self.request.user, mitigation=mitigation, expected_version=self.posted_version()
        )
        return mitigation

    def get_success_message(self, result) -> str:
        return f"Mitigation “{result.title}” deleted."
