"""/portfolio/: every organization of a person at a glance, and the KPI comparison (alignment sub-domain)."""

from django.urls import path

from .views import portfolio as views

app_name = "portfolio"

urlpatterns = [
    path("", views.PortfolioView.as_view(), name="portfolio"),
    path("compare/", views.CompareView.as_view(), name="compare"),
]
