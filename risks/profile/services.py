"""Every write to the CSF profile. Pages, API, import and demo data come through here.

Rules kept here:
- one profile per organization, with one outcome per subcategory of its catalogue;
- the target (scope, reason, owner lens, target level, target tiers) is a joint
  decision: any change bumps the profile's version, which voids its sign-offs;
- the current level is assessed by the outcome's owner lens: the CIO writes the
  CIO's level, the CISO the CISO's; a joint outcome takes both (rules.current_level);
- current tiers and notes are not part of the target: changing them voids nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.concurrency import lock_for_update
from core.errors import DomainError, ImportFailed, NotAllowed
from core.models import Organization, User
from core.permissions import require_perm, signing_role
from core.roles import Perm, Role
from core.services import record_change, signoff_sign, signoff_withdraw

from ..catalogues import load_csf_core
from ..models import CsfCatalogue, CsfCategory, CsfFunction, CsfSubcategory, Risk
from . import rules
from .models import CsfProfile, ImplementationLevel, OwnerLens, ProfileOutcome

TARGET_PURPOSE = "csf_target"
CATALOGUE_VERSION = "2.0"
TARGET_FIELDS = ("in_scope", "scope_reason", "owner_lens", "target_level")
# Who leads each function by default (CSF 2.0: Govern and Detect are led by security,
# Protect and Recover largely run by IT, Identify and Respond shared). Changed per outcome.
DEFAULT_LENS = {
    "GV": OwnerLens.CISO,
    "ID": OwnerLens.JOINT,
    "PR": OwnerLens.CIO,
    "DE": OwnerLens.CISO,
    "RS": OwnerLens.JOINT,
    "RC": OwnerLens.CIO,
}
EDIT_REFUSED = "Your role does not allow changing the CSF profile."
FIELD_WORDS = {
    "in_scope": "scope",
    "scope_reason": "reason for scope",
    "owner_lens": "owner",
    "target_level": "target level",
    "notes": "notes",
}


def _require_editor(actor, organization: Organization) -> None:
    require_perm(actor, organization, Perm.PROFILE_EDIT, EDIT_REFUSED)


# ----------------------------------------------------------------- profile ----


def profile_get_or_create(*, organization: Organization) -> CsfProfile:
    """The organization's profile, created on first use with every outcome of the
    catalogue in scope, at the default lens and a "largely implemented" target."""
    profile = CsfProfile.objects.filter(organization=organization).first()
    if profile is None:
        _catalogue_ensure()
        try:
            with transaction.atomic():
                profile = _profile_create(organization)
        except IntegrityError:  # created at the same moment by another request
            profile = CsfProfile.objects.get(organization=organization)
    profile.organization = organization  # the caller's object: reading it back costs no query
    return profile


def _catalogue_ensure() -> None:
    """The reference catalogue is loaded by a data migration; a database emptied
    since (a flush in tests, a restore of data only) gets it back from the same
    idempotent loader."""
    if CsfSubcategory.objects.filter(catalogue__version=CATALOGUE_VERSION).exists():
        return
    try:
        with transaction.atomic():
            load_csf_core(CsfCatalogue, CsfFunction, CsfCategory, CsfSubcategory, version=CATALOGUE_VERSION)
    except IntegrityError:  # loaded at the same moment by another request
        pass


def _profile_create(organization: Organization) -> CsfProfile:
    catalogue = CsfCatalogue.objects.get(version=CATALOGUE_VERSION)
    profile = CsfProfile.objects.create(organization=organization, catalogue=catalogue)
    subcategories = CsfSubcategory.objects.filter(catalogue=catalogue).select_related("category__function")
    bulk_create_with_history(
        [
            ProfileOutcome(
                organization=organization,
                profile=profile,
                subcategory=sub,
                owner_lens=DEFAULT_LENS.get(sub.category.function.code, OwnerLens.JOINT),
                target_level=ImplementationLevel.LARGELY,
            )
            for sub in subcategories
        ],
        ProfileOutcome,
    )
    return profile


@transaction.atomic
def profile_copy_targets(*, source: Organization, organization: Organization) -> CsfProfile:
    """A new organization's profile laid out like ``source``'s: the same scope
    (and reasons), owners, targets and target tiers; nothing assessed, nothing
    signed. Without a profile at ``source`` it is the starter profile."""
    profile = profile_get_or_create(organization=organization)
    model = CsfProfile.objects.filter(organization=source).first()
    if model is None:
        return profile
    profile.target_tiers = dict(model.target_tiers)
    profile.save(update_fields=["target_tiers"])
    wanted = {
        o.subcategory_id: o
        for o in ProfileOutcome.objects.filter(profile=model).only(
            "subcategory_id", "in_scope", "scope_reason", "owner_lens", "target_level"
        )
    }
    changed = []
    for outcome in ProfileOutcome.objects.filter(profile=profile):
        like = wanted.get(outcome.subcategory_id)
        if like is None:
            continue
        outcome.in_scope, outcome.scope_reason = like.in_scope, like.scope_reason
        outcome.owner_lens, outcome.target_level = like.owner_lens, like.target_level
        changed.append(outcome)
    bulk_update_with_history(
        changed,
        ProfileOutcome,
        ["in_scope", "scope_reason", "owner_lens", "target_level"],
        default_change_reason="Laid out from a template chosen at creation",
    )
    return profile


def _touch_target(profile: CsfProfile, *, actor, reason: str) -> CsfProfile:
    """The target changed: the profile's next version, its sign-offs void."""
    profile = CsfProfile.objects.select_for_update().get(pk=profile.pk)
    record_change(profile, actor=actor, reason=f"Target changed: {reason}"[:100])
    return profile


def _function_codes(profile: CsfProfile) -> list[str]:
    return list(CsfFunction.objects.filter(catalogue_id=profile.catalogue_id).values_list("code", flat=True))


@transaction.atomic
def profile_set_tiers(
    *,
    actor: User,
    profile: CsfProfile,
    expected_version: int | None,
    current_tiers: dict | None = None,
    target_tiers: dict | None = None,
) -> CsfProfile:
    """Set the CSF tier (1–4) per function, current and/or target. Changing a
    target tier voids the target's sign-offs; a current tier voids nothing."""
    _require_editor(actor, profile.organization)
    codes = _function_codes(profile)
    locked = lock_for_update(CsfProfile, pk=profile.pk, expected_version=expected_version)
    try:
        current = rules.clean_tiers(current_tiers, codes) if current_tiers is not None else None
    except ValueError as exc:
        raise DomainError(str(exc), field="current_tiers") from None
    try:
        target = rules.clean_tiers(target_tiers, codes) if target_tiers is not None else None
    except ValueError as exc:
        raise DomainError(str(exc), field="target_tiers") from None
    if current is not None and current != locked.current_tiers:
        locked.current_tiers = current
        locked._history_user = actor
        locked._change_reason = "Current tiers assessed"
        locked.save(update_fields=["current_tiers", "updated_at"])  # not the target: same version
    if target is not None and target != locked.target_tiers:
        locked.target_tiers = target
        record_change(locked, actor=actor, reason="Target changed: target tiers")
    return locked


@transaction.atomic
def profile_sign(*, actor: User, profile: CsfProfile, decision: str = "approve", comment: str = ""):
    """The CIO's or the CISO's part in the joint decision on the target profile."""
    _require_editor(actor, profile.organization)
    return signoff_sign(
        actor=actor, subject=profile, purpose=TARGET_PURPOSE, decision=decision, comment=comment
    )


@transaction.atomic
def profile_withdraw(*, actor: User, profile: CsfProfile) -> None:
    _require_editor(actor, profile.organization)
    signoff_withdraw(actor=actor, subject=profile, purpose=TARGET_PURPOSE)


# ----------------------------------------------------------------- outcomes ---


def _clean_target(values: dict) -> dict:
    cleaned = {}
    if "in_scope" in values:
        cleaned["in_scope"] = bool(values["in_scope"])
    if "scope_reason" in values:
        cleaned["scope_reason"] = (values["scope_reason"] or "").strip()
        if len(cleaned["scope_reason"]) > 300:
            raise DomainError("Keep the reason under 300 characters.", field="scope_reason")
    if "owner_lens" in values:
        if values["owner_lens"] not in OwnerLens.values:
            raise DomainError("Choose CIO, CISO or joint.", field="owner_lens")
        cleaned["owner_lens"] = values["owner_lens"]
    if "target_level" in values:
        cleaned["target_level"] = _level(values["target_level"], "target_level")
    return cleaned


def _level(value, field: str) -> int:
    if isinstance(value, bool) or str(value) not in {str(v) for v in ImplementationLevel.values}:
        raise DomainError(
            "Choose a level: 0 not, 1 partially, 2 largely or 3 fully implemented.", field=field
        )
    return int(value)


@transaction.atomic
def outcome_update(
    *, actor: User, outcome: ProfileOutcome, expected_version: int | None, **values
) -> ProfileOutcome:
    """Change an outcome's scope, reason, owner lens, target level and/or notes.
    A change to any of the first four is a change of the target profile."""
    _require_editor(actor, outcome.organization)
    locked = lock_for_update(ProfileOutcome, pk=outcome.pk, expected_version=expected_version)
    cleaned = _clean_target({k: v for k, v in values.items() if k in TARGET_FIELDS})
    if "notes" in values:
        cleaned["notes"] = (values["notes"] or "").strip()
    unknown = set(values) - set(TARGET_FIELDS) - {"notes"}
    if unknown:
        raise DomainError(f"Unknown field {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    changed = [name for name, value in cleaned.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, cleaned[name])
    if locked.in_scope:
        locked.scope_reason = ""
    elif not locked.scope_reason:
        raise DomainError("Say why this outcome is out of scope.", field="scope_reason")
    locked.current_level = rules.current_level(locked.owner_lens, locked.cio_level, locked.ciso_level)
    target_changed = [name for name in changed if name in TARGET_FIELDS]
    code = locked.subcategory.code
    words = ", ".join(FIELD_WORDS[name] for name in changed)
    record_change(locked, actor=actor, reason=f"{code}: {words}"[:100], void_signoffs=False)
    if target_changed:
        words = ", ".join(FIELD_WORDS[name] for name in target_changed)
        _touch_target(locked.profile, actor=actor, reason=f"{code} {words}")
    return locked


def _assessing_column(actor: User, outcome: ProfileOutcome) -> str:
    role = signing_role(actor, outcome.organization)
    owners = {
        OwnerLens.CIO: {Role.CIO},
        OwnerLens.CISO: {Role.CISO},
        OwnerLens.JOINT: {Role.CIO, Role.CISO},
    }[OwnerLens(outcome.owner_lens)]
    if role not in owners:
        owner = "the CIO" if outcome.owner_lens == OwnerLens.CIO else "the CISO"
        raise NotAllowed(f"This outcome is assessed by {owner}, its owner.", field="level")
    return "cio_level" if role == Role.CIO else "ciso_level"


@transaction.atomic
def outcome_assess(
    *,
    actor: User,
    outcome: ProfileOutcome,
    level,
    expected_version: int | None = None,
    notes: str | None = None,
) -> ProfileOutcome:
    """The actor's assessment of the outcome's current level, in their own lens.
    Voids nothing: the current profile is not the signed target."""
    _require_editor(actor, outcome.organization)
    level = _level(level, "level")
    locked = lock_for_update(ProfileOutcome, pk=outcome.pk, expected_version=expected_version)
    if not locked.in_scope:
        raise DomainError("This outcome is out of scope: there is nothing to assess.", field="level")
    column = _assessing_column(actor, locked)
    setattr(locked, column, level)
    if notes is not None:
        locked.notes = notes.strip()
    locked.current_level = rules.current_level(locked.owner_lens, locked.cio_level, locked.ciso_level)
    locked.assessed_at, locked.assessed_by = timezone.now(), actor
    who = "CIO" if column == "cio_level" else "CISO"
    reason = f"{locked.subcategory.code}: {who} assessed {rules.SHORT_LABELS[level].lower()}"
    record_change(locked, actor=actor, reason=reason[:100], void_signoffs=False)
    return locked


@transaction.atomic
def outcome_set_risks(*, actor: User, outcome: ProfileOutcome, risks: list[Risk]) -> ProfileOutcome:
    """The risks this outcome's gap leaves open (replaces the list)."""
    _require_editor(actor, outcome.organization)
    require_perm(actor, outcome.organization, Perm.RISK_VIEW, "Your role does not allow reading risks.")
    if any(risk.organization_id != outcome.organization_id for risk in risks):
        raise DomainError("Choose risks of this organization.", field="risks")
    locked = lock_for_update(ProfileOutcome, pk=outcome.pk, expected_version=None)
    before = set(locked.risks.values_list("pk", flat=True))
    if before == {risk.pk for risk in risks}:
        return locked
    locked.risks.set(risks)
    record_change(locked, actor=actor, reason=f"{locked.subcategory.code}: linked risks", void_signoffs=False)
    return locked


# ------------------------------------------------------------------ import ----


@dataclass
class ImportResult:
    updated: int = 0
    unchanged: int = 0


@transaction.atomic
def outcomes_import(
    *, actor: User, organization: Organization, rows: list, versions: dict | None = None
) -> ImportResult:
    """Apply checked import rows (risks.profile.importing.ParsedRow): the target
    fields, notes, and the actor's own assessment where the row gives one. All or nothing."""
    _require_editor(actor, organization)
    result, errors = ImportResult(), []
    outcomes = {
        o.subcategory.code: o
        for o in ProfileOutcome.objects.filter(organization=organization).select_related(
            "subcategory", "profile"
        )
    }
    for row in rows:
        outcome = outcomes[row.code]
        seen = (versions or {}).get(row.code)
        if seen is not None and seen != outcome.version:
            errors.append(f"Row {row.line}, subcategory: {row.code} was changed since the preview.")
            continue
        if not row.changes:
            result.unchanged += 1
            continue
        try:
            outcome = outcome_update(actor=actor, outcome=outcome, expected_version=None, **row.target)
            if row.level is not None:
                outcome_assess(actor=actor, outcome=outcome, level=row.level)
        except DomainError as exc:
            errors.append(f"Row {row.line}, {exc.field or 'subcategory'}: {exc.message}")
            continue
        result.updated += 1
    if errors:
        raise ImportFailed(errors)
    return result
