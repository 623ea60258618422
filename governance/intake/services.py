"""Every write in project intake: filing, triage, the review flow, options and
conditions, the comment thread, the joint decision and SLA breach alerts.

The requester hears of every change of state by e-mail (sent after commit).
The decision is joint: reviewers propose one (approve / approve with
conditions / reject) with a rationale; the proposal and the conditions are part
of the request's version, so the CIO's and CISO's sign-offs name exactly what
they agreed to. Changing either voids the sign-offs.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast, Substr
from django.urls import reverse
from django.utils import timezone

from core.cache import bump_org_version
from core.concurrency import lock_for_update
from core.errors import DomainError, NotAllowed
from core.models import Membership, Organization, User
from core.notifications import core_events
from core.permissions import has_perm
from core.roles import Perm, Role
from core.selectors import signoff_status
from core.services import (
    is_unchanged,
    record_change,
    record_creation,
    record_deletion,
    signoff_sign,
    signoff_withdraw,
)

from .. import notification_events
from . import rules as intake_rules
from .models import (
    OPEN_STATUSES,
    BusinessCriticality,
    CommentKind,
    DataClassification,
    IntakeComment,
    IntakeCondition,
    IntakeDecision,
    IntakeOption,
    IntakePause,
    IntakeRequest,
    IntakeSettings,
    IntakeStatus,
    PersonalData,
)

DECISION_PURPOSE = "intake_decision"
REQUEST_FIELDS = (
    "title",
    "description",
    "business_value",
    "sponsor",
    "target_date",
    "estimated_cost",
    "data_classification",
    "personal_data",
    "internet_facing",
    "third_party",
    "changes_authentication",
    "business_criticality",
)
SETTINGS_FIELDS = ("sla_low_days", "sla_medium_days", "sla_high_days", "at_risk_percent")


# ---------------------------------------------------------------- helpers ---


def _require_reviewer(actor: User, organization: Organization) -> None:
    if not has_perm(actor, organization, Perm.INTAKE_REVIEW):
        raise NotAllowed("Only reviewers (the CIO and the CISO) can do this.")


def _require_open(request: IntakeRequest) -> None:
    if not request.is_open:
        raise DomainError(
            f"This request is already decided ({request.get_status_display().lower()}).", field="status"
        )


def _request_url(request: IntakeRequest) -> str:
    return settings.SITE_URL + reverse(
        "governance:intake_detail", args=[request.organization.slug, request.pk]
    )


def _notify(recipients: list[str], subject: str, template: str, context: dict) -> None:
    # Through the notification catalogue (governance/notification_events.py): inbox, and e-mail
    # at once or in a digest as each person chose, sent by the worker after commit.
    notification_events.intake_notify(recipients, subject, template, context)


def _notify_requester(request: IntakeRequest, *, actor: User, note: str = "") -> None:
    _notify(
        [request.requester.email],
        f"[{request.reference}] {request.title}: {request.get_status_display()}",
        "governance/intake/email/status_changed.txt",
        {"request": request, "actor": actor, "note": note, "url": _request_url(request)},
    )


def reviewer_emails(organization: Organization) -> list[str]:
    return list(
        Membership.objects.filter(organization=organization, role__in=(Role.CIO, Role.CISO)).values_list(
            "user__email", flat=True
        )
    )


def _set_status(
    request: IntakeRequest,
    status: str,
    *,
    actor: User,
    reason: str,
    note: str = "",
    clock_changed: bool = False,
) -> None:
    """Change the status and save. ``clock_changed``: the SLA clock stopped or
    started again (pause, answer), so its stored moments are recomputed."""
    previous = request.status
    request.status = status
    now = timezone.now()
    if clock_changed:
        _store_sla(request, now=now)
    if request.first_response_at is None and status != IntakeStatus.SUBMITTED and actor != request.requester:
        request.first_response_at = now
    record_change(request, actor=actor, reason=reason)
    if previous != status:
        IntakeComment.objects.create(
            organization=request.organization,
            request=request,
            author=actor,
            kind=CommentKind.STATUS,
            body=f"{IntakeStatus(previous).label} → {IntakeStatus(status).label}"
            + (f": {note}" if note else ""),
        )
        _notify_requester(request, actor=actor, note=note)


def _close_pauses(request: IntakeRequest, when: datetime) -> None:
    IntakePause.objects.filter(request=request, ended_at__isnull=True).update(ended_at=when)


# -------------------------------------------------------------- SLA clock ---


def _local_pauses(pauses) -> list[tuple[datetime, datetime | None]]:
    return [(timezone.localtime(start), timezone.localtime(end) if end else None) for start, end in pauses]


def request_sla_moments(
    request: IntakeRequest, *, at_risk_percent: int, pauses, now: datetime
) -> intake_rules.SlaMoments:
    """The SLA moments ``request`` should store, given its ``pauses`` as
    (started_at, ended_at or None) pairs. Pure: no query (seeders use it too)."""
    return intake_rules.sla_moments(
        submitted_at=timezone.localtime(request.submitted_at),
        sla_days=request.sla_days,
        at_risk_percent=at_risk_percent,
        now=timezone.localtime(now),
        pauses=_local_pauses(pauses),
        decided_at=timezone.localtime(request.decided_at) if request.decided_at else None,
        paused=request.status == IntakeStatus.NEEDS_INFO,
    )


def apply_sla_moments(request: IntakeRequest, moments: intake_rules.SlaMoments) -> None:
    """Copy ``moments`` onto the request's stored SLA fields (not saved)."""
    request.sla_due_at, request.sla_at_risk_at = moments.due_at, moments.at_risk_at
    request.sla_elapsed_days = moments.elapsed_days


def _store_sla(
    request: IntakeRequest,
    *,
    now: datetime | None = None,
    settings_row: IntakeSettings | None = None,
    pauses=None,
) -> None:
    """Set the request's stored SLA moments from its current state (the caller
    saves it). Reads the pauses and the settings unless given."""
    if pauses is None:
        pauses = IntakePause.objects.filter(request_id=request.pk).values_list("started_at", "ended_at")
    settings_row = settings_row or intake_settings_get(organization=request.organization)
    moments = request_sla_moments(
        request, at_risk_percent=settings_row.at_risk_percent, pauses=pauses, now=now or timezone.now()
    )
    apply_sla_moments(request, moments)


def intake_sla_refresh(*, organization: Organization, requests=None, now: datetime | None = None) -> int:
    """Recompute and save the stored SLA moments of ``requests`` (default: the
    organization's open requests). Four queries whatever their number: the
    settings, the requests, their pauses, one bulk update. For data written
    outside the services (imports, fixtures) and after the at-risk threshold
    changes."""
    settings_row = intake_settings_get(organization=organization)
    rows = list(
        IntakeRequest.objects.filter(organization=organization, status__in=OPEN_STATUSES)
        if requests is None
        else requests
    )
    if not rows:
        return 0
    pauses: dict[int, list] = {row.pk: [] for row in rows}
    for request_id, start, end in IntakePause.objects.filter(request_id__in=list(pauses)).values_list(
        "request_id", "started_at", "ended_at"
    ):
        pauses[request_id].append((start, end))
    now = now or timezone.now()
    for row in rows:
        apply_sla_moments(
            row,
            request_sla_moments(
                row, at_risk_percent=settings_row.at_risk_percent, pauses=pauses[row.pk], now=now
            ),
        )
    rows.sort(key=lambda row: row.pk)  # rows are written (and locked) in one fixed order: no deadlock
    IntakeRequest.objects.bulk_update(rows, ["sla_due_at", "sla_at_risk_at", "sla_elapsed_days"])
    bump_org_version(organization.pk)  # bulk writes send no signal: dashboards must re-read
    return len(rows)


# --------------------------------------------------------------- settings ---


def intake_settings_get(*, organization: Organization) -> IntakeSettings:
    found = IntakeSettings.objects.filter(organization=organization).first()
    if found is None:
        found, _ = IntakeSettings.objects.get_or_create(organization=organization)
    return found


@transaction.atomic
def intake_settings_update(
    *, actor: User, organization: Organization, expected_version: int | None, **changes
) -> IntakeSettings:
    _require_reviewer(actor, organization)
    current = intake_settings_get(organization=organization)
    obj = lock_for_update(IntakeSettings, pk=current.pk, expected_version=expected_version)
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise DomainError(f"Unknown setting: {', '.join(sorted(unknown))}.")
    for name, value in changes.items():
        setattr(obj, name, value)
    if not (obj.sla_low_days <= obj.sla_medium_days <= obj.sla_high_days):
        raise DomainError(
            "Higher tiers get a deeper review: the SLAs must not shrink from low to medium to high.",
            field="sla_medium_days",
        )
    obj.full_clean(exclude=["organization"])
    if is_unchanged(obj):
        return obj
    threshold_changed = obj.at_risk_percent != current.at_risk_percent
    record_change(obj, actor=actor, reason="Intake SLAs changed")
    if threshold_changed:
        # Open requests keep the SLA days they were triaged with; only the
        # moment they turn at risk moves with the threshold.
        intake_sla_refresh(organization=organization)
    return obj


# ----------------------------------------------------------------- filing ---


def _clean_request_fields(values: dict) -> dict:
    unknown = set(values) - set(REQUEST_FIELDS)
    if unknown:
        raise DomainError(f"Unknown field: {', '.join(sorted(unknown))}.")
    cleaned = dict(values)
    for name, label, limit in (
        ("title", "title", 160),
        ("description", "description", 10000),
        ("business_value", "business value", 10000),
        ("sponsor", "sponsor", 120),
    ):
        text = (cleaned.get(name) or "").strip()
        if not text:
            raise DomainError(f"Enter the {label}.", field=name)
        if len(text) > limit:
            raise DomainError(f"The {label} is too long (at most {limit} characters).", field=name)
        cleaned[name] = text
    for name, choices in (
        ("data_classification", DataClassification),
        ("personal_data", PersonalData),
        ("business_criticality", BusinessCriticality),
    ):
        if cleaned.get(name) not in choices.values:
            raise DomainError("Choose one of the answers.", field=name)
    cost = cleaned.get("estimated_cost")
    if cost is not None and Decimal(cost) < 0:
        raise DomainError("The estimated cost cannot be negative.", field="estimated_cost")
    target = cleaned.get("target_date")
    if target is not None and not isinstance(target, date):
        raise DomainError("Enter a valid date.", field="target_date")
    for name in ("internet_facing", "third_party", "changes_authentication"):
        cleaned[name] = bool(cleaned.get(name))
    return cleaned


def _apply_triage(request: IntakeRequest) -> IntakeSettings:
    """Tier and SLA from the answers; returns the organization's settings."""
    result = intake_rules.tier_for(
        data_classification=request.data_classification,
        personal_data=request.personal_data,
        internet_facing=request.internet_facing,
        third_party=request.third_party,
        changes_authentication=request.changes_authentication,
        business_criticality=request.business_criticality,
    )
    settings_row = intake_settings_get(organization=request.organization)
    request.tier = result.tier
    request.sla_days = settings_row.sla_for(result.tier)
    return settings_row


def _next_reference(organization: Organization) -> str:
    """IR-001, IR-002, …: one past the highest number, found by the database in
    one query. The caller holds the organization's row lock."""
    top = IntakeRequest.objects.filter(organization=organization, reference__regex=r"^IR-[0-9]+$").aggregate(
        top=Max(Cast(Substr("reference", 4), output_field=IntegerField()))
    )["top"]
    return f"IR-{(top or 0) + 1:03d}"


@transaction.atomic
def intake_request_create(
    *, actor: User, organization: Organization, submitted_at: datetime | None = None, **values
) -> IntakeRequest:
    """File a request. Its tier and SLA follow from the triage answers."""
    if not has_perm(actor, organization, Perm.INTAKE_FILE):
        raise NotAllowed("Your role cannot file intake requests here.")
    cleaned = _clean_request_fields(values)
    # Lock the organization row so two requests filed at once get distinct references.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    request = IntakeRequest(
        organization=organization,
        requester=actor,
        reference=_next_reference(organization),
        submitted_at=submitted_at or timezone.now(),
        status=IntakeStatus.SUBMITTED,
        **cleaned,
    )
    _store_sla(request, settings_row=_apply_triage(request), pauses=())
    record_creation(request, actor=actor)
    _notify_requester(request, actor=actor, note="We have received your request.")
    _notify(
        reviewer_emails(organization),
        f"New intake request {request.reference}: {request.title}",
        "governance/intake/email/new_request.txt",
        {"request": request, "url": _request_url(request)},
    )
    return request


@transaction.atomic
def intake_request_update(
    *, actor: User, request: IntakeRequest, expected_version: int | None, **values
) -> IntakeRequest:
    """Change the request's description or triage answers while it is open.
    The tier (and SLA) is recomputed; sign-offs on the old version are void."""
    request = lock_for_update(IntakeRequest, pk=request.pk, expected_version=expected_version)
    organization = request.organization
    is_requester = actor == request.requester and has_perm(actor, organization, Perm.INTAKE_FILE)
    if not is_requester and not has_perm(actor, organization, Perm.INTAKE_REVIEW):
        raise NotAllowed("Only the requester or a reviewer can change this request.")
    _require_open(request)
    changes = {
        name: value
        for name, value in _clean_request_fields(values).items()
        if getattr(request, name) != value
    }
    if not changes:
        return request  # nothing the person can see changed: same version, sign-offs stay
    for name, value in changes.items():
        setattr(request, name, value)
    _store_sla(request, settings_row=_apply_triage(request))
    record_change(request, actor=actor, reason="Request details changed")
    return request


# ------------------------------------------------------------ review flow ---


@transaction.atomic
def intake_start_review(*, actor: User, request: IntakeRequest) -> IntakeRequest:
    _require_reviewer(actor, request.organization)
    request = lock_for_update(IntakeRequest, pk=request.pk, expected_version=None)
    if request.status != IntakeStatus.SUBMITTED:
        raise DomainError("Only a newly submitted request can be taken into review.", field="status")
    _set_status(request, IntakeStatus.IN_REVIEW, actor=actor, reason="Review started")
    return request


@transaction.atomic
def intake_request_information(*, actor: User, request: IntakeRequest, question: str) -> IntakeRequest:
    """Ask the requester for information; the SLA clock pauses until they answer."""
    _require_reviewer(actor, request.organization)
    request = lock_for_update(IntakeRequest, pk=request.pk, expected_version=None)
    _require_open(request)
    question = (question or "").strip()
    if not question:
        raise DomainError("Write the question for the requester.", field="question")
    if request.status == IntakeStatus.NEEDS_INFO:
        raise DomainError("The requester has not answered the last question yet.", field="question")
    now = timezone.now()
    IntakeComment.objects.create(
        organization=request.organization,
        request=request,
        author=actor,
        kind=CommentKind.INFO_REQUEST,
        body=question,
    )
    IntakePause.objects.create(organization=request.organization, request=request, started_at=now)
    _set_status(
        request,
        IntakeStatus.NEEDS_INFO,
        actor=actor,
        reason="Information requested",
        note=question,
        clock_changed=True,
    )
    return request


@transaction.atomic
def intake_comment_add(*, actor: User, request: IntakeRequest, body: str) -> IntakeComment:
    """Add to the thread. The requester's reply to an information request is an
    answer: the clock restarts and the request goes back into review."""
    body = (body or "").strip()
    if not body:
        raise DomainError("Write a comment.", field="body")
    if len(body) > 10000:
        raise DomainError("The comment is too long (at most 10,000 characters).", field="body")
    is_reviewer = has_perm(actor, request.organization, Perm.INTAKE_REVIEW)
    if actor != request.requester and not is_reviewer:
        raise NotAllowed("Only the requester and the reviewers can comment here.")
    request = lock_for_update(IntakeRequest, pk=request.pk, expected_version=None)
    answering = request.status == IntakeStatus.NEEDS_INFO and actor == request.requester
    comment = IntakeComment.objects.create(
        organization=request.organization,
        request=request,
        author=actor,
        kind=CommentKind.ANSWER if answering else CommentKind.COMMENT,
        body=body,
    )
    if answering:
        _close_pauses(request, timezone.now())
        _set_status(
            request, IntakeStatus.IN_REVIEW, actor=actor, reason="Requester answered", clock_changed=True
        )
        _notify(
            reviewer_emails(request.organization),
            f"[{request.reference}] The requester answered",
            "governance/intake/email/answered.txt",
            {"request": request, "comment": comment, "url": _request_url(request)},
        )
    elif is_reviewer and request.first_response_at is None and actor != request.requester:
        request.first_response_at = timezone.now()
        request.save(update_fields=["first_response_at"])
    return comment


# ------------------------------------------------------ options, conditions ---


@transaction.atomic
def intake_option_add(
    *,
    actor: User,
    request: IntakeRequest,
    title: str,
    security_score: int,
    cost: Decimal | None = None,
    timeline: str = "",
    pros: str = "",
    cons: str = "",
    recommended: bool = False,
) -> IntakeOption:
    _require_reviewer(actor, request.organization)
    _require_open(request)
    title = (title or "").strip()
    if not title:
        raise DomainError("Name the option, e.g. “Buy SaaS with SSO”.", field="title")
    if security_score is None or not 1 <= int(security_score) <= 5:
        raise DomainError("Give a security score from 1 (weak) to 5 (strong).", field="security_score")
    if cost is not None and Decimal(cost) < 0:
        raise DomainError("The cost cannot be negative.", field="cost")
    if recommended:
        IntakeOption.objects.filter(request=request, recommended=True).update(recommended=False)
    option = IntakeOption(
        organization=request.organization,
        request=request,
        title=title[:120],
        cost=cost,
        timeline=(timeline or "").strip()[:80],
        security_score=int(security_score),
        pros=(pros or "").strip(),
        cons=(cons or "").strip(),
        recommended=bool(recommended),
        created_by=actor,
    )
    record_creation(option, actor=actor)
    return option


@transaction.atomic
def intake_option_delete(*, actor: User, option: IntakeOption) -> None:
    _require_reviewer(actor, option.organization)
    _require_open(option.request)
    record_deletion(option, actor=actor)


@transaction.atomic
def intake_condition_add(
    *, actor: User, request: IntakeRequest, text: str, due_date: date | None = None
) -> IntakeCondition:
    """Conditions are part of what is signed: adding one voids the sign-offs."""
    _require_reviewer(actor, request.organization)
    request = lock_for_update(IntakeRequest, pk=request.pk, expected_version=None)
    _require_open(request)
    text = (text or "").strip()
    if not text:
        raise DomainError("Write the condition, e.g. “Single sign-on before go-live”.", field="text")
    if len(text) > 300:
        raise DomainError("Keep the condition under 300 characters.", field="text")
    condition = IntakeCondition(
        organization=request.organization, request=request, text=text, due_date=due_date, created_by=actor
    )
    record_creation(condition, actor=actor)
    record_change(request, actor=actor, reason=f"Condition added: {text[:80]}")
    return condition


@transaction.atomic
def intake_condition_delete(*, actor: User, condition: IntakeCondition) -> None:
    _require_reviewer(actor, condition.organization)
    request = lock_for_update(IntakeRequest, pk=condition.request_id, expected_version=None)
    _require_open(request)
    record_deletion(condition, actor=actor)
    record_change(request, actor=actor, reason=f"Condition removed: {condition.text[:80]}")


@transaction.atomic
def intake_condition_set_met(*, actor: User, condition: IntakeCondition, met: bool) -> IntakeCondition:
    """Tick a condition off once it is met (after the decision too)."""
    _require_reviewer(actor, condition.organization)
    condition.met = bool(met)
    record_change(condition, actor=actor, void_signoffs=False)
    return condition


# ---------------------------------------------------------------- decision ---


@transaction.atomic
def intake_propose_decision(
    *, actor: User, request: IntakeRequest, decision: str, rationale: str, expected_version: int | None = None
) -> IntakeRequest:
    """Put a decision up for the joint sign-off. A new proposal voids earlier sign-offs."""
    _require_reviewer(actor, request.organization)
    request = lock_for_update(IntakeRequest, pk=request.pk, expected_version=expected_version)
    _require_open(request)
    if decision not in IntakeDecision.values:
        raise DomainError("Choose approve, approve with conditions, or reject.", field="decision")
    rationale = (rationale or "").strip()
    if not rationale:
        raise DomainError(
            "Explain the decision in a sentence or two; the requester will read it.", field="rationale"
        )
    if decision == IntakeDecision.APPROVED_WITH_CONDITIONS and not request.conditions.exists():
        raise DomainError(
            "Add at least one condition before proposing approval with conditions.", field="decision"
        )
    if request.status == IntakeStatus.NEEDS_INFO:
        raise DomainError(
            "The requester has not answered yet. Wait for the answer before deciding.", field="decision"
        )
    request.proposed_decision, request.decision_rationale = decision, rationale
    if request.status == IntakeStatus.SUBMITTED:
        _set_status(
            request,
            IntakeStatus.IN_REVIEW,
            actor=actor,
            reason=f"Decision proposed: {IntakeDecision(decision).label}",
        )
    else:
        record_change(request, actor=actor, reason=f"Decision proposed: {IntakeDecision(decision).label}")
    core_events.decision_opened(subject=request, purpose=DECISION_PURPOSE, actor=actor)
    return request


@transaction.atomic
def intake_sign(*, actor: User, request: IntakeRequest, decision: str = "approve", comment: str = ""):
    """Sign the proposed decision in one's own capacity. When the CIO and the
    CISO have both approved the same version, the decision takes effect."""
    request = lock_for_update(IntakeRequest, pk=request.pk, expected_version=None)
    _require_open(request)
    if not request.proposed_decision:
        raise DomainError("Propose a decision first; the sign-off approves that proposal.", field="decision")
    signoff = signoff_sign(
        actor=actor, subject=request, purpose=DECISION_PURPOSE, decision=decision, comment=comment
    )
    if signoff_status(request, DECISION_PURPOSE).approved:
        _finalize(request, actor=actor)
    return signoff


def _finalize(request: IntakeRequest, *, actor: User) -> None:
    now = timezone.now()
    _close_pauses(request, now)
    previous = request.status
    request.status = request.proposed_decision
    request.decided_at = now
    request.first_response_at = request.first_response_at or now
    _store_sla(request, now=now)
    # Saved without a new version: the sign-offs stay attached to what was decided.
    record_creation(request, actor=actor)
    IntakeComment.objects.create(
        organization=request.organization,
        request=request,
        author=actor,
        kind=CommentKind.STATUS,
        body=f"{IntakeStatus(previous).label} → {request.get_status_display()} "
        "(joint decision of the CIO and the CISO)",
    )
    _notify_requester(request, actor=actor, note=request.decision_rationale)


@transaction.atomic
def intake_withdraw_signoff(*, actor: User, request: IntakeRequest) -> None:
    _require_open(request)
    signoff_withdraw(actor=actor, subject=request, purpose=DECISION_PURPOSE)


# ------------------------------------------------------------------ breaches ---


@transaction.atomic
def intake_flag_breaches(*, now: datetime | None = None) -> int:
    """Flag open requests whose decision SLA has just been breached and e-mail
    the organization's reviewers (once per request). Returns how many. Reads
    only the newly breached requests, found by their stored SLA moments."""
    from .selectors import breached_q

    now = now or timezone.now()
    newly_breached = (
        IntakeRequest.objects.filter(status__in=OPEN_STATUSES, breach_notified_at__isnull=True)
        .filter(breached_q(now))
        .select_related("organization")
        .order_by("organization_id", "pk")
    )
    flagged: dict[int, list[IntakeRequest]] = {}
    for request in newly_breached:
        request.breach_notified_at = now
        request.save(update_fields=["breach_notified_at"])
        flagged.setdefault(request.organization_id, []).append(request)
    for requests in flagged.values():
        organization = requests[0].organization
        _notify(
            reviewer_emails(organization),
            f"{len(requests)} intake request{'s' if len(requests) != 1 else ''} past the decision SLA",
            "governance/intake/email/breached.txt",
            {
                "organization": organization,
                "requests": requests,
                "queue_url": settings.SITE_URL + reverse("governance:intake_list", args=[organization.slug]),
            },
        )
    return sum(len(v) for v in flagged.values())


# ------------------------------------------------------------- linked risks ---


@transaction.atomic
def intake_create_risk(
    *,
    actor: User,
    request: IntakeRequest,
    title: str,
    impact_statement: str,
    category: str,
    origin: str,
    owner: User,
):
    """Raise a risk in the register from a decided request (for example the
    residual risk of an approval with conditions) and link it to the request."""
    from risks.services import risk_create

    from .models import IntakeRiskLink

    _require_reviewer(actor, request.organization)
    if not request.is_decided:
        raise DomainError("Risks are raised from a request once it is decided.", field="status")
    risk = risk_create(
        actor=actor,
        organization=request.organization,
        title=title,
        impact_statement=impact_statement,
        category=category,
        origin=origin,
        owner=owner,
    )
    link = IntakeRiskLink(
        organization=request.organization,
        request=request,
        risk_id=risk.pk,
        risk_reference=risk.reference,
        risk_title=risk.title[:200],
        created_by=actor,
    )
    record_creation(link, actor=actor)
    return risk
