from rest_framework.routers import SimpleRouter

from .views import KPIViewSet, MeasurementViewSet, ScorecardViewSet

router = SimpleRouter()
# Measurements and the scorecard first: their prefixes sit under /kpis/ too.
router.register(
    r"orgs/(?P<org_slug>[a-z0-9-]+)/kpis/measurements", MeasurementViewSet, basename="kpi-measurement"
)
router.register(r"orgs/(?P<org_slug>[a-z0-9-]+)/kpis/scorecard", ScorecardViewSet, basename="kpi-scorecard")
router.register(r"orgs/(?P<org_slug>[a-z0-9-]+)/kpis", KPIViewSet, basename="kpi")

urlpatterns = router.urls
