"""The shared CIO–CISO dashboard and the page explaining the alignment method."""

from __future__ import annotations

from django.views.generic import TemplateView

from core.cache import DEFAULT_TIMEOUT
from core.mixins import OrgViewMixin
from core.permissions import signing_role
from core.roles import Perm
from governance.alignment import rules as alignment
from governance.alignment.forms import ReportGenerateForm
from governance.alignment.selectors import reports as report_selectors
from governance.alignment.selectors.dashboard import SIGNOFF_LIMIT_DAYS, dashboard_data
from governance.definitions import definitions_html


class DashboardView(OrgViewMixin, TemplateView):
    """Alignment at a glance; every tile links to the list behind it."""

    template_name = "governance/alignment/dashboard.html"
    required_perm = Perm.DASHBOARD_VIEW

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org, user = self.organization, self.request.user
        role = signing_role(user, org)
        # Picture, trend and charts: cached per organization data version and viewer.
        data = dashboard_data(organization=org, user=user, role=role, member_role=self.membership.role)
        picture, trend = data["picture"], data["trend"]
        previous = next((p["score"] for p in reversed(trend) if p["score"] is not None), None)
        context.update(
            picture=picture,
            score=picture["alignment"]["score"],
            band=alignment.score_band(picture["alignment"]["score"]),
            change=alignment.score_change(picture["alignment"]["score"], previous),
            trend=trend,
            charts=data["charts"],
            profile_progress=data.get("profile"),
            # The body of the page is cached under the same key as its data.
            cache_key=data["cache_key"],
            cache_timeout=DEFAULT_TIMEOUT,
            my_role=role,
            building=report_selectors.reports_building(user=user, organization=org),
            can_generate=self.can(Perm.REPORT_MANAGE),
            generate_form=ReportGenerateForm(organization=org),
        )
        return context


class AlignmentMethodView(OrgViewMixin, TemplateView):
    """How the alignment score is computed, in plain words (for executives and the board)."""

    template_name = "governance/alignment/method.html"
    required_perm = Perm.REPORT_VIEW_PUBLISHED

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            parts=alignment.PARTS,
            good_from=alignment.GOOD_FROM,
            fair_from=alignment.FAIR_FROM,
            signoff_limit_days=SIGNOFF_LIMIT_DAYS,
            can_dashboard=self.can(Perm.DASHBOARD_VIEW),
            definitions_html=definitions_html(),
        )
        return context
