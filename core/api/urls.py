from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import InvitationViewSet, MembershipViewSet, MeView, MyInvitationViewSet, OrganizationViewSet

router = SimpleRouter()
router.register(r"orgs", OrganizationViewSet, basename="organization")
router.register(r"orgs/(?P<org_slug>[a-z0-9-]+)/memberships", MembershipViewSet, basename="membership")
router.register(r"orgs/(?P<org_slug>[a-z0-9-]+)/invitations", InvitationViewSet, basename="invitation")
router.register(r"me/invitations", MyInvitationViewSet, basename="my-invitation")

urlpatterns = [path("me/", MeView.as_view(), name="me"), *router.urls]
