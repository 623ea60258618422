from django.urls import path

from . import views

app_name = "soa"

urlpatterns = [
    path("", views.StatementView.as_view(), name="statement"),
    path("approve/", views.ApproveView.as_view(), name="approve"),
    path("export.<str:fmt>", views.ExportView.as_view(), name="export"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("<str:code>/", views.ControlView.as_view(), name="control"),
]
