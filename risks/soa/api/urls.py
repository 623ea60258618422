from rest_framework.routers import SimpleRouter

from core import converters  # noqa: F401  (registers <org:...>)

from .views import SoaLineViewSet

router = SimpleRouter(use_regex_path=False)
router.register("orgs/<org:org_slug>/soa/lines", SoaLineViewSet, basename="soa-line")

urlpatterns = router.urls
