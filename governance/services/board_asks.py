"""Decisions asked of the board (governance.models.BoardAsk): proposed by the
CIO or the CISO on a draft report, confirmed by the other (a joint decision,
core sign-off purpose ``board_ask``). A confirmed ask queues the draft's
rebuild so that its snapshot — what the board reads — carries it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from core.errors import DomainError, NotAllowed
from core.models import User
from core.permissions import has_perm, signing_role
from core.roles import Perm
from core.selectors import is_jointly_approved
from core.services import record_creation, record_deletion, signoff_sign
from core.validation import text_problem
from governance.models import ASK_PURPOSE, AlignmentReport, AskKind, BoardAsk
from governance.services.reports import enqueue_build
from risks.models import Risk


def _editable(report: AlignmentReport) -> None:
    if report.is_published:
        raise DomainError(
            "The report is published: what it asks of the board can no longer change.", code="published"
        )


@transaction.atomic
def board_ask_propose(
    *,
    actor: User,
    report: AlignmentReport,
    kind: str,
    title: str,
    recommendation: str,
    deadline: date,
    amount: Decimal | None = None,
    risk: Risk | None = None,
) -> BoardAsk:
    """Add an ask to a draft: the proposer's part of the joint decision is given
    with it; the other executive confirms (``board_ask_sign``)."""
    organization = report.organization
    if signing_role(actor, organization) is None or not has_perm(actor, organization, Perm.REPORT_MANAGE):
        raise NotAllowed("Only the CIO or the CISO can put a decision to the board.")
    report = AlignmentReport.objects.select_for_update().get(pk=report.pk)
    _editable(report)
    if kind not in AskKind.values:
        raise DomainError("Choose what kind of decision the board is asked for.", field="kind")
    for name, value, one_line in (("title", title, True), ("recommendation", recommendation, False)):
        problem = text_problem(value or "", one_line=one_line)
        if problem:
            raise DomainError(f"This field {problem}", field=name)
    title, recommendation = (title or "").strip(), (recommendation or "").strip()
    if not title:
        raise DomainError("Say what the board is asked to decide.", field="title")
    if not recommendation:
        raise DomainError(
            "Give your recommendation, so the board knows what you advise.", field="recommendation"
        )
    if deadline is None:
        raise DomainError("Give the date by which the board must decide.", field="deadline")
    if amount is not None and amount < 0:
        raise DomainError("The amount cannot be negative.", field="amount")
    if risk is not None and risk.organization_id != organization.pk:
        raise DomainError("Choose a risk of this organization.", field="risk")
    ask = BoardAsk(
        organization=organization,
        report=report,
        kind=kind,
        title=title[:200],
        recommendation=recommendation,
        amount=amount,
        deadline=deadline,
        risk=risk,
        proposed_by=actor,
    )
    ask.full_clean()
    record_creation(ask, actor=actor)
    signoff_sign(actor=actor, subject=ask, purpose=ASK_PURPOSE, comment="Proposed.")
    return ask


@transaction.atomic
def board_ask_sign(*, actor: User, ask: BoardAsk, decision: str = "approve", comment: str = ""):
    """Give one's part of the ask (confirm it, or reject it with a reason). Once
    both have approved, the draft is rebuilt so that the report carries it."""
    _editable(AlignmentReport.objects.get(pk=ask.report_id))
    signoff = signoff_sign(actor=actor, subject=ask, purpose=ASK_PURPOSE, decision=decision, comment=comment)
    ask.refresh_from_db()
    if is_jointly_approved(ask, ASK_PURPOSE):
        enqueue_build(ask.report)
    return signoff


@transaction.atomic
def board_ask_withdraw(*, actor: User, ask: BoardAsk) -> None:
    """Take an ask off a draft (either executive)."""
    if signing_role(actor, ask.organization) is None:
        raise NotAllowed("Only the CIO or the CISO can take a decision off the report.")
    _editable(AlignmentReport.objects.get(pk=ask.report_id))
    confirmed = is_jointly_approved(ask, ASK_PURPOSE)
    report = ask.report
    record_deletion(ask, actor=actor)
    if confirmed:
        enqueue_build(report)
