from rest_framework.routers import SimpleRouter

from core import converters  # noqa: F401  (registers <org:...>)

from .views import AnnexAControlViewSet, AssessmentViewSet, CsfCategoryViewSet, MitigationViewSet, RiskViewSet

ORG = "orgs/<org:org_slug>"

router = SimpleRouter(use_regex_path=False)  # Django path syntax: <org:org_slug> (core.converters)
router.register(f"{ORG}/risks", RiskViewSet, basename="risk")
router.register(f"{ORG}/risk-assessments", AssessmentViewSet, basename="risk-assessment")
router.register(f"{ORG}/risk-mitigations", MitigationViewSet, basename="risk-mitigation")
router.register(f"{ORG}/risk-catalogues/csf-categories", CsfCategoryViewSet, basename="risk-csf-category")
router.register(
    f"{ORG}/risk-catalogues/annex-a-controls", AnnexAControlViewSet, basename="risk-annex-a-control"
)

urlpatterns = router.urls
