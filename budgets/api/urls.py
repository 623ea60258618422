"""Budget API under /api/v1/orgs/<org_slug>/budget/."""

from rest_framework.routers import SimpleRouter

from core import converters  # noqa: F401  (registers <org:...>)

from .views import ItemViewSet, LinkViewSet, OptionViewSet, ProposalViewSet

router = SimpleRouter(use_regex_path=False)  # Django path syntax: <org:org_slug> (core.converters)
router.register("orgs/<org:org_slug>/budget/proposals", ProposalViewSet, basename="budget-proposal")
router.register("orgs/<org:org_slug>/budget/items", ItemViewSet, basename="budget-item")
router.register("orgs/<org:org_slug>/budget/options", OptionViewSet, basename="budget-option")
router.register("orgs/<org:org_slug>/budget/risk-links", LinkViewSet, basename="budget-risk-link")

urlpatterns = router.urls
