from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import MembershipViewSet, MeView, OrganizationViewSet

router = SimpleRouter()
router.register(r"orgs", OrganizationViewSet, basename="organization")
router.register(r"orgs/(?P<org_slug>[a-z0-9-]+)/memberships", MembershipViewSet, basename="membership")

urlpatterns = [path("me/", MeView.as_view(), name="me"), *router.urls]
