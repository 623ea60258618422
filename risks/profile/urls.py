"""Pages of the CSF profile, under /o/<org>/profile/."""

from django.urls import path

from core.actions import signoff_paths

from . import views

app_name = "profile"

urlpatterns = [
    path("", views.ProfilePageView.as_view(), name="page"),
    *signoff_paths("", views.ProfileSignOffView, name="target"),
    path("tiers/", views.TiersView.as_view(), name="tiers"),
    path("export.csv", views.ExportView.as_view(), {"fmt": "csv"}, name="export_csv"),
    path("export.xlsx", views.ExportView.as_view(), {"fmt": "xlsx"}, name="export_xlsx"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("<int:pk>/", views.OutcomeDetailView.as_view(), name="outcome"),
    path("<int:pk>/target/", views.OutcomeTargetView.as_view(), name="outcome_target"),
    path("<int:pk>/assess/", views.OutcomeAssessView.as_view(), name="outcome_assess"),
    path("<int:pk>/risks/", views.OutcomeRisksView.as_view(), name="outcome_risks"),
]
