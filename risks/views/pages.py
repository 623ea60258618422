"""Pages of the risk register: the register, a risk's page, its forms, the
heat map and the "needs my assessment" queue. Workflow POSTs are in
``risks.views.actions``; import and export in ``risks.views.spreadsheets``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from core.errors import ConflictError, DomainError
from core.history import history_entries
from core.mixins import OrgViewMixin, add_domain_error
from core.permissions import signing_role
from core.roles import Perm
from core.selectors import signoff_panel

from .. import heatmap, scoring, selectors, services
from ..filters import LEVEL_CHOICES
from ..forms import AcceptanceRequestForm, AssessmentForm, DeclineForm, MitigationForm, RiskForm
from ..models import Lens, Mitigation, Risk, RiskStatus
from ..pagination import RegisterPaginator

PAGE_SIZE = 25
FILTER_FIELDS = ("level", "status", "origin", "owner", "csf", "divergent", "appetite")
LEVEL_KEYS = {0: "low", 1: "medium", 2: "high", 3: "critical"}


class RiskPageMixin(OrgViewMixin):
    required_perm = Perm.RISK_VIEW
    post_perm = Perm.RISK_EDIT

    def get_risk(self) -> Risk:
        try:
            return selectors.risk_detail(self.request.user, self.organization, self.kwargs["pk"])
        except Risk.DoesNotExist:
            raise Http404("No such risk.") from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = self.can(Perm.RISK_EDIT)
        context["my_lens"] = signing_role(self.request.user, self.organization)
        return context


def _decorate(risks, organization) -> None:
    """Level keys for templates from the annotated ranks (no queries)."""
    for risk in risks:
        risk.level_key = LEVEL_KEYS.get(getattr(risk, "level_rank", None), "")
        risk.residual_level_key = LEVEL_KEYS.get(getattr(risk, "residual_level_rank", None), "")
        risk.above = scoring.above_appetite(risk.inherent_score, organization.risk_appetite)


class RegisterView(RiskPageMixin, TemplateView):
    template_name = "risks/risk_register.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = selectors.risk_register_filterset(self.request.user, self.organization, self.request.GET)
        page = RegisterPaginator(filterset.qs, PAGE_SIZE, organization=self.organization).get_page(
            self.request.GET.get("page")
        )
        _decorate(page.object_list, self.organization)
        data = filterset.form.cleaned_data if filterset.form.is_valid() else {}
        context.update(
            filter=filterset,
            form=filterset.form,
            page_obj=page,
            filter_fields=[filterset.form[name] for name in FILTER_FIELDS],
            risks=page.object_list,
            active_filters=filterset.active_count,
            summary=selectors.register_summary(self.organization),
            cell=data.get("cell"),
            matrix=data.get("matrix") or "inherent",
            query=self.request.GET.urlencode(),
        )
        return context


class RiskDetailView(RiskPageMixin, TemplateView):
    """A risk's page: both lenses side by side, divergence in words, the
    agreement, mitigations, joint acceptance and history."""

    template_name = "risks/risk_detail.html"
    forms: dict = {}

    def get(self, request, *args, **kwargs):
        self.risk = self.get_risk()
        return self.render_to_response(self.get_context_data())

    def render_with(self, status: int = 400, **forms):
        self.risk = self.get_risk()
        self.forms = forms
        return self.render_to_response(self.get_context_data(), status=status)

    def _lens_context(self, risk, lenses) -> dict:
        thresholds = self.organization.level_thresholds
        rating = {
            lens: (scoring.Rating(a.inherent_likelihood, a.inherent_impact) if a else None)
            for lens, a in lenses.items()
        }
        cards = []
        for lens in (Lens.CIO, Lens.CISO):
            a = lenses[lens]
            cards.append(
                {
                    "lens": lens,
                    "label": lens.label,
                    "assessment": a,
                    "level": scoring.level_key(a.inherent_score, thresholds) if a else "",
                    "residual_level": scoring.level_key(a.residual_score, thresholds) if a else "",
                }
            )
        agreed = lenses[Lens.AGREED]
        return {
            "lens_cards": cards,
            "agreed": agreed,
            "agreed_level": scoring.level_key(agreed.inherent_score, thresholds) if agreed else "",
            "agreed_residual_level": scoring.level_key(agreed.residual_score, thresholds) if agreed else "",
            "divergence": scoring.divergence(risk.cio_score, risk.ciso_score, thresholds),
            "divergence_text": scoring.explain_divergence(
                rating[Lens.CIO], rating[Lens.CISO], thresholds, agreed=risk.is_agreed
            ),
        }

    def _forms(self, risk, lenses, my_lens) -> dict:
        mine = lenses.get(my_lens) if my_lens else None
        forms = {
            "assess_form": AssessmentForm.from_assessment(mine, version=risk.version),
            "agree_form": AssessmentForm.from_assessment(lenses[Lens.AGREED] or mine, prefix="agree"),
            "decline_form": DeclineForm(),
            "acceptance_form": AcceptanceRequestForm(initial={"version": risk.version}),
        }
        forms.update(self.forms)
        return forms

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        risk, org = self.risk, self.organization
        _decorate([risk], org)
        lenses = selectors.lenses_of(risk)
        my_lens = context["my_lens"]
        proposal = (
            lenses[Lens.AGREED] if lenses[Lens.AGREED] and not lenses[Lens.AGREED].confirmed_at else None
        )
        context.update(self._lens_context(risk, lenses))
        context.update(self._forms(risk, lenses, my_lens))
        mitigations = list(risk.mitigations.all())
        context.update(
            risk=risk,
            proposal=proposal,
            mitigations=mitigations,
            overdue_count=sum(1 for m in mitigations if m.is_overdue()),
            mitigation_cost=sum((m.cost or 0) for m in mitigations if m.status != "cancelled"),
            can_request_acceptance=(
                risk.above
                and not risk.acceptance_expires_on
                and risk.status not in (RiskStatus.ACCEPTED, RiskStatus.CLOSED)
            ),
            history=history_entries(risk),
            signoff=signoff_panel(
                subject=risk,
                purpose=services.ACCEPTANCE,
                user=self.request.user,
                sign_url=reverse("risks:acceptance_sign", args=[org.slug, risk.pk]),
                withdraw_url=reverse("risks:acceptance_withdraw", args=[org.slug, risk.pk]),
                title="Joint acceptance",
                can_sign=risk.acceptance_pending,
            )
            if risk.acceptance_expires_on
            else None,
            both_assessed=risk.cio_score is not None and risk.ciso_score is not None,
            likelihood_labels=scoring.LIKELIHOOD_LABELS,
            impact_labels=scoring.IMPACT_LABELS,
        )
        return context


class RiskFormView(RiskPageMixin, FormView):
    """Create (no pk) or edit a risk."""

    template_name = "risks/risk_form.html"
    form_class = RiskForm

    def dispatch(self, request, *args, **kwargs):
        self.risk = None
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if "pk" in self.kwargs:
            self.risk = self.get_risk()
            kwargs["instance"] = self.risk
        else:
            kwargs["instance"] = Risk(organization=self.organization)
        kwargs["organization"] = self.organization
        return kwargs

    def get(self, request, *args, **kwargs):
        if not self.can(Perm.RISK_EDIT):
            raise Http404("Not found.")
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        values = form.service_values()
        try:
            if self.risk is None:
                risk = services.risk_create(actor=self.request.user, organization=self.organization, **values)
                messages.success(self.request, f"{risk.reference} added to the register.")
            else:
                risk = services.risk_update(
                    actor=self.request.user,
                    risk=self.risk,
                    expected_version=form.cleaned_data.get("version"),
                    **values,
                )
                messages.success(self.request, f"{risk.reference} saved.")
        except ConflictError as exc:
            form.add_error(None, exc.message)
            return self.render_to_response(self.get_context_data(form=form, conflict=True), status=409)
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        return redirect("risks:detail", org=self.organization.slug, pk=risk.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["risk"] = self.risk
        return context


class RiskDeleteView(RiskPageMixin, TemplateView):
    template_name = "risks/risk_confirm_delete.html"

    def get(self, request, *args, **kwargs):
        if not self.can(Perm.RISK_EDIT):
            raise Http404("Not found.")
        return self.render_to_response(self.get_context_data(risk=self.get_risk()))

    def post(self, request, *args, **kwargs):
        risk = self.get_risk()
        try:
            services.risk_delete(
                actor=request.user, risk=risk, expected_version=request.POST.get("version") or None
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("risks:detail", org=self.organization.slug, pk=risk.pk)
        messages.success(request, f"{risk.reference} deleted. Its reference will not be used again.")
        return redirect("risks:register", org=self.organization.slug)


class MitigationFormView(RiskPageMixin, FormView):
    """Add a mitigation to a risk (``pk``) or edit one (``mpk``)."""

    template_name = "risks/mitigation_form.html"
    form_class = MitigationForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.risk = self.get_risk()
        self.mitigation = None
        if "mpk" in self.kwargs:
            self.mitigation = next(
                (m for m in self.risk.mitigations.all() if m.pk == self.kwargs["mpk"]), None
            )
            if self.mitigation is None:
                raise Http404("No such mitigation.")
        kwargs["instance"] = self.mitigation or Mitigation(organization=self.organization, risk=self.risk)
        kwargs["organization"] = self.organization
        return kwargs

    def get(self, request, *args, **kwargs):
        if not self.can(Perm.RISK_EDIT):
            raise Http404("Not found.")
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            if self.mitigation is None:
                services.mitigation_create(actor=self.request.user, risk=self.risk, **form.service_values())
                messages.success(self.request, "Mitigation added.")
            else:
                services.mitigation_update(
                    actor=self.request.user,
                    mitigation=self.mitigation,
                    expected_version=form.cleaned_data.get("version"),
                    **form.service_values(),
                )
                messages.success(self.request, "Mitigation saved.")
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.render_to_response(
                self.get_context_data(form=form), status=409 if isinstance(exc, ConflictError) else 200
            )
        return redirect(reverse("risks:detail", args=[self.organization.slug, self.risk.pk]) + "#mitigations")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(risk=self.risk, mitigation=self.mitigation)
        return context


def _heat_context(user, organization) -> dict:
    thresholds = organization.level_thresholds
    return {
        "inherent_rows": heatmap.rows(selectors.heatmap_picture(user, organization), thresholds),
        "residual_rows": heatmap.rows(
            selectors.heatmap_picture(user, organization, residual=True), thresholds
        ),
    }


class HeatMapView(RiskPageMixin, TemplateView):
    """Two 5×5 grids (inherent and target residual); each cell links to the
    register filtered to it."""

    template_name = "risks/heatmap.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_heat_context(self.request.user, self.organization))
        context["summary"] = selectors.register_summary(self.organization)
        context["levels"] = [(k, label) for k, label in LEVEL_CHOICES if k != "unassessed"]
        return context


QUEUE_LIST_LENGTH = 10


class MyQueueView(RiskPageMixin, TemplateView):
    """What waits for me: risks my lens has not assessed, agreements to
    confirm, acceptances waiting for my signature, reviews that are due."""

    template_name = "risks/my_queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        role = context["my_lens"]
        needing = list(selectors.risks_needing_assessment(self.request.user, self.organization))
        _decorate(needing, self.organization)
        for risk in needing:
            risk.missing_mine = (risk.cio_score if role == "cio" else risk.ciso_score) is None
        waiting = selectors.acceptances_waiting_for(self.organization, role) if role else []
        _decorate(waiting, self.organization)
        context.update(
            needing=needing,
            waiting=waiting,
            accepted=list(selectors.accepted_risks(self.organization)[:QUEUE_LIST_LENGTH]),
            overdue=list(selectors.overdue_mitigations(self.organization)[:QUEUE_LIST_LENGTH]),
        )
        reviews = list(selectors.reviews_overdue(self.organization)[: QUEUE_LIST_LENGTH + 1])
        _decorate(reviews, self.organization)
        context.update(reviews=reviews[:QUEUE_LIST_LENGTH], more_reviews=len(reviews) > QUEUE_LIST_LENGTH)
        return context
