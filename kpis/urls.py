from django.urls import path

from . import views

app_name = "kpis"

urlpatterns = [
    path("", views.ScorecardView.as_view(), name="scorecard"),
    path("new/", views.KPICreateView.as_view(), name="create"),
    path("library/", views.LibraryView.as_view(), name="library"),
    path("library/add/", views.LibraryAddView.as_view(), name="library_add"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("export/", views.ExportView.as_view(), name="export"),
    path("<int:pk>/", views.KPIDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.KPIEditView.as_view(), name="edit"),
    path("<int:pk>/delete/", views.KPIDeleteView.as_view(), name="delete"),
    path("<int:pk>/values/new/", views.MeasurementCreateView.as_view(), name="measurement_create"),
    path(
        "<int:pk>/values/<int:measurement_pk>/delete/",
        views.MeasurementDeleteView.as_view(),
        name="measurement_delete",
    ),
]
