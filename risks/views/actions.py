"""Workflow steps on a risk's page, each a POST that calls one service:
assess my lens, propose / confirm / decline the agreement, request, sign,
withdraw and end a joint acceptance, delete a mitigation. A refusal re-renders
the risk's page with the message on the field it names."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse

from core.errors import ConflictError, DomainError
from core.mixins import add_domain_error

from .. import services
from ..forms import AcceptanceRequestForm, AssessmentForm, DeclineForm
from .pages import RiskDetailView


class RiskActionView(RiskDetailView):
    anchor = ""

    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])

    def done(self, message: str):
        messages.success(self.request, message)
        url = reverse("risks:detail", args=[self.organization.slug, self.kwargs["pk"]])
        return redirect(f"{url}#{self.anchor}" if self.anchor else url)

    def refused(self, exc: DomainError, form=None, form_name: str = ""):
        if form is not None and form_name:
            if isinstance(exc, ConflictError):
                form.add_error(None, exc.message)
            else:
                add_domain_error(form, exc)
            return self.render_with(
                status=409 if isinstance(exc, ConflictError) else 400, **{form_name: form}
            )
        messages.error(self.request, exc.message)
        return redirect("risks:detail", org=self.organization.slug, pk=self.kwargs["pk"])


class AssessView(RiskActionView):
    anchor = "assessments"

    def post(self, request, *args, **kwargs):
        form = AssessmentForm(request.POST)
        if not form.is_valid():
            return self.render_with(assess_form=form)
        risk = self.get_risk()
        try:
            services.assessment_record(
                actor=request.user,
                risk=risk,
                rationale=form.cleaned_data["rationale"],
                expected_version=form.cleaned_data.get("version"),
                **form.ratings(),
            )
        except DomainError as exc:
            return self.refused(exc, form, "assess_form")
        return self.done("Your assessment is saved.")


class AgreementProposeView(RiskActionView):
    anchor = "agreement"
    step_up_required = True  # proposing and confirming an agreed assessment are its two signatures

    def post(self, request, *args, **kwargs):
        form = AssessmentForm(request.POST, prefix="agree")
        if not form.is_valid():
            return self.render_with(agree_form=form)
        try:
            services.agreement_propose(
                actor=request.user,
                risk=self.get_risk(),
                rationale=form.cleaned_data["rationale"],
                **form.ratings(),
            )
        except DomainError as exc:
            return self.refused(exc, form, "agree_form")
        return self.done("Agreement proposed. It counts once the other side confirms it.")


class AgreementConfirmView(RiskActionView):
    anchor = "agreement"
    step_up_required = True

    def post(self, request, *args, **kwargs):
        try:
            services.agreement_confirm(actor=request.user, risk=self.get_risk())
        except DomainError as exc:
            return self.refused(exc)
        return self.done("Agreed. The register now uses the agreed assessment.")


class AgreementDeclineView(RiskActionView):
    anchor = "agreement"

    def post(self, request, *args, **kwargs):
        form = DeclineForm(request.POST)
        form.is_valid()
        try:
            services.agreement_decline(
                actor=request.user, risk=self.get_risk(), reason=form.cleaned_data.get("reason", "")
            )
        except DomainError as exc:
            return self.refused(exc, form, "decline_form")
        return self.done("The proposal is withdrawn.")


class AcceptanceRequestView(RiskActionView):
    anchor = "acceptance"

    def post(self, request, *args, **kwargs):
        form = AcceptanceRequestForm(request.POST)
        if not form.is_valid():
            return self.render_with(acceptance_form=form)
        try:
            services.acceptance_request(
                actor=request.user,
                risk=self.get_risk(),
                justification=form.cleaned_data["justification"],
                expires_on=form.cleaned_data["expires_on"],
                expected_version=form.cleaned_data.get("version"),
            )
        except DomainError as exc:
            return self.refused(exc, form, "acceptance_form")
        return self.done("Joint acceptance requested. The CIO and the CISO now both sign it.")


class AcceptanceSignView(RiskActionView):
    anchor = "acceptance"
    step_up_required = True

    def post(self, request, *args, **kwargs):
        try:
            services.acceptance_sign(
                actor=request.user,
                risk=self.get_risk(),
                decision=request.POST.get("decision", "approve"),
                comment=request.POST.get("comment", ""),
            )
        except DomainError as exc:
            return self.refused(exc)
        return self.done("Your decision is recorded.")


class AcceptanceWithdrawView(RiskActionView):
    anchor = "acceptance"
    step_up_required = True

    def post(self, request, *args, **kwargs):
        try:
            services.acceptance_withdraw_signoff(actor=request.user, risk=self.get_risk())
        except DomainError as exc:
            return self.refused(exc)
        return self.done("Your sign-off is withdrawn.")


class AcceptanceCancelView(RiskActionView):
    anchor = "acceptance"
    step_up_required = True  # it undoes a joint decision: as guarded as signing it

    def post(self, request, *args, **kwargs):
        try:
            services.acceptance_cancel(
                actor=request.user, risk=self.get_risk(), expected_version=request.POST.get("version") or None
            )
        except DomainError as exc:
            return self.refused(exc)
        return self.done("The joint acceptance is ended.")


class MitigationDeleteView(RiskActionView):
    anchor = "mitigations"

    def post(self, request, *args, **kwargs):
        risk = self.get_risk()
        mitigation = next((m for m in risk.mitigations.all() if m.pk == kwargs["mpk"]), None)
        if mitigation is None:
            raise Http404("No such mitigation.")
        try:
            services.mitigation_delete(
                actor=request.user,
                mitigation=mitigation,
                expected_version=request.POST.get("version") or None,
            )
        except DomainError as exc:
            return self.refused(exc)
        return self.done(f"Mitigation “{mitigation.title}” deleted.")
