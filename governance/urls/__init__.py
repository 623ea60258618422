"""Governance pages under /o/<org>/: RACI and intake (raci/urls.py, intake/urls.py),
dashboard and alignment reports (alignment/urls.py)."""

from ..alignment.urls import urlpatterns as alignment_urlpatterns
from ..intake.urls import urlpatterns as intake_urlpatterns
from ..raci.urls import urlpatterns as raci_urlpatterns

app_name = "governance"

urlpatterns = [*raci_urlpatterns, *intake_urlpatterns, *alignment_urlpatterns]
