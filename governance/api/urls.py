"""Governance API under /api/v1/orgs/<org_slug>/: one route module per sub-domain."""

from .urls_alignment import urlpatterns as alignment_urlpatterns
from .urls_intake import urlpatterns as intake_urlpatterns
from .urls_raci import urlpatterns as raci_urlpatterns

urlpatterns = [*raci_urlpatterns, *intake_urlpatterns, *alignment_urlpatterns]
