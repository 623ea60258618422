"""Governance pages under /o/<org>/: each sub-domain's urls.py (raci/, intake/,
alignment/ — the dashboard and alignment reports)."""

from .alignment.urls import urlpatterns as alignment_urlpatterns
from .intake.urls import urlpatterns as intake_urlpatterns
from .raci.urls import urlpatterns as raci_urlpatterns

app_name = "governance"

urlpatterns = [*raci_urlpatterns, *intake_urlpatterns, *alignment_urlpatterns]
