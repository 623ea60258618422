"""Governance API under /api/v1/orgs/<org_slug>/: one route module per sub-domain."""

from ..alignment.api.urls import urlpatterns as alignment_urlpatterns
from ..intake.api.urls import urlpatterns as intake_urlpatterns
from ..raci.api.urls import urlpatterns as raci_urlpatterns

urlpatterns = [*raci_urlpatterns, *intake_urlpatterns, *alignment_urlpatterns]
