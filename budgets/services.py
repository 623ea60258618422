"""Every write to the budget: proposals and their workflow, items, options and
risk links. Keyword-only, atomic, the acting person first.

Any change to an item, option or risk link is recorded as a change of the
proposal too (``record_change``): the proposal's version goes up and the
CIO's and CISO's submission sign-offs are voided, because they signed what
the proposal said before.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import services as core_services
from core.concurrency import lock_for_update
from core.errors import DomainError, NotAllowed
from core.notifications import core_events
from core.permissions import has_perm
from core.roles import Perm
from core.selectors import is_jointly_approved

from . import notification_events
from .models import (
    SIGNOFF_PURPOSE,
    BudgetItem,
    ItemOption,
    ItemRiskLink,
    Proposal,
    ProposalStatus,
)

PROPOSAL_FIELDS = ("title", "summary", "amortisation_years")
ITEM_FIELDS = ("title", "domain", "category", "kind", "amount", "priority", "justification", "mitigation")
OPTION_FIELDS = ("name", "cost", "timeline_weeks", "pros", "cons", "security_score")
LINK_FIELDS = ("loss_before", "loss_after", "note")


def _require(actor, organization, perm: Perm) -> None:
    if not has_perm(actor, organization, perm):
        raise NotAllowed("Your role does not allow this action.")


def _validate(obj, *, exclude=()) -> None:
    """Model validation as one DomainError naming the first field at fault."""
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        field, messages = next(iter(errors.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field)


def _set(obj, changes: dict, allowed: tuple[str, ...]) -> bool:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    changed = False
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _read_only_message(proposal: Proposal) -> str:
    if proposal.status == ProposalStatus.APPROVED:
        return "This proposal was approved by the board and is read-only."
    if proposal.status == ProposalStatus.SUBMITTED:
        return "This proposal is with the board and cannot change until the board decides."
    return "The board returned this proposal. Reopen it for revision before changing it."


def _lock_editable(proposal: Proposal, *, expected_version: int | None = None) -> Proposal:
    locked = lock_for_update(Proposal, pk=proposal.pk, expected_version=expected_version)
    if not locked.is_editable:
        raise DomainError(_read_only_message(locked), code="read_only")
    return locked


def _touch(proposal: Proposal, *, actor, reason: str) -> None:
    """Record a change of the proposal's content: new version, sign-offs void."""
    core_services.record_change(proposal, actor=actor, reason=reason)


# -------------------------------------------------------------- proposals ----


@transaction.atomic
def proposal_create(
    *,
    actor,
    organization,
    fiscal_year: int,
    title: str = "",
    summary: str = "",
    amortisation_years: int = 3,
    copy_previous: bool = False,
) -> Proposal:
    """A new draft for ``fiscal_year``; optionally a copy of the previous year's
    items, options and risk links."""
    _require(actor, organization, Perm.BUDGET_EDIT)
    if Proposal.objects.filter(organization=organization, fiscal_year=fiscal_year).exists():
        raise DomainError(f"There is already a proposal for FY{fiscal_year}.", field="fiscal_year")
    previous = None
    if copy_previous:
        previous = Proposal.objects.filter(organization=organization, fiscal_year=fiscal_year - 1).first()
        if previous is None:
            raise DomainError(f"There is no FY{fiscal_year - 1} proposal to copy.", field="copy_previous")
    proposal = Proposal(
        organization=organization,
        fiscal_year=fiscal_year,
        summary=(summary or "").strip(),
        title=(title or "").strip() or f"Technology and security budget FY{fiscal_year}",
        amortisation_years=amortisation_years,
        copied_from=previous,
    )
    _validate(proposal, exclude=["organization"])
    core_services.record_creation(proposal, actor=actor)
    if previous is not None:
        _copy_items(previous, proposal, actor=actor)
    return proposal


def _copy_items(source: Proposal, target: Proposal, *, actor) -> None:
    items = source.items.prefetch_related("options", "risk_links").order_by("pk")
    for item in items:
        copy = BudgetItem(
            organization=target.organization,
            proposal=target,
            **{name: getattr(item, name) for name in ITEM_FIELDS},
        )
        core_services.record_creation(copy, actor=actor)
        for option in item.options.all():
            clone = ItemOption(
                organization=target.organization,
                item=copy,
                is_chosen=option.is_chosen,
                **{name: getattr(option, name) for name in OPTION_FIELDS},
            )
            core_services.record_creation(clone, actor=actor)
        for link in item.risk_links.all():
            clone = ItemRiskLink(
                organization=target.organization,
                item=copy,
                risk_id=link.risk_id,
                **{name: getattr(link, name) for name in LINK_FIELDS},
            )
            core_services.record_creation(clone, actor=actor)


@transaction.atomic
def proposal_update(*, actor, proposal: Proposal, expected_version: int | None, **changes) -> Proposal:
    _require(actor, proposal.organization, Perm.BUDGET_EDIT)
    proposal = _lock_editable(proposal, expected_version=expected_version)
    if _set(proposal, changes, PROPOSAL_FIELDS):
        if not proposal.title:
            raise DomainError("Give the proposal a title.", field="title")
        _validate(proposal, exclude=["organization"])
        _touch(proposal, actor=actor, reason="Proposal details changed.")
    return proposal


@transaction.atomic
def proposal_delete(*, actor, proposal: Proposal) -> None:
    """Only a draft can be deleted; anything that went to review stays on record."""
    _require(actor, proposal.organization, Perm.BUDGET_EDIT)
    proposal = lock_for_update(Proposal, pk=proposal.pk, expected_version=None)
    if proposal.status != ProposalStatus.DRAFT:
        raise DomainError("Only a draft proposal can be deleted.")
    core_services.record_deletion(proposal, actor=actor)


def _transition(
    proposal: Proposal,
    *,
    actor,
    allowed_from,
    to: str,
    message: str,
    reason: str,
    expected_version=None,
    new_version: bool = True,
) -> Proposal:
    proposal = lock_for_update(Proposal, pk=proposal.pk, expected_version=expected_version)
    if proposal.status not in allowed_from:
        raise DomainError(message, field="status", code="invalid_transition")
    if new_version:
        proposal.status = to
        _touch(proposal, actor=actor, reason=reason)
        return proposal
    # Moving a version forward keeps its sign-offs valid: same version.
    return _save_status(proposal, actor, to, reason)


@transaction.atomic
def proposal_start_review(*, actor, proposal: Proposal, expected_version: int | None = None) -> Proposal:
    """Draft → joint review: the CIO and the CISO can now sign it."""
    _require(actor, proposal.organization, Perm.BUDGET_EDIT)
    if not proposal.items.exists():
        raise DomainError("Add at least one item before starting the joint review.")
    proposal = _transition(
        proposal,
        actor=actor,
        allowed_from=(ProposalStatus.DRAFT,),
        to=ProposalStatus.JOINT_REVIEW,
        message="Only a draft can be sent to joint review.",
        reason="Sent to joint review.",
        expected_version=expected_version,
        new_version=False,
    )
    core_events.decision_opened(subject=proposal, purpose=SIGNOFF_PURPOSE, actor=actor)
    return proposal


@transaction.atomic
def proposal_back_to_draft(*, actor, proposal: Proposal, expected_version: int | None = None) -> Proposal:
    _require(actor, proposal.organization, Perm.BUDGET_EDIT)
    return _transition(
        proposal,
        actor=actor,
        allowed_from=(ProposalStatus.JOINT_REVIEW,),
        to=ProposalStatus.DRAFT,
        message="Only a proposal in joint review can go back to draft.",
        reason="Taken back to draft; sign-offs voided.",
        expected_version=expected_version,
    )


@transaction.atomic
def proposal_sign(*, actor, proposal: Proposal, decision: str = "approve", comment: str = ""):
    """The CIO or the CISO signs the current version for submission."""
    proposal = lock_for_update(Proposal, pk=proposal.pk, expected_version=None)
    if proposal.status != ProposalStatus.JOINT_REVIEW:
        raise DomainError(
            "Sign-offs are given during the joint review. Start the joint review first.", field="decision"
        )
    return core_services.signoff_sign(
        actor=actor, subject=proposal, purpose=SIGNOFF_PURPOSE, decision=decision, comment=comment or ""
    )


@transaction.atomic
def proposal_withdraw_signoff(*, actor, proposal: Proposal) -> None:
    proposal = lock_for_update(Proposal, pk=proposal.pk, expected_version=None)
    if proposal.status != ProposalStatus.JOINT_REVIEW:
        raise DomainError("Sign-offs can only be withdrawn during the joint review.")
    core_services.signoff_withdraw(actor=actor, subject=proposal, purpose=SIGNOFF_PURPOSE)


@transaction.atomic
def proposal_submit(*, actor, proposal: Proposal, expected_version: int | None = None) -> Proposal:
    """Joint review → submitted to the board, once both CIO and CISO approved this version."""
    _require(actor, proposal.organization, Perm.BUDGET_EDIT)
    locked = lock_for_update(Proposal, pk=proposal.pk, expected_version=expected_version)
    if locked.status != ProposalStatus.JOINT_REVIEW:
        raise DomainError(
            "Only a proposal in joint review can be submitted to the board.",
            field="status",
            code="invalid_transition",
        )
    if not is_jointly_approved(locked, SIGNOFF_PURPOSE):
        raise DomainError(
            "Both the CIO and the CISO must approve this version before it goes to the board.",
            field="status",
            code="not_signed",
        )
    locked.submitted_at, locked.submitted_by = timezone.now(), actor
    locked.decided_at, locked.decided_by, locked.decision_note = None, None, ""
    # Same version: the sign-offs stay valid as the record of what was submitted.
    return _save_status(locked, actor, ProposalStatus.SUBMITTED, "Submitted to the board.")


def _save_status(proposal: Proposal, actor, status: str, reason: str) -> Proposal:
    proposal.status = status
    proposal._history_user = actor
    proposal._change_reason = reason
    proposal.save()
    notification_events.proposal_status_changed(proposal, actor=actor, reason=reason)
    return proposal


@transaction.atomic
def proposal_approve(*, actor, proposal: Proposal, note: str = "") -> Proposal:
    """Record the board's approval. Done by the CIO or CISO on the board's behalf."""
    _require(actor, proposal.organization, Perm.BUDGET_DECIDE)
    locked = lock_for_update(Proposal, pk=proposal.pk, expected_version=None)
    if locked.status != ProposalStatus.SUBMITTED:
        raise DomainError(
            "Only a proposal submitted to the board can be approved.",
            field="status",
            code="invalid_transition",
        )
    locked.decided_at, locked.decided_by, locked.decision_note = timezone.now(), actor, (note or "").strip()
    return _save_status(locked, actor, ProposalStatus.APPROVED, "Approved by the board.")


@transaction.atomic
def proposal_return(*, actor, proposal: Proposal, reason: str) -> Proposal:
    """Record that the board returned the proposal, and why."""
    _require(actor, proposal.organization, Perm.BUDGET_DECIDE)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the board returned the proposal, so it can be revised.", field="reason")
    locked = lock_for_update(Proposal, pk=proposal.pk, expected_version=None)
    if locked.status != ProposalStatus.SUBMITTED:
        raise DomainError(
            "Only a proposal submitted to the board can be returned.",
            field="status",
            code="invalid_transition",
        )
    locked.decided_at, locked.decided_by, locked.decision_note = timezone.now(), actor, reason
    return _save_status(locked, actor, ProposalStatus.RETURNED, f"Returned by the board: {reason}"[:100])


@transaction.atomic
def proposal_reopen(*, actor, proposal: Proposal) -> Proposal:
    """Returned → draft, to revise it; the old sign-offs no longer count."""
    _require(actor, proposal.organization, Perm.BUDGET_EDIT)
    return _transition(
        proposal,
        actor=actor,
        allowed_from=(ProposalStatus.RETURNED,),
        to=ProposalStatus.DRAFT,
        message="Only a proposal the board returned can be reopened.",
        reason="Reopened for revision.",
    )


# ------------------------------------------------------------------ items ----


def _check_mitigation(item: BudgetItem) -> None:
    if item.mitigation is not None and item.mitigation.organization_id != item.organization_id:
        raise DomainError("Choose a mitigation of this organization.", field="mitigation")


@transaction.atomic
def item_create(*, actor, proposal: Proposal, **fields) -> BudgetItem:
    _require(actor, proposal.organization, Perm.BUDGET_EDIT)
    proposal = _lock_editable(proposal)
    item = BudgetItem(organization=proposal.organization, proposal=proposal)
    _set(item, fields, ITEM_FIELDS)
    _check_mitigation(item)
    _validate(item, exclude=["organization", "proposal"])
    core_services.record_creation(item, actor=actor)
    _touch(proposal, actor=actor, reason=f"Item added: {item.title}"[:100])
    return item


@transaction.atomic
def item_update(*, actor, item: BudgetItem, expected_version: int | None, **changes) -> BudgetItem:
    _require(actor, item.organization, Perm.BUDGET_EDIT)
    proposal = _lock_editable(item.proposal)
    item = lock_for_update(BudgetItem, pk=item.pk, expected_version=expected_version)
    chosen = item.options.filter(is_chosen=True).first()
    if chosen is not None and "amount" in changes and Decimal(changes["amount"]) != chosen.cost:
        raise DomainError(
            f"The amount follows the chosen option “{chosen.name}”. Change that option's cost "
            "or choose another option.",
            field="amount",
        )
    if _set(item, changes, ITEM_FIELDS):
        _check_mitigation(item)
        _validate(item, exclude=["organization", "proposal"])
        core_services.record_change(item, actor=actor, void_signoffs=False)
        _touch(proposal, actor=actor, reason=f"Item changed: {item.title}"[:100])
    return item


@transaction.atomic
def item_delete(*, actor, item: BudgetItem, expected_version: int | None = None) -> None:
    _require(actor, item.organization, Perm.BUDGET_EDIT)
    proposal = _lock_editable(item.proposal)
    item = lock_for_update(BudgetItem, pk=item.pk, expected_version=expected_version)
    title = item.title
    core_services.record_deletion(item, actor=actor)
    _touch(proposal, actor=actor, reason=f"Item removed: {title}"[:100])


# ---------------------------------------------------------------- options ----


def _follow_option(item: BudgetItem, option: ItemOption, *, actor) -> None:
    """Keep the item's amount equal to its chosen option's cost."""
    if item.amount != option.cost:
        item.amount = option.cost
        core_services.record_change(
            item, actor=actor, reason=f"Amount follows option “{option.name}”"[:100], void_signoffs=False
        )


@transaction.atomic
def option_create(*, actor, item: BudgetItem, **fields) -> ItemOption:
    """Add an option; the first option of an item is chosen automatically."""
    _require(actor, item.organization, Perm.BUDGET_EDIT)
    proposal = _lock_editable(item.proposal)
    item = BudgetItem.objects.select_for_update().get(pk=item.pk)
    option = ItemOption(organization=item.organization, item=item)
    _set(option, fields, OPTION_FIELDS)
    option.is_chosen = not item.options.exists()
    _validate(option, exclude=["organization", "item"])
    core_services.record_creation(option, actor=actor)
    if option.is_chosen:
        _follow_option(item, option, actor=actor)
    _touch(proposal, actor=actor, reason=f"Option added to {item.title}: {option.name}"[:100])
    return option


@transaction.atomic
def option_update(*, actor, option: ItemOption, expected_version: int | None, **changes) -> ItemOption:
    _require(actor, option.organization, Perm.BUDGET_EDIT)
    proposal = _lock_editable(option.item.proposal)
    option = lock_for_update(ItemOption, pk=option.pk, expected_version=expected_version)
    if _set(option, changes, OPTION_FIELDS):
        _validate(option, exclude=["organization", "item"])
        core_services.record_change(option, actor=actor, void_signoffs=False)
        if option.is_chosen:
            _follow_option(BudgetItem.objects.select_for_update().get(pk=option.item_id), option, actor=actor)
        _touch(proposal, actor=actor, reason=f"Option changed: {option.name}"[:100])
    return option


@transaction.atomic
def option_choose(*, actor, option: ItemOption) -> ItemOption:
    """Make ``option`` the item's one chosen option; the item's amount follows it."""
    _require(actor, option.organization, Perm.BUDGET_EDIT)
    proposal = _lock_editable(option.item.proposal)
    item = BudgetItem.objects.select_for_update().get(pk=option.item_id)
    option = ItemOption.objects.select_for_update().get(pk=option.pk)
    if option.is_chosen:
        return option
    for previous in item.options.filter(is_chosen=True):
        previous.is_chosen = False
        core_services.record_change(previous, actor=actor, void_signoffs=False)
    option.is_chosen = True
    core_services.record_change(option, actor=actor, reason="Chosen", void_signoffs=False)
    _follow_option(item, option, actor=actor)
    _touch(proposal, actor=actor, reason=f"Option chosen for {item.title}: {option.name}"[:100])
    return option


@transaction.atomic
def option_delete(*, actor, option: ItemOption, expected_version: int | None = None) -> None:
    _require(actor, option.organization, Perm.BUDGET_EDIT)
    proposal = _lock_editable(option.item.proposal)
    option = lock_for_update(ItemOption, pk=option.pk, expected_version=expected_version)
    if option.is_chosen and ItemOption.objects.filter(item_id=option.item_id).exclude(pk=option.pk).exists():
        raise DomainError("This is the chosen option. Choose another option before deleting it.")
    name = option.name
    core_services.record_deletion(option, actor=actor)
    _touch(proposal, actor=actor, reason=f"Option removed: {name}"[:100])


# ------------------------------------------------------------- risk links ----


def _check_losses(link: ItemRiskLink) -> None:
    if link.loss_before is None:
        raise DomainError(
            "This risk has no expected annual loss yet. Enter the loss before the investment.",
            field="loss_before",
        )
    if link.loss_after is None:
        raise DomainError("Enter the expected annual loss after the investment.", field="loss_after")
    if link.loss_after > link.loss_before:
        raise DomainError("The loss after cannot be higher than the loss before.", field="loss_after")


@transaction.atomic
def link_create(
    *, actor, item: BudgetItem, risk, loss_after: Decimal, loss_before: Decimal | None = None, note: str = ""
) -> ItemRiskLink:
    """Record that ``item`` reduces ``risk``. The loss before defaults to the
    risk's expected annual loss from the register."""
    _require(actor, item.organization, Perm.BUDGET_EDIT)
    proposal = _lock_editable(item.proposal)
    if risk is None or risk.organization_id != item.organization_id:
        raise DomainError("Choose a risk of this organization.", field="risk")
    if ItemRiskLink.objects.filter(item=item, risk=risk).exists():
        raise DomainError(f"{risk.reference} is already linked to this item.", field="risk")
    if loss_before is None:
        loss_before = risk.expected_annual_loss
    link = ItemRiskLink(
        organization=item.organization,
        item=item,
        risk=risk,
        loss_before=loss_before,
        loss_after=loss_after,
        note=(note or "").strip(),
    )
    _check_losses(link)
    _validate(link, exclude=["organization", "item", "risk"])
    core_services.record_creation(link, actor=actor)
    _touch(proposal, actor=actor, reason=f"{item.title} now reduces {risk.reference}"[:100])
    return link


@transaction.atomic
def link_update(*, actor, link: ItemRiskLink, expected_version: int | None, **changes) -> ItemRiskLink:
    _require(actor, link.organization, Perm.BUDGET_EDIT)
    proposal = _lock_editable(link.item.proposal)
    link = lock_for_update(ItemRiskLink, pk=link.pk, expected_version=expected_version)
    if _set(link, changes, LINK_FIELDS):
        _check_losses(link)
        _validate(link, exclude=["organization", "item", "risk"])
        core_services.record_change(link, actor=actor, void_signoffs=False)
        _touch(proposal, actor=actor, reason="Risk reduction changed"[:100])
    return link


@transaction.atomic
def link_delete(*, actor, link: ItemRiskLink) -> None:
    _require(actor, link.organization, Perm.BUDGET_EDIT)
    proposal = _lock_editable(link.item.proposal)
    core_services.record_deletion(link, actor=actor)
    _touch(proposal, actor=actor, reason="Risk link removed")
