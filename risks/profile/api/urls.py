from rest_framework.routers import SimpleRouter

from core import converters  # noqa: F401  (registers <org:...>)

from .views import OutcomeViewSet, ProfileViewSet

ORG = "orgs/<org:org_slug>"

router = SimpleRouter(use_regex_path=False)
router.register(f"{ORG}/profile/outcomes", OutcomeViewSet, basename="profile-outcome")
router.register(f"{ORG}/profile", ProfileViewSet, basename="profile")

urlpatterns = router.urls
