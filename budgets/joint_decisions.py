"""The budget's joint decision (see core.joint): submitting a proposal to the board."""

from django.urls import reverse

from core.joint import joint_decision
from core.selectors import is_jointly_approved

from . import services
from .models import EDITABLE_STATUSES, SIGNOFF_PURPOSE


def _sign(*, actor, subject, decision="approve", comment=""):
    return services.proposal_sign(actor=actor, proposal=subject, decision=decision, comment=comment)


def _withdraw(*, actor, subject):
    return services.proposal_withdraw_signoff(actor=actor, proposal=subject)


joint_decision(
    model="budgets.proposal",
    purpose=SIGNOFF_PURPOSE,
    label="Budget submission",
    sign=_sign,
    withdraw=_withdraw,
    page_url=lambda proposal: reverse(
        "budgets:proposal_detail", args=[proposal.organization.slug, proposal.pk]
    ),
    api_url=lambda proposal: reverse(
        "api:budget-proposal-detail", kwargs={"org_slug": proposal.organization.slug, "pk": proposal.pk}
    ),
    is_complete=lambda proposal: (
        proposal.status not in EDITABLE_STATUSES or is_jointly_approved(proposal, SIGNOFF_PURPOSE)
    ),
)
