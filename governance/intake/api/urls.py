from django.urls import re_path
from rest_framework.routers import SimpleRouter

from .views import IntakeRequestViewSet, IntakeSettingsViewSet

ORG = r"orgs/(?P<org_slug>[a-z0-9-]+)"

router = SimpleRouter()
router.register(rf"{ORG}/intake/requests", IntakeRequestViewSet, basename="intake-request")

urlpatterns = [
    re_path(
        rf"^{ORG}/intake/settings/$",
        IntakeSettingsViewSet.as_view({"get": "current", "patch": "change"}),
        name="intake-settings",
    ),
    *router.urls,
]
