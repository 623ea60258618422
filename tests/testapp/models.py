"""A minimal business object used to test core plumbing (sign-off, history,
visibility) without depending on a domain app."""

from django.db import models
from simple_history.models import HistoricalRecords

from core.models import OrgScopedModel
from core.roles import Perm


class Document(OrgScopedModel):
    title = models.CharField(max_length=100)
    status = models.CharField(
        max_length=10, choices=[("draft", "Draft"), ("final", "Final")], default="draft"
    )

    history = HistoricalRecords()
    view_permission = Perm.RISK_VIEW

    def __str__(self):
        return self.title
