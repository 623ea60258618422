"""Governance's joint decisions (see core.joint): an intake request's decision
and the approval of the ownership (RACI) matrix."""

from django.urls import reverse

from core.joint import joint_decision

from .intake import services as intake
from .intake.models import OPEN_STATUSES
from .raci import services as raci


def _sign_intake(*, actor, subject, decision="approve", comment=""):
    return intake.intake_sign(actor=actor, request=subject, decision=decision, comment=comment)


def _sign_raci(*, actor, subject, decision="approve", comment=""):
    return raci.raci_sign(actor=actor, organization=subject.organization, decision=decision, comment=comment)


joint_decision(
    model="governance.intakerequest",
    purpose=intake.DECISION_PURPOSE,
    label="Intake decision",
    sign=_sign_intake,
    is_complete=lambda request: request.status not in OPEN_STATUSES,
    url=lambda request: reverse("governance:intake_detail", args=[request.organization.slug, request.pk]),
)
joint_decision(
    model="governance.racimatrix",
    purpose=raci.APPROVAL_PURPOSE,
    label="RACI approval",
    sign=_sign_raci,
    url=lambda matrix: reverse("governance:raci", args=[matrix.organization.slug]),
)


def _sign_ask(*, actor, subject, decision="approve", comment=""):
    from .alignment.services import board_ask_sign

    return board_ask_sign(actor=actor, ask=subject, decision=decision, comment=comment)


joint_decision(
    model="governance.boardask",
    purpose="board_ask",
    label="Decision asked of the board",
    sign=_sign_ask,
)
