"""Governance pages under /o/<org>/: RACI and intake (raci.py, intake.py),
dashboard and alignment reports (alignment.py)."""

from .alignment import urlpatterns as alignment_urlpatterns
from .intake import urlpatterns as intake_urlpatterns
from .raci import urlpatterns as raci_urlpatterns

app_name = "governance"

urlpatterns = [*raci_urlpatterns, *intake_urlpatterns, *alignment_urlpatterns]
