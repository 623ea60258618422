from django.urls import path

from . import views

urlpatterns = [
    path("raci/", views.RaciGridView.as_view(), name="raci"),
    path("raci/summary/", views.RaciSummaryFragmentView.as_view(), name="raci_summary"),
    path("raci/cell/<int:activity_pk>/<int:party_pk>/", views.RaciCellView.as_view(), name="raci_cell"),
    path("raci/export.xlsx", views.RaciExportView.as_view(), {"fmt": "xlsx"}, name="raci_export_xlsx"),
    path("raci/export.pdf", views.RaciExportView.as_view(), {"fmt": "pdf"}, name="raci_export_pdf"),
    path("raci/template/", views.RaciTemplateApplyView.as_view(), name="raci_template"),
    path("raci/sign/", views.RaciSignView.as_view(), name="raci_sign"),
    path("raci/withdraw/", views.RaciWithdrawView.as_view(), name="raci_withdraw"),
    path("raci/parties/", views.PartyListView.as_view(), name="raci_parties"),
    path("raci/parties/<int:pk>/", views.PartyEditView.as_view(), name="raci_party_edit"),
    path("raci/parties/<int:pk>/delete/", views.PartyDeleteView.as_view(), name="raci_party_delete"),
    path("raci/activities/new/", views.ActivityCreateView.as_view(), name="raci_activity_create"),
    path("raci/activities/<int:pk>/", views.ActivityEditView.as_view(), name="raci_activity_edit"),
    path("raci/activities/<int:pk>/delete/", views.ActivityDeleteView.as_view(), name="raci_activity_delete"),
]
