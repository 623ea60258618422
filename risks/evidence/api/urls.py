from rest_framework.routers import SimpleRouter

from core import converters  # noqa: F401  (registers <org:...>)

from .views import EvidenceViewSet

router = SimpleRouter(use_regex_path=False)
router.register("orgs/<org:org_slug>/evidence", EvidenceViewSet, basename="evidence")

urlpatterns = router.urls
