"""Budget API under /api/v1/orgs/<org_slug>/budget/."""

from rest_framework.routers import SimpleRouter

from .views import ItemViewSet, LinkViewSet, OptionViewSet, ProposalViewSet

router = SimpleRouter()
router.register(
    r"orgs/(?P<org_slug>[a-z0-9-]+)/budget/proposals", ProposalViewSet, basename="budget-proposal"
)
router.register(r"orgs/(?P<org_slug>[a-z0-9-]+)/budget/items", ItemViewSet, basename="budget-item")
router.register(r"orgs/(?P<org_slug>[a-z0-9-]+)/budget/options", OptionViewSet, basename="budget-option")
router.register(r"orgs/(?P<org_slug>[a-z0-9-]+)/budget/risk-links", LinkViewSet, basename="budget-risk-link")

urlpatterns = router.urls
