"""Every write to the ownership matrix. Each edit of a party, activity or cell
also records a change on the organization's RaciMatrix, which voids the joint
approval: the CIO and CISO approved the matrix as it stood."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from core.concurrency import lock_for_update
from core.errors import DomainError
from core.members import require_members
from core.models import Organization, User
from core.services import (
    is_unchanged,
    record_change,
    record_creation,
    record_deletion,
    signoff_sign,
    signoff_withdraw,
)

from . import rules as raci_rules
from .library import DEFAULT_PARTIES, TEMPLATE_ACTIVITIES
from .models import (
    CSF_CATEGORIES,
    PartyKind,
    ProcessArea,
    RaciActivity,
    RaciAssignment,
    RaciMatrix,
    RaciParty,
)

APPROVAL_PURPOSE = "raci_approval"
_CSF_CODES = {code for code, _ in CSF_CATEGORIES}


def raci_matrix_get_or_create(*, organization: Organization) -> RaciMatrix:
    matrix = RaciMatrix.objects.filter(organization=organization).first()
    if matrix is None:
        matrix, _ = RaciMatrix.objects.get_or_create(organization=organization)
    matrix.organization = organization  # the caller's object: reading it back costs no query
    return matrix


def _touch_matrix(organization: Organization, *, actor: User, reason: str) -> RaciMatrix:
    matrix = raci_matrix_get_or_create(organization=organization)
    matrix = RaciMatrix.objects.select_for_update().get(pk=matrix.pk)
    record_change(matrix, actor=actor, reason=reason)
    return matrix


def _clean_text(value: str, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"Enter the {label}.", field=field)
    if len(value) > max_length:
        raise DomainError(f"The {label} is too long (at most {max_length} characters).", field=field)
    return value


def _check_members(organization: Organization, members) -> list[User]:
    return require_members(members, organization, field="members")


# ----------------------------------------------------------------- parties ---


@transaction.atomic
def raci_party_create(
    *,
    actor: User,
    organization: Organization,
    name: str,
    kind: str = PartyKind.OTHER,
    description: str = "",
    members=(),
) -> RaciParty:
    name = _clean_text(name, field="name", label="party name", max_length=80)
    if kind not in PartyKind.values:
        raise DomainError("Choose what kind of party this is.", field="kind")
    if RaciParty.objects.filter(organization=organization, name__iexact=name).exists():
        raise DomainError(f"A party called “{name}” already exists.", field="name")
    position = (
        RaciParty.objects.filter(organization=organization).aggregate(m=Max("position"))["m"] or 0
    ) + 1
    party = RaciParty(
        organization=organization,
        name=name,
        kind=kind,
        position=position,
        description=_clean_text(
            description, field="description", label="description", max_length=200, required=False
        ),
    )
    record_creation(party, actor=actor)
    party.members.set(_check_members(organization, members))
    _touch_matrix(organization, actor=actor, reason=f"Party added: {name}")
    return party


@transaction.atomic
def raci_party_update(
    *,
    actor: User,
    party: RaciParty,
    expected_version: int | None,
    name: str,
    kind: str,
    description: str = "",
    members=(),
) -> RaciParty:
    party = lock_for_update(RaciParty, pk=party.pk, expected_version=expected_version)
    name = _clean_text(name, field="name", label="party name", max_length=80)
    if kind not in PartyKind.values:
        raise DomainError("Choose what kind of party this is.", field="kind")
    if (
        RaciParty.objects.filter(organization=party.organization, name__iexact=name)
        .exclude(pk=party.pk)
        .exists()
    ):
        raise DomainError(f"A party called “{name}” already exists.", field="name")
    party.name, party.kind = name, kind
    party.description = _clean_text(
        description, field="description", label="description", max_length=200, required=False
    )
    members = _check_members(party.organization, members)
    if is_unchanged(party) and {m.pk for m in members} == set(party.members.values_list("pk", flat=True)):
        return party
    record_change(party, actor=actor, void_signoffs=False)
    party.members.set(members)
    _touch_matrix(party.organization, actor=actor, reason=f"Party changed: {name}")
    return party


@transaction.atomic
def raci_party_delete(*, actor: User, party: RaciParty) -> None:
    organization, name = party.organization, party.name
    for assignment in RaciAssignment.objects.filter(party=party):
        record_deletion(assignment, actor=actor)
    record_deletion(party, actor=actor)
    _touch_matrix(organization, actor=actor, reason=f"Party removed: {name}")


# -------------------------------------------------------------- activities ---


def _activity_fields(name, description, process_area, csf_category) -> dict:
    if process_area not in ProcessArea.values:
        raise DomainError("Choose a process area.", field="process_area")
    if csf_category not in _CSF_CODES:
        raise DomainError("Choose a NIST CSF 2.0 category such as GV.RR.", field="csf_category")
    return {
        "name": _clean_text(name, field="name", label="activity name", max_length=120),
        "description": _clean_text(
            description, field="description", label="description", max_length=2000, required=False
        ),
        "process_area": process_area,
        "csf_category": csf_category,
    }


@transaction.atomic
def raci_activity_create(
    *,
    actor: User,
    organization: Organization,
    name: str,
    process_area: str,
    csf_category: str,
    description: str = "",
) -> RaciActivity:
    fields = _activity_fields(name, description, process_area, csf_category)
    if RaciActivity.objects.filter(organization=organization, name__iexact=fields["name"]).exists():
        raise DomainError(f"An activity called “{fields['name']}” already exists.", field="name")
    position = (
        RaciActivity.objects.filter(organization=organization).aggregate(m=Max("position"))["m"] or 0
    ) + 1
    activity = RaciActivity(organization=organization, position=position, **fields)
    record_creation(activity, actor=actor)
    _touch_matrix(organization, actor=actor, reason=f"Activity added: {activity.name}")
    return activity


@transaction.atomic
def raci_activity_update(
    *,
    actor: User,
    activity: RaciActivity,
    expected_version: int | None,
    name: str,
    process_area: str,
    csf_category: str,
    description: str = "",
) -> RaciActivity:
    activity = lock_for_update(RaciActivity, pk=activity.pk, expected_version=expected_version)
    fields = _activity_fields(name, description, process_area, csf_category)
    if (
        RaciActivity.objects.filter(organization=activity.organization, name__iexact=fields["name"])
        .exclude(pk=activity.pk)
        .exists()
    ):
        raise DomainError(f"An activity called “{fields['name']}” already exists.", field="name")
    for key, value in fields.items():
        setattr(activity, key, value)
    if is_unchanged(activity):
        return activity
    record_change(activity, actor=actor, void_signoffs=False)
    _touch_matrix(activity.organization, actor=actor, reason=f"Activity changed: {activity.name}")
    return activity


@transaction.atomic
def raci_activity_delete(*, actor: User, activity: RaciActivity) -> None:
    organization, name = activity.organization, activity.name
    for assignment in RaciAssignment.objects.filter(activity=activity):
        record_deletion(assignment, actor=actor)
    record_deletion(activity, actor=actor)
    _touch_matrix(organization, actor=actor, reason=f"Activity removed: {name}")


# ------------------------------------------------------------------- cells ---


@transaction.atomic
def raci_cell_set(*, actor: User, activity: RaciActivity, party: RaciParty, letter: str) -> str:
    """Set one cell to R, A, C, I or empty ("")."""
    if activity.organization_id != party.organization_id:
        raise DomainError("The party and the activity belong to different organizations.")
    letter = (letter or "").strip().upper()
    if letter not in raci_rules.CYCLE:
        raise DomainError("Use R, A, C, I or leave the cell empty.", field="letter")
    current = RaciAssignment.objects.select_for_update().filter(activity=activity, party=party).first()
    if current is None and letter:
        record_creation(
            RaciAssignment(organization=activity.organization, activity=activity, party=party, letter=letter),
            actor=actor,
        )
    elif current is not None and not letter:
        record_deletion(current, actor=actor)
    elif current is not None and current.letter != letter:
        current.letter = letter
        record_change(current, actor=actor, void_signoffs=False)
    _touch_matrix(
        activity.organization, actor=actor, reason=f"{activity.name} / {party.name}: {letter or 'empty'}"
    )
    return letter


@transaction.atomic
def raci_cell_cycle(*, actor: User, activity: RaciActivity, party: RaciParty) -> str:
    """A click on a cell: empty → R → A → C → I → empty."""
    current = (
        RaciAssignment.objects.filter(activity=activity, party=party).values_list("letter", flat=True).first()
    )
    return raci_cell_set(
        actor=actor, activity=activity, party=party, letter=raci_rules.next_letter(current or "")
    )


# ---------------------------------------------------------------- template ---


@transaction.atomic
def raci_apply_template(*, actor: User, organization: Organization) -> int:
    """Add the library's standard parties and activities with their default
    letters. Existing parties (by kind) and activities (by name) are kept as
    they are, so applying twice adds nothing (and records nothing). Returns the
    activities added. The matrix row is locked first: two people applying the
    template at once take turns, and the second finds everything in place."""
    matrix = RaciMatrix.objects.select_for_update().get(
        pk=raci_matrix_get_or_create(organization=organization).pk
    )
    parties = {
        p.kind: p for p in RaciParty.objects.filter(organization=organization).exclude(kind=PartyKind.OTHER)
    }
    position = RaciParty.objects.filter(organization=organization).aggregate(m=Max("position"))["m"] or 0
    for name, kind, description in DEFAULT_PARTIES:
        if kind not in parties:
            position += 1
            party = RaciParty(
                organization=organization, name=name, kind=kind, description=description, position=position
            )
            try:
                with transaction.atomic():
                    record_creation(party, actor=actor)
            except IntegrityError:
                raise DomainError(
                    f"A party called “{name}” exists with another kind. Rename it first.", field="name"
                ) from None
            parties[kind] = party
    existing = {
        n.lower()
        for n in RaciActivity.objects.filter(organization=organization).values_list("name", flat=True)
    }
    position = RaciActivity.objects.filter(organization=organization).aggregate(m=Max("position"))["m"] or 0
    added = 0
    for template in TEMPLATE_ACTIVITIES:
        if template.name.lower() in existing:
            continue
        position += 1
        activity = RaciActivity(
            organization=organization,
            name=template.name,
            description=template.description,
            process_area=template.process_area,
            csf_category=template.csf_category,
            position=position,
        )
        record_creation(activity, actor=actor)
        for kind, letter in template.assignments().items():
            record_creation(
                RaciAssignment(
                    organization=organization, activity=activity, party=parties[kind], letter=letter
                ),
                actor=actor,
            )
        added += 1
    if not added and matrix.template_applied_at is not None:
        return 0  # nothing new: no history entry for a repeated apply
    matrix.template_applied_at = timezone.now()
    record_change(matrix, actor=actor, reason=f"Started from the template ({added} activities added)")
    return added


# ---------------------------------------------------------------- approval ---


@transaction.atomic
def raci_sign(*, actor: User, organization: Organization, decision: str = "approve", comment: str = ""):
    matrix = raci_matrix_get_or_create(organization=organization)
    if not RaciActivity.objects.filter(organization=organization).exists():
        raise DomainError("Add activities to the matrix before approving it.")
    return signoff_sign(
        actor=actor, subject=matrix, purpose=APPROVAL_PURPOSE, decision=decision, comment=comment
    )


@transaction.atomic
def raci_withdraw(*, actor: User, organization: Organization) -> None:
    signoff_withdraw(
        actor=actor, subject=raci_matrix_get_or_create(organization=organization), purpose=APPROVAL_PURPOSE
    )
