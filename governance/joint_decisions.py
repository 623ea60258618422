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


def _withdraw_intake(*, actor, subject):
    return intake.intake_withdraw_signoff(actor=actor, request=subject)


def _withdraw_raci(*, actor, subject):
    return raci.raci_withdraw(actor=actor, organization=subject.organization)


joint_decision(
    model="governance.intakerequest",
    purpose=intake.DECISION_PURPOSE,
    label="Intake decision",
    sign=_sign_intake,
    withdraw=_withdraw_intake,
    page_url=lambda request: reverse(
        "governance:intake_detail", args=[request.organization.slug, request.pk]
    ),
    api_url=lambda request: reverse(
        "api:intake-request-detail", kwargs={"org_slug": request.organization.slug, "pk": request.pk}
    ),
    is_complete=lambda request: request.status not in OPEN_STATUSES,
)
joint_decision(
    model="governance.racimatrix",
    purpose=raci.APPROVAL_PURPOSE,
    label="RACI approval",
    sign=_sign_raci,
    withdraw=_withdraw_raci,
    page_url=lambda matrix: reverse("governance:raci", args=[matrix.organization.slug]),
    api_url=lambda matrix: reverse(
        "api:raci-matrix-detail", kwargs={"org_slug": matrix.organization.slug, "pk": matrix.pk}
    ),
)


def _withdraw_ask(*, actor, subject):
    from .alignment.services import board_ask_withdraw_signoff

    return board_ask_withdraw_signoff(actor=actor, ask=subject)


def _sign_ask(*, actor, subject, decision="approve", comment=""):
    from .alignment.services import board_ask_sign

    return board_ask_sign(actor=actor, ask=subject, decision=decision, comment=comment)


joint_decision(
    model="governance.boardask",
    purpose="board_ask",
    label="Decision asked of the board",
    sign=_sign_ask,
    withdraw=_withdraw_ask,
    page_url=lambda ask: (
        reverse("governance:report_detail", args=[ask.organization.slug, ask.report_id]) + f"asks/{ask.pk}/"
    ),
    api_url=lambda ask: reverse(
        "api:board-ask-detail", kwargs={"org_slug": ask.organization.slug, "pk": ask.pk}
    ),
    url=lambda ask: reverse("governance:report_detail", args=[ask.organization.slug, ask.report_id]),
)
