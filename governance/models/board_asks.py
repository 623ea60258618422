"""What a report asks of the board: a decision the CIO and the CISO put to the
board together (approve a budget, tolerate a risk above appetite, grant an
exception), with their recommendation, the amount at stake and a deadline.

An ask belongs to a draft report. One executive proposes it (their proposal is
their signature); it goes into the report once the other has confirmed it
(core sign-off, purpose ``board_ask``, registered in governance.joint_decisions).
The snapshot freezes the confirmed asks: a published report never changes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from core.models import OrgScopedModel
from core.roles import Perm

__all__ = ["ASK_PURPOSE", "AskKind", "BoardAsk"]

ASK_PURPOSE = "board_ask"


class AskKind(models.TextChoices):
    BUDGET = "budget", "Approve a budget"
    TOLERANCE = "tolerance", "Tolerate a risk above appetite"
    EXCEPTION = "exception", "Grant an exception"
    OTHER = "other", "Other decision"


class BoardAsk(OrgScopedModel):
    report = models.ForeignKey("governance.AlignmentReport", on_delete=models.CASCADE, related_name="asks")
    kind = models.CharField(max_length=12, choices=AskKind.choices)
    title = models.CharField("what we ask", max_length=200)
    recommendation = models.TextField(
        help_text="What the CIO and the CISO recommend, and why, in plain words."
    )
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="Money at stake, if any."
    )
    deadline = models.DateField(help_text="When the board must decide.")
    risk = models.ForeignKey(
        "risks.Risk", null=True, blank=True, on_delete=models.SET_NULL, related_name="board_asks"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()
    view_permission = Perm.REPORT_VIEW_DRAFT

    class Meta:
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                name="board_ask_amount_not_negative",
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
            )
        ]

    def __str__(self) -> str:
        return self.title
