"""The budget's joint decision (see core.joint): submitting a proposal to the board."""

from django.urls import reverse

from core.joint import joint_decision
from core.selectors import is_jointly_approved

from . import services
from .models import EDITABLE_STATUSES, SIGNOFF_PURPOSE


def _sign(*, actor, subject, decision="approve", comment=""):
    return services.proposal_sign(actor=actor, proposal=subject, decision=decision, comment=comment)


joint_decision(
    model="budgets.proposal",
    purpose=SIGNOFF_PURPOSE,
    label="Budget submission",
    sign=_sign,
    is_complete=lambda proposal: (
        proposal.status not in EDITABLE_STATUSES or is_jointly_approved(proposal, SIGNOFF_PURPOSE)
    ),
    url=lambda proposal: reverse("budgets:proposal_detail", args=[proposal.organization.slug, proposal.pk]),
)
