from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("", views.EvidenceListView.as_view(), name="list"),
    path("new/", views.EvidenceAddView.as_view(), name="add"),
    path("export.<str:fmt>", views.EvidenceExportView.as_view(), name="export"),
    path("import/", views.EvidenceImportView.as_view(), name="import"),
    path("<int:pk>/", views.EvidenceDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.EvidenceEditView.as_view(), name="edit"),
    path("<int:pk>/delete/", views.EvidenceDeleteView.as_view(), name="delete"),
    path("<int:pk>/download/", views.EvidenceDownloadView.as_view(), name="download"),
]
