"""Dashboard summary and alignment reports under /api/v1/orgs/<org_slug>/."""

from rest_framework.routers import SimpleRouter

from .views import DashboardViewSet, ReportViewSet

ORG = r"orgs/(?P<org_slug>[a-z0-9-]+)"

router = SimpleRouter()
router.register(rf"{ORG}/dashboard", DashboardViewSet, basename="dashboard")
router.register(rf"{ORG}/reports", ReportViewSet, basename="report")

urlpatterns = router.urls
