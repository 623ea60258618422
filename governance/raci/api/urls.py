from rest_framework.routers import SimpleRouter

from core import converters  # noqa: F401  (registers <org:...>)

from .views import RaciActivityViewSet, RaciMatrixViewSet, RaciPartyViewSet

ORG = "orgs/<org:org_slug>"

router = SimpleRouter(use_regex_path=False)  # Django path syntax: <org:org_slug> (core.converters)
router.register(f"{ORG}/raci/parties", RaciPartyViewSet, basename="raci-party")
router.register(f"{ORG}/raci/activities", RaciActivityViewSet, basename="raci-activity")
router.register(f"{ORG}/raci/matrix", RaciMatrixViewSet, basename="raci-matrix")

urlpatterns = router.urls
