"""Every write to the risk register. Pages, API, import, demo data and the
daily task all come through here.

Rules kept here:
- references R-001… per organization, never reused, safe under concurrency;
- only the CIO writes the CIO lens and only the CISO the CISO lens;
- an agreed assessment is proposed by one and confirmed by the other;
- joint acceptance (sign-off purpose "acceptance") only above appetite, with a
  justification and an expiry date; any change to the risk voids pending
  sign-offs and ends an acceptance in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.concurrency import lock_for_update
from core.errors import ConflictError, DomainError, ImportFailed, NotAllowed
from core.members import require_member
from core.models import Organization, SignOffDecision, User
from core.notifications import core_events
from core.permissions import has_perm, signing_role
from core.roles import Perm, Role
from core.selectors import signoff_status
from core.services import (
    is_unchanged,
    record_change,
    record_creation,
    record_deletion,
    signing_role_locked,
    signoff_sign,
    signoff_withdraw,
    signoffs_void,
)

from . import scoring
from .models import Assessment, Lens, Mitigation, MitigationStatus, Risk, RiskCounter, RiskStatus, Treatment

ACCEPTANCE = "acceptance"
AGREED_ASSESSMENT = "agreed_assessment"
MAX_ACCEPTANCE_DAYS = 3 * 366

RISK_FIELDS = (
    "title",
    "impact_statement",
    "category",
    "origin",
    "owner",
    "status",
    "treatment",
    "due_date",
    "next_review_date",
    "affected_services",
    "loss_low",
    "loss_most_likely",
    "loss_high",
    "events_per_year",
)
RISK_M2M = ("csf_categories", "annex_a_controls")
LOSS_FIELDS = ("loss_low", "loss_most_likely", "loss_high", "events_per_year")
MITIGATION_FIELDS = ("title", "description", "owner", "status", "due_date", "cost")


# ------------------------------------------------------------- validation ----


def _require_editor(actor: User, organization: Organization) -> None:
    if not has_perm(actor, organization, Perm.RISK_EDIT):
        raise NotAllowed("Your role does not allow changing the risk register.")


def _check_member(user, organization: Organization, field: str = "owner") -> None:
    if user is None:
        raise DomainError("Choose an owner.", field=field)
    require_member(user, organization, field=field)


def _check_loss_estimate(values: dict) -> None:
    given = [name for name in LOSS_FIELDS if values.get(name) is not None]
    if given and len(given) < len(LOSS_FIELDS):
        missing = next(name for name in LOSS_FIELDS if values.get(name) is None)
        raise DomainError("Fill in all four figures of the loss estimate, or none of them.", field=missing)
    if not given:
        return
    for name in LOSS_FIELDS:
        if Decimal(values[name]) < 0:
            raise DomainError("Amounts cannot be negative.", field=name)
    if not values["loss_low"] <= values["loss_most_likely"]:
        raise DomainError(
            "The most likely loss cannot be lower than the low estimate.", field="loss_most_likely"
        )
    if not values["loss_most_likely"] <= values["loss_high"]:
        raise DomainError("The high estimate cannot be lower than the most likely loss.", field="loss_high")


def _check_risk(risk: Risk) -> None:
    if not (risk.title or "").strip():
        raise DomainError("Give the risk a title.", field="title")
    if not (risk.impact_statement or "").strip():
        raise DomainError(
            "Say in plain words what happens to the business if this occurs.", field="impact_statement"
        )
    _check_member(risk.owner, risk.organization)
    _check_loss_estimate({name: getattr(risk, name) for name in LOSS_FIELDS})
    risk.expected_annual_loss = risk.compute_expected_annual_loss()
    risk.full_clean(exclude=["organization", "owner", "number", "reference"], validate_constraints=False)


def _apply(risk: Risk, values: dict) -> None:
    for name, value in values.items():
        if name in RISK_FIELDS:
            setattr(risk, name, value.strip() if isinstance(value, str) else value)


def _m2m_changes(risk: Risk, values: dict) -> list[str]:
    return [
        name
        for name in RISK_M2M
        if name in values
        and values[name] is not None
        and {getattr(o, "pk", o) for o in values[name]}
        != set(getattr(risk, name).values_list("pk", flat=True))
    ]


def _set_m2m(risk: Risk, values: dict) -> None:
    for name in RISK_M2M:
        if name in values and values[name] is not None:
            getattr(risk, name).set(values[name])


# ------------------------------------------------------------------ risks ----


def _next_number(organization: Organization) -> int:
    """Lock the organization's counter row: concurrent creators queue here."""
    start = Risk.objects.filter(organization=organization).aggregate(top=Max("number"))["top"] or 0
    RiskCounter.objects.get_or_create(organization=organization, defaults={"last_number": start})
    counter = RiskCounter.objects.select_for_update().get(organization=organization)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


@transaction.atomic
def risk_create(*, actor: User, organization: Organization, **values) -> Risk:
    """Create a risk with the next reference. ``values``: RISK_FIELDS and RISK_M2M."""
    _require_editor(actor, organization)
    status = values.get("status") or RiskStatus.IDENTIFIED
    if status == RiskStatus.ACCEPTED:
        raise DomainError(
            "A risk is accepted only by the CIO and the CISO jointly, after it is assessed.", field="status"
        )
    risk = Risk(organization=organization)
    _apply(risk, {**values, "status": status, "treatment": values.get("treatment") or ""})
    _check_risk(risk)
    risk.number = _next_number(organization)
    risk.reference = f"R-{risk.number:03d}"
    record_creation(risk, actor=actor)
    _set_m2m(risk, values)
    return risk


def _end_acceptance(risk: Risk, *, status: str = RiskStatus.ASSESSED) -> None:
    risk.status = status
    risk.accepted_at = None
    risk.acceptance_expires_on = None
    risk.acceptance_justification = ""
    risk.acceptance_requested_by = None
    risk.acceptance_requested_at = None


def _save_change(risk: Risk, *, actor: User | None, reason: str) -> None:
    """Record a change; an acceptance in force ends, because it was given for
    the previous version (its sign-offs are voided by record_change)."""
    if risk.status == RiskStatus.ACCEPTED:
        _end_acceptance(risk)
        reason = f"{reason} The joint acceptance ended because the risk changed.".strip()
    record_change(risk, actor=actor, reason=reason)


@transaction.atomic
def risk_update(*, actor: User, risk: Risk, expected_version: int | None, reason: str = "", **values) -> Risk:
    """Edit a risk's fields. Refused with ConflictError if someone saved it since
    ``expected_version``. Changing a risk voids its pending sign-offs."""
    _require_editor(actor, risk.organization)
    risk = lock_for_update(Risk, pk=risk.pk, expected_version=expected_version)
    new_status = values.get("status", risk.status)
    if new_status == RiskStatus.ACCEPTED and risk.status != RiskStatus.ACCEPTED:
        raise DomainError(
            "A risk is accepted only by the CIO and the CISO jointly. Request a joint acceptance.",
            field="status",
        )
    if new_status == RiskStatus.ACCEPTED:
        values.pop("status", None)  # leaving it as is; _save_change ends the acceptance
    _apply(risk, values)
    _check_risk(risk)
    if is_unchanged(risk) and not _m2m_changes(risk, values):
        return risk  # nothing to record: same version, sign-offs stay
    _save_change(risk, actor=actor, reason=reason or "Risk edited.")
    _set_m2m(risk, values)
    return risk


def _dependents_elsewhere(risk: Risk) -> list[str]:
    """Records of other apps that point at this risk (e.g. budget items that
    claim to reduce it). Found through Django's relations, so risks needs no
    knowledge of the apps built on top of it; history tables do not count."""
    found = []
    for relation in risk._meta.related_objects:
        model = relation.related_model
        if model._meta.app_label == Risk._meta.app_label or hasattr(model, "instance_type"):
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue
        count = model._default_manager.filter(**{relation.field.name: risk}).count()
        if count:
            found.append(
                f"{count} {model._meta.verbose_name_plural if count > 1 else model._meta.verbose_name}"
            )
    return found


@transaction.atomic
def risk_delete(*, actor: User, risk: Risk, expected_version: int | None = None) -> None:
    """Delete a risk (its reference number is never handed out again).

    Refused while other records depend on it: deleting would silently change
    them (a budget item would lose the risk it was justified by). Close the risk
    instead, which keeps it on record."""
    _require_editor(actor, risk.organization)
    risk = lock_for_update(Risk, pk=risk.pk, expected_version=expected_version)
    dependents = _dependents_elsewhere(risk)
    if dependents:
        raise DomainError(
            f"{risk.reference} cannot be deleted: {', '.join(dependents)} depend on it. "
            "Close the risk instead; it stays on record.",
            code="protected",
        )
    signoffs_void(subject=risk, reason="The risk was deleted.")
    for mitigation in risk.mitigations.all():
        record_deletion(mitigation, actor=actor)
    for assessment in risk.assessments.all():
        record_deletion(assessment, actor=actor)
    record_deletion(risk, actor=actor)


# ------------------------------------------------------------ assessments ----


def _rating(assessment: Assessment | None, residual: bool = False) -> scoring.Rating | None:
    if assessment is None:
        return None
    if residual:
        return scoring.Rating(assessment.residual_likelihood, assessment.residual_impact)
    return scoring.Rating(assessment.inherent_likelihood, assessment.inherent_impact)


def refresh_scores(risk: Risk) -> None:
    """Recompute the register's numbers on ``risk`` from its assessments (no save)."""
    lenses = {a.lens: a for a in Assessment.objects.filter(risk=risk)}
    cio, ciso = lenses.get(Lens.CIO), lenses.get(Lens.CISO)
    agreed = lenses.get(Lens.AGREED)
    agreed = agreed if agreed is not None and agreed.confirmed_at is not None else None
    risk.cio_score = cio.inherent_score if cio else None
    risk.ciso_score = ciso.inherent_score if ciso else None
    risk.is_agreed = agreed is not None
    inherent = scoring.current(_rating(cio), _rating(ciso), _rating(agreed))
    residual = scoring.current(_rating(cio, True), _rating(ciso, True), _rating(agreed, True))
    risk.inherent_likelihood, risk.inherent_impact = (
        (inherent.likelihood, inherent.impact) if inherent else (None, None)
    )
    risk.inherent_score = inherent.score if inherent else None
    risk.residual_likelihood, risk.residual_impact = (
        (residual.likelihood, residual.impact) if residual else (None, None)
    )
    risk.residual_score = residual.score if residual else None
    if risk.status == RiskStatus.IDENTIFIED and cio is not None and ciso is not None:
        risk.status = RiskStatus.ASSESSED


def _check_ratings(ratings: dict) -> dict:
    names = ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact")
    clean = {}
    for name in names:
        value = ratings.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise DomainError("Choose a value from 1 to 5.", field=name)
        clean[name] = value
    if (
        clean["residual_likelihood"] * clean["residual_impact"]
        > clean["inherent_likelihood"] * clean["inherent_impact"]
    ):
        raise DomainError(
            "The target residual score cannot be higher than the inherent score.", field="residual_impact"
        )
    return clean


def _lens_of(actor: User, organization: Organization) -> str:
    role = signing_role(actor, organization)
    if role is None or not has_perm(actor, organization, Perm.RISK_EDIT):
        raise NotAllowed("Only the CIO and the CISO assess risks, each in their own lens.")
    return Lens.CIO if role == Role.CIO else Lens.CISO


@transaction.atomic
def assessment_record(
    *,
    actor: User,
    risk: Risk,
    expected_version: int | None = None,
    lens: str | None = None,
    rationale: str,
    **ratings,
) -> Assessment:
    """Record or update the actor's own lens. A CIO cannot write the CISO lens
    (``lens`` may name it only to be refused clearly). Re-assessing after an
    agreement reopens it, because the agreement was made on the old views."""
    own = _lens_of(actor, risk.organization)
    if lens not in (None, "", own):
        raise NotAllowed(
            f"You assess as {Lens(own).label}; only the {Lens(lens).label} writes the "
            f"{Lens(lens).label} assessment.",
            field="lens",
        )
    clean = _check_ratings(ratings)
    if not (rationale or "").strip():
        raise DomainError(
            "Explain your rating in a sentence or two, so the other lens can follow it.", field="rationale"
        )
    risk = lock_for_update(Risk, pk=risk.pk, expected_version=expected_version)
    if risk.is_closed:
        raise DomainError("This risk is closed. Reopen it before assessing it again.")
    assessment = Assessment.objects.filter(risk=risk, lens=own).first()
    is_new = assessment is None
    if is_new:
        assessment = Assessment(
            organization=risk.organization, risk=risk, lens=own, assessed_by=actor, **clean
        )
    elif (
        all(getattr(assessment, k) == v for k, v in clean.items())
        and assessment.rationale == rationale.strip()
    ):
        return assessment
    for name, value in clean.items():
        setattr(assessment, name, value)
    assessment.rationale, assessment.assessed_by, assessment.assessed_at = (
        rationale.strip(),
        actor,
        timezone.now(),
    )
    if is_new:
        record_creation(assessment, actor=actor)
    else:
        record_change(assessment, actor=actor, reason=f"{Lens(own).label} re-assessed the risk.")
    reason = (
        f"{Lens(own).label} assessment recorded: inherent {clean['inherent_likelihood']} × "
        f"{clean['inherent_impact']} = {assessment.inherent_score}, target residual "
        f"{assessment.residual_score}."
    )
    agreed = Assessment.objects.filter(risk=risk, lens=Lens.AGREED).first()
    if agreed is not None:
        agreed._change_reason = (
            f"The {Lens(own).label} changed their assessment, which reopens the agreement."
        )
        record_deletion(agreed, actor=actor)
        reason += " The agreed assessment was reopened."
    refresh_scores(risk)
    _save_change(risk, actor=actor, reason=reason)
    return assessment


def _lens_now(actor: User, risk: Risk) -> str:
    """The actor's lens read from their membership under a row lock (after the
    risk's lock): a role changed a moment ago counts, never a cached one."""
    role = signing_role_locked(actor=actor, organization=risk.organization)
    if role is None:
        raise NotAllowed("Only the CIO and the CISO assess risks, each in their own lens.")
    return Lens.CIO if role == Role.CIO else Lens.CISO


@transaction.atomic
def agreement_propose(*, actor: User, risk: Risk, rationale: str, **ratings) -> Assessment:
    """Propose the agreed assessment; it counts once the other lens confirms."""
    _lens_of(actor, risk.organization)
    clean = _check_ratings(ratings)
    if not (rationale or "").strip():
        raise DomainError("Say what you both agree on and why.", field="rationale")
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    own = _lens_now(actor, risk)
    if risk.cio_score is None or risk.ciso_score is None:
        raise DomainError("Both the CIO and the CISO assess the risk before an agreement can be proposed.")
    existing = Assessment.objects.filter(risk=risk, lens=Lens.AGREED).first()
    was_agreed = existing is not None and existing.confirmed_at is not None
    if existing is not None:
        existing._change_reason = f"Replaced by a new proposal from the {Lens(own).label}."
        replaced = (existing.pk, existing.assessed_by, existing.confirmed_at is None)
        record_deletion(existing, actor=actor)
        if replaced[2] and replaced[1] is not None and replaced[1].pk != actor.pk:
            core_events.part_voided(
                subject=risk,
                purpose=AGREED_ASSESSMENT,
                user=replaced[1],
                reason=f"The {Lens(own).label} proposed a different agreed assessment instead of confirming yours.",
                key=f"agreement:{replaced[0]}",
            )
    proposal = Assessment(
        organization=risk.organization,
        risk=risk,
        lens=Lens.AGREED,
        assessed_by=actor,
        rationale=rationale.strip(),
        proposed_role=own,
        **clean,
    )
    record_creation(proposal, actor=actor)
    if was_agreed:
        refresh_scores(risk)
        _save_change(risk, actor=actor, reason=f"The {Lens(own).label} proposed a new agreed assessment.")
    core_events.part_given(
        subject=risk,
        purpose=AGREED_ASSESSMENT,
        signer=actor,
        role=own,
        approved=True,
        approvals={own},
        comment=proposal.rationale,
        key=f"agreement:{proposal.pk}",
    )
    return proposal


@transaction.atomic
def agreement_confirm(*, actor: User, risk: Risk) -> Assessment:
    """The other lens confirms the proposal; the register then uses it. The
    agreed assessment is a joint decision: the confirmer is another person than
    the proposer, holding the other role now."""
    _lens_of(actor, risk.organization)
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    own = _lens_now(actor, risk)
    proposal = (
        Assessment.objects.select_for_update(of=("self",))
        .filter(risk=risk, lens=Lens.AGREED, confirmed_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if proposal is None:
        raise DomainError("There is no proposed agreement waiting to be confirmed.")
    if proposal.assessed_by_id == actor.pk:
        raise NotAllowed(
            "You proposed this agreement; another person, in the other role, confirms it.", code="same_signer"
        )
    if proposal.proposed_role == own:
        raise NotAllowed("You proposed this agreement; the other lens confirms it.")
    proposal.confirmed_by, proposal.confirmed_at = actor, timezone.now()
    record_change(proposal, actor=actor, reason=f"Confirmed by the {Lens(own).label}.")
    refresh_scores(risk)
    _save_change(risk, actor=actor, reason="The CIO and the CISO agreed an assessment.")
    core_events.part_given(
        subject=risk,
        purpose=AGREED_ASSESSMENT,
        signer=actor,
        role=own,
        approved=True,
        approvals={Role.CIO, Role.CISO},
        comment="",
        key=f"agreement:{proposal.pk}",
    )
    return proposal


@transaction.atomic
def agreement_decline(*, actor: User, risk: Risk, reason: str = "") -> None:
    """Decline (the other lens) or withdraw (the proposer) a pending proposal."""
    own = _lens_of(actor, risk.organization)
    proposal = Assessment.objects.filter(risk=risk, lens=Lens.AGREED, confirmed_at__isnull=True).first()
    if proposal is None:
        raise DomainError("There is no proposed agreement waiting.")
    if proposal.proposed_role != own and not (reason or "").strip():
        raise DomainError("Say why you decline, so the proposer knows what to change.", field="reason")
    verb = "withdrew" if proposal.proposed_role == own else "declined"
    proposal._change_reason = f"The {Lens(own).label} {verb} the proposal. {reason}".strip()
    proposal_pk = proposal.pk
    record_deletion(proposal, actor=actor)
    if proposal.proposed_role != own:
        core_events.part_given(
            subject=risk,
            purpose=AGREED_ASSESSMENT,
            signer=actor,
            role=own,
            approved=False,
            approvals=set(),
            comment=reason.strip(),
            key=f"agreement:{proposal_pk}",
        )


def agreements_withdraw_for(*, organization: Organization, user: User, role: str, reason: str) -> int:
    """Withdraw the proposed (unconfirmed) agreements ``user`` made as ``role``:
    their role changed, so the proposal no longer speaks for that lens. Called
    by core when a role changes (see risks/joint_decisions.py)."""
    proposals = Assessment.objects.filter(
        organization=organization,
        lens=Lens.AGREED,
        confirmed_at__isnull=True,
        assessed_by=user,
        proposed_role=role,
    )
    count = 0
    for proposal in proposals.select_related("risk__organization"):
        proposal._change_reason = reason[:100]
        proposal_pk = proposal.pk
        record_deletion(proposal, actor=None)
        core_events.part_voided(
            subject=proposal.risk,
            purpose=AGREED_ASSESSMENT,
            user=user,
            reason=reason,
            key=f"agreement:{proposal_pk}",
        )
        count += 1
    return count


# ------------------------------------------------------------- acceptance ----


def _current_appetite_check(risk: Risk) -> None:
    if not scoring.above_appetite(risk.inherent_score, risk.organization.risk_appetite):
        raise DomainError(
            f"Only risks above the appetite (score over {risk.organization.risk_appetite}) need a joint "
            "acceptance; this one is within it."
        )


@transaction.atomic
def acceptance_request(
    *,
    actor: User,
    risk: Risk,
    justification: str,
    expires_on: date | None,
    expected_version: int | None = None,
) -> Risk:
    """Ask for a joint acceptance: both the CIO and the CISO then sign it."""
    _lens_of(actor, risk.organization)
    risk = lock_for_update(Risk, pk=risk.pk, expected_version=expected_version)
    if risk.status in (RiskStatus.ACCEPTED, RiskStatus.CLOSED):
        raise DomainError(f"This risk is {risk.get_status_display().lower()}; it cannot be accepted now.")
    _current_appetite_check(risk)
    if not (justification or "").strip():
        raise DomainError("Explain why accepting this risk is the right call.", field="justification")
    today = timezone.localdate()
    if expires_on is None:
        raise DomainError("Choose when the acceptance expires.", field="expires_on")
    if expires_on <= today:
        raise DomainError("The expiry date must be in the future.", field="expires_on")
    if expires_on > today + timedelta(days=MAX_ACCEPTANCE_DAYS):
        raise DomainError(
            "An acceptance lasts at most three years. Choose an earlier date.", field="expires_on"
        )
    risk.acceptance_justification = justification.strip()
    risk.acceptance_expires_on = expires_on
    risk.acceptance_requested_by, risk.acceptance_requested_at = actor, timezone.now()
    risk.treatment = Treatment.ACCEPT
    record_change(risk, actor=actor, reason="Joint acceptance requested.")
    core_events.decision_opened(subject=risk, purpose=ACCEPTANCE, actor=actor)
    return risk


@transaction.atomic
def acceptance_sign(*, actor: User, risk: Risk, decision: str = SignOffDecision.APPROVE, comment: str = ""):
    """Sign the pending acceptance in the actor's own capacity. When both have
    approved, the risk becomes accepted until the expiry date."""
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if not risk.acceptance_pending:
        raise DomainError("There is no joint acceptance waiting for signatures on this risk.")
    if risk.acceptance_expires_on <= timezone.localdate():
        raise DomainError(
            "The requested expiry date has passed. Request the acceptance again with a new date.",
            field="expires_on",
        )
    signoff = signoff_sign(actor=actor, subject=risk, purpose=ACCEPTANCE, decision=decision, comment=comment)
    if signoff_status(risk, ACCEPTANCE).approved:
        risk.status, risk.accepted_at = RiskStatus.ACCEPTED, timezone.now()
        risk._history_user = actor
        risk._change_reason = (
            f"Jointly accepted by the CIO and the CISO until {risk.acceptance_expires_on:%d %b %Y}."
        )
        # No new version: the two sign-offs were given for this one and stay valid.
        risk.save(update_fields=["status", "accepted_at", "updated_at"])
    return signoff


@transaction.atomic
def acceptance_withdraw_signoff(*, actor: User, risk: Risk) -> None:
    if risk.status == RiskStatus.ACCEPTED:
        raise DomainError("The acceptance is in force. End it instead of withdrawing a signature.")
    signoff_withdraw(actor=actor, subject=risk, purpose=ACCEPTANCE)


@transaction.atomic
def acceptance_cancel(*, actor: User, risk: Risk, expected_version: int | None = None) -> Risk:
    """Drop a pending request or end an acceptance in force early."""
    _lens_of(actor, risk.organization)
    risk = lock_for_update(Risk, pk=risk.pk, expected_version=expected_version)
    if not risk.acceptance_expires_on:
        raise DomainError("This risk has no acceptance to end.")
    was_accepted = risk.status == RiskStatus.ACCEPTED
    _end_acceptance(risk, status=RiskStatus.ASSESSED if was_accepted else risk.status)
    record_change(
        risk,
        actor=actor,
        reason="Joint acceptance ended early." if was_accepted else "Joint acceptance request withdrawn.",
    )
    return risk


@transaction.atomic
def acceptances_expire(*, today: date | None = None) -> int:
    """Return every acceptance past its expiry date to "assessed". Daily task."""
    today = today or timezone.localdate()
    expired = 0
    for risk in Risk.objects.select_for_update().filter(
        status=RiskStatus.ACCEPTED, acceptance_expires_on__lt=today
    ):
        until = risk.acceptance_expires_on
        _end_acceptance(risk)
        record_change(
            risk,
            actor=None,
            reason=f"The joint acceptance expired on {until:%d %b %Y}; the risk needs a decision again.",
        )
        expired += 1
    return expired


# ------------------------------------------------------------ mitigations ----


def _check_mitigation(mitigation: Mitigation) -> None:
    if not (mitigation.title or "").strip():
        raise DomainError("Give the mitigation a title.", field="title")
    _check_member(mitigation.owner, mitigation.organization)
    if mitigation.cost is not None and mitigation.cost < 0:
        raise DomainError("The cost cannot be negative.", field="cost")
    if mitigation.status not in MitigationStatus.values:
        raise DomainError("Choose a status.", field="status")


def _apply_mitigation(mitigation: Mitigation, values: dict) -> None:
    for name, value in values.items():
        if name in MITIGATION_FIELDS:
            setattr(mitigation, name, value.strip() if isinstance(value, str) else value)
    if mitigation.status == MitigationStatus.DONE and mitigation.completed_on is None:
        mitigation.completed_on = timezone.localdate()
    elif mitigation.status != MitigationStatus.DONE:
        mitigation.completed_on = None


@transaction.atomic
def mitigation_create(*, actor: User, risk: Risk, **values) -> Mitigation:
    _require_editor(actor, risk.organization)
    mitigation = Mitigation(organization=risk.organization, risk=risk)
    _apply_mitigation(mitigation, values)
    _check_mitigation(mitigation)
    record_creation(mitigation, actor=actor)
    return mitigation


@transaction.atomic
def mitigation_update(
    *, actor: User, mitigation: Mitigation, expected_version: int | None, **values
) -> Mitigation:
    _require_editor(actor, mitigation.organization)
    mitigation = lock_for_update(Mitigation, pk=mitigation.pk, expected_version=expected_version)
    _apply_mitigation(mitigation, values)
    _check_mitigation(mitigation)
    if is_unchanged(mitigation):
        return mitigation
    record_change(mitigation, actor=actor, reason="Mitigation edited.")
    return mitigation


@transaction.atomic
def mitigation_delete(*, actor: User, mitigation: Mitigation, expected_version: int | None = None) -> None:
    _require_editor(actor, mitigation.organization)
    mitigation = lock_for_update(Mitigation, pk=mitigation.pk, expected_version=expected_version)
    record_deletion(mitigation, actor=actor)


# ----------------------------------------------------------------- import ----


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def risks_import(
    *, actor: User, organization: Organization, rows: list[dict], versions: dict[str, int] | None = None
) -> ImportResult:
    """Import every row or none. ``versions`` (reference → version seen at the
    preview) makes a row fail if someone changed that risk since."""
    from .importing import parse_rows

    _require_editor(actor, organization)
    parsed, errors = parse_rows(rows, organization)
    if errors:
        raise ImportFailed(errors)
    result = ImportResult(0, 0, 0)
    try:
        for item in parsed:
            if item.action == "create":
                risk_create(actor=actor, organization=organization, **item.values)
                result.created += 1
            elif item.action == "update":
                expected = (versions or {}).get(item.risk.reference)
                risk_update(
                    actor=actor,
                    risk=item.risk,
                    expected_version=expected,
                    reason="Updated by import.",
                    **item.values,
                )
                result.updated += 1
            else:
                result.unchanged += 1
    except DomainError as exc:
        # Roll back the rows already written: all or nothing.
        line = item.line
        column = {"impact_statement": "business_impact", "owner": "owner_email"}.get(
            exc.field, exc.field or "row"
        )
        message = (
            "someone changed this risk since the preview; check it and import again."
            if isinstance(exc, ConflictError)
            else exc.message
        )
        raise ImportFailed([f"Row {line}, {column}: {message}"]) from exc
    return result
