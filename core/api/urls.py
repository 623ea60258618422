from django.urls import path
from rest_framework.routers import SimpleRouter

from core import converters  # noqa: F401  (registers <org:...>)

from .views import (
    InstanceView,
    InvitationViewSet,
    MembershipViewSet,
    MeView,
    MyInvitationViewSet,
    OrganizationViewSet,
)

router = SimpleRouter(use_regex_path=False)  # Django path syntax: <org:org_slug> (core.converters)
router.register(r"orgs", OrganizationViewSet, basename="organization")
router.register("orgs/<org:org_slug>/memberships", MembershipViewSet, basename="membership")
router.register("orgs/<org:org_slug>/invitations", InvitationViewSet, basename="invitation")
router.register(r"me/invitations", MyInvitationViewSet, basename="my-invitation")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("instance/", InstanceView.as_view(), name="instance"),
    *router.urls,
]
