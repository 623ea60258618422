from rest_framework.routers import SimpleRouter

from core import converters  # noqa: F401  (registers <org:...>)

from .views import KPIViewSet, MeasurementViewSet, ScorecardViewSet

router = SimpleRouter(use_regex_path=False)  # Django path syntax: <org:org_slug> (core.converters)
# Measurements and the scorecard first: their prefixes sit under /kpis/ too.
router.register("orgs/<org:org_slug>/kpis/measurements", MeasurementViewSet, basename="kpi-measurement")
router.register("orgs/<org:org_slug>/kpis/scorecard", ScorecardViewSet, basename="kpi-scorecard")
router.register("orgs/<org:org_slug>/kpis", KPIViewSet, basename="kpi")

urlpatterns = router.urls
