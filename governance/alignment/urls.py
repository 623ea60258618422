"""Dashboard, alignment method and alignment reports under /o/<org>/."""

from django.urls import path

from core.actions import signoff_paths
from governance.alignment.views import board_asks, dashboard, reports

urlpatterns = [
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("alignment/method/", dashboard.AlignmentMethodView.as_view(), name="alignment_method"),
    path("reports/", reports.ReportListView.as_view(), name="report_list"),
    path("reports/generate/", reports.ReportGenerateView.as_view(), name="report_generate"),
    path("reports/<int:pk>/", reports.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/progress/", reports.ReportProgressView.as_view(), name="report_progress"),
    path("reports/<int:pk>/pdf/", reports.ReportPdfView.as_view(), name="report_pdf"),
    path("reports/<int:pk>/publish/", reports.ReportPublishView.as_view(), name="report_publish"),
    path("reports/<int:pk>/rebuild/", reports.ReportRebuildView.as_view(), name="report_rebuild"),
    path("reports/<int:pk>/delete/", reports.ReportDeleteView.as_view(), name="report_delete"),
    path("reports/<int:pk>/asks/", board_asks.BoardAskAddView.as_view(), name="report_ask_add"),
    path("reports/<int:pk>/asks/<int:ask>/", board_asks.BoardAskDetailView.as_view(), name="report_ask"),
    *signoff_paths("reports/<int:pk>/asks/<int:ask>/", board_asks.BoardAskSignOffView, "report_ask"),
    path(
        "reports/<int:pk>/asks/<int:ask>/remove/",
        board_asks.BoardAskRemoveView.as_view(),
        name="report_ask_remove",
    ),
]
