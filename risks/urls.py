from django.urls import path

from .views import actions
from .views import pages as views
from .views import spreadsheets as views_io

app_name = "risks"

urlpatterns = [
    path("", views.RegisterView.as_view(), name="register"),
    path("new/", views.RiskFormView.as_view(), name="create"),
    path("heat-map/", views.HeatMapView.as_view(), name="heatmap"),
    path("my-queue/", views.MyQueueView.as_view(), name="my_queue"),
    path("export/", views_io.ExportView.as_view(), name="export"),
    path("import/", views_io.ImportView.as_view(), name="import"),
    path("<int:pk>/", views.RiskDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.RiskFormView.as_view(), name="edit"),
    path("<int:pk>/delete/", views.RiskDeleteView.as_view(), name="delete"),
    path("<int:pk>/assess/", actions.AssessView.as_view(), name="assess"),
    path("<int:pk>/agreement/propose/", actions.AgreementProposeView.as_view(), name="agreement_propose"),
    path("<int:pk>/agreement/confirm/", actions.AgreementConfirmView.as_view(), name="agreement_confirm"),
    path("<int:pk>/agreement/decline/", actions.AgreementDeclineView.as_view(), name="agreement_decline"),
    path("<int:pk>/acceptance/request/", actions.AcceptanceRequestView.as_view(), name="acceptance_request"),
    path("<int:pk>/acceptance/sign/", actions.AcceptanceSignView.as_view(), name="acceptance_sign"),
    path(
        "<int:pk>/acceptance/withdraw/", actions.AcceptanceWithdrawView.as_view(), name="acceptance_withdraw"
    ),
    path("<int:pk>/acceptance/end/", actions.AcceptanceCancelView.as_view(), name="acceptance_cancel"),
    path("<int:pk>/mitigations/new/", views.MitigationFormView.as_view(), name="mitigation_create"),
    path("<int:pk>/mitigations/<int:mpk>/edit/", views.MitigationFormView.as_view(), name="mitigation_edit"),
    path(
        "<int:pk>/mitigations/<int:mpk>/delete/",
        actions.MitigationDeleteView.as_view(),
        name="mitigation_delete",
    ),
]
