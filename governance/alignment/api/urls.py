"""Dashboard summary and alignment reports under /api/v1/orgs/<org_slug>/."""

from rest_framework.routers import SimpleRouter

from core import converters  # noqa: F401  (registers <org:...>)

from .views import BoardAskViewSet, DashboardViewSet, ReportViewSet

ORG = "orgs/<org:org_slug>"

router = SimpleRouter(use_regex_path=False)  # Django path syntax: <org:org_slug> (core.converters)
router.register(f"{ORG}/dashboard", DashboardViewSet, basename="dashboard")
router.register(f"{ORG}/reports", ReportViewSet, basename="report")
router.register(f"{ORG}/board-asks", BoardAskViewSet, basename="board-ask")

urlpatterns = router.urls
