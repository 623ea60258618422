from rest_framework.routers import SimpleRouter

from .views import RaciActivityViewSet, RaciMatrixViewSet, RaciPartyViewSet

ORG = r"orgs/(?P<org_slug>[a-z0-9-]+)"

router = SimpleRouter()
router.register(rf"{ORG}/raci/parties", RaciPartyViewSet, basename="raci-party")
router.register(rf"{ORG}/raci/activities", RaciActivityViewSet, basename="raci-activity")
router.register(rf"{ORG}/raci/matrix", RaciMatrixViewSet, basename="raci-matrix")

urlpatterns = router.urls
