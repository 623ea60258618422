from rest_framework.routers import SimpleRouter

from .views import AnnexAControlViewSet, AssessmentViewSet, CsfCategoryViewSet, MitigationViewSet, RiskViewSet

ORG = r"orgs/(?P<org_slug>[a-z0-9-]+)"

router = SimpleRouter()
router.register(rf"{ORG}/risks", RiskViewSet, basename="risk")
router.register(rf"{ORG}/risk-assessments", AssessmentViewSet, basename="risk-assessment")
router.register(rf"{ORG}/risk-mitigations", MitigationViewSet, basename="risk-mitigation")
router.register(rf"{ORG}/risk-catalogues/csf-categories", CsfCategoryViewSet, basename="risk-csf-category")
router.register(
    rf"{ORG}/risk-catalogues/annex-a-controls", AnnexAControlViewSet, basename="risk-annex-a-control"
)

urlpatterns = router.urls
