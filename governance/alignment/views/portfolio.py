"""The portfolio (one row per organization) and the KPI comparison, for a
person in two or more organizations."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views.generic import TemplateView

from core.organizations import archived_organizations
from core.roles import Role
from governance.alignment.selectors import portfolio as selectors

COLUMNS = (
    ("name", "Organization"),
    ("score", "Alignment"),
    ("risks", "Risks above appetite"),
    ("decisions", "Decisions waiting for you"),
    ("intake", "Intake past SLA"),
    ("kpis", "KPIs red"),
    (None, "Budget"),
    ("report", "Next report"),
)


class PortfolioMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and len(selectors.portfolio_memberships(request.user)) < 2:
            return redirect("core:home")  # one organization: its own pages say it all
        return super().dispatch(request, *args, **kwargs)


class PortfolioView(PortfolioMixin, TemplateView):
    template_name = "governance/alignment/portfolio.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        sort = params.get("sort", "name")
        sort = sort if sort in selectors.SORTS else "name"
        desc = params.get("dir")
        descending = None if desc not in ("asc", "desc") else desc == "desc"
        role = params.get("role", "")
        role = role if role in Role.values else ""
        attention = params.get("attention") == "yes"
        rows = selectors.portfolio(
            user=self.request.user,
            sort=sort,
            descending=descending,
            q=params.get("q", ""),
            attention=attention,
            role=role,
        )
        _, default_desc = selectors.SORTS[sort]
        current_desc = default_desc if descending is None else descending
        context.update(
            rows=rows,
            total=len(selectors.portfolio_memberships(self.request.user)),
            sort=sort,
            current_dir="desc" if current_desc else "asc",
            columns=[
                {
                    "key": key,
                    "label": label,
                    "active": key == sort,
                    "next_dir": ("asc" if current_desc else "desc") if key == sort else "",
                }
                for key, label in COLUMNS
            ],
            q=params.get("q", ""),
            role=role,
            attention=attention,
            roles=Role.choices,
            extra_labels=sorted({(e["key"], e["label"]) for r in rows for e in r["extras"]}),
            archived=archived_organizations(self.request.user),
            can_compare=len(selectors.organizations_compared(self.request.user)) >= 2,
        )
        return context


class CompareView(PortfolioMixin, TemplateView):
    template_name = "governance/alignment/portfolio_compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shared_only = self.request.GET.get("all") != "yes"
        context["comparison"] = selectors.kpi_comparison(user=self.request.user, shared_only=shared_only)
        context["shared_only"] = shared_only
        return context
