"""The headline-KPI form of the organization's settings page (core.headline)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.views import View

from .errors import DomainError
from .forms import HeadlineKpisForm
from .headline import headline_kpis_choose
from .mixins import OrgViewMixin
from .roles import Perm

OUTCOMES = {
    "in_force": "Headline KPIs confirmed: the next board pack shows them.",
    "proposed": "Headline KPIs proposed: they are in force once the other executive chooses the same.",
    "unchanged": "These headline KPIs are already in force.",
}


class HeadlineKpisView(OrgViewMixin, View):
    required_perm = Perm.ORG_SETTINGS
    post_perm = Perm.SIGN
    step_up_required = True  # a part of a joint decision, like the settings page itself

    def get(self, request, org):
        return redirect("core:org_settings", org=org)

    def post(self, request, org):
        form = HeadlineKpisForm(request.POST, organization=self.organization)
        if not form.is_valid():
            problems = [str(e) for errors in form.errors.values() for e in errors]
            messages.error(request, "Headline KPIs: " + " ".join(problems))
            return redirect("core:org_settings", org=org)
        try:
            outcome = headline_kpis_choose(
                actor=request.user,
                organization=self.organization,
                kpi_ids=form.cleaned_data["headline_kpis"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            messages.error(request, f"Headline KPIs: {exc.message}")
        else:
            messages.success(request, OUTCOMES[outcome])
        return redirect("core:org_settings", org=org)
