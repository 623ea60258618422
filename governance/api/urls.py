"""Governance API under /api/v1/orgs/<org_slug>/: one route module per sub-domain."""

from django.urls import path

from ..alignment.api import portfolio as portfolio_views
from ..alignment.api.urls import urlpatterns as alignment_urlpatterns
from ..intake.api.urls import urlpatterns as intake_urlpatterns
from ..raci.api.urls import urlpatterns as raci_urlpatterns

urlpatterns = [
    *raci_urlpatterns,
    *intake_urlpatterns,
    *alignment_urlpatterns,
    path("portfolio/", portfolio_views.PortfolioView.as_view(), name="portfolio"),
    path("portfolio/compare/", portfolio_views.CompareView.as_view(), name="portfolio-compare"),
]
