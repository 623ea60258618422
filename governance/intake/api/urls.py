from django.urls import path
from rest_framework.routers import SimpleRouter

from core import converters  # noqa: F401  (registers <org:...>)

from .views import IntakeRequestViewSet, IntakeSettingsViewSet

ORG = "orgs/<org:org_slug>"

router = SimpleRouter(use_regex_path=False)  # Django path syntax: <org:org_slug> (core.converters)
router.register(f"{ORG}/intake/requests", IntakeRequestViewSet, basename="intake-request")

urlpatterns = [
    path(
        f"{ORG}/intake/settings/",
        IntakeSettingsViewSet.as_view({"get": "current", "patch": "change"}),
        name="intake-settings",
    ),
    *router.urls,
]
