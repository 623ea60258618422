"""Every write to the statement of applicability.

Rules kept here:
- a decided line (applicable or not) carries a justification; an excluded
  control has no implementation status; an applicable one has a status and an
  owner (the CIO, the CISO or both);
- the first change after an approval starts the statement's next version, so
  that the approval (given for one version) lapses until the CIO or the CISO
  approves again;
- the CSF outcomes a control maps to are the organization's own record.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from core.concurrency import lock_for_update
from core.errors import DomainError, ImportFailed
from core.models import Organization, User
from core.permissions import require_perm
from core.roles import Perm
from core.services import is_unchanged, record_change, record_creation

from ..models import AnnexAControl
from .models import ImplementationStatus, SoaEntry, SoaStatement

EDITABLE = ("applicable", "justification", "status", "owner_lens")


def _require_editor(actor, organization) -> None:
    require_perm(actor, organization, Perm.RISK_EDIT, "Your role does not allow changing the statement.")


def statement_for(organization: Organization, *, lock: bool = False) -> SoaStatement:
    statement, _created = SoaStatement.objects.get_or_create(organization=organization)
    if lock:
        statement = SoaStatement.objects.select_for_update().get(pk=statement.pk)
    return statement


def check_entry(*, applicable, justification: str, status: str, owner_lens: str) -> None:
    """The rules of one line (also used by the import, row by row)."""
    if applicable is None:
        if justification.strip() or status:
            raise DomainError("Say first whether the control applies.", field="applicable")
        return
    if not justification.strip():
        reason = "included" if applicable else "excluded"
        raise DomainError(f"Say why the control is {reason}: auditors ask for it.", field="justification")
    if applicable is False and status:
        raise DomainError("An excluded control has no implementation status.", field="status")
    if applicable and not status:
        raise DomainError("Say how far the control is implemented.", field="status")
    if applicable and not owner_lens:
        raise DomainError("Say who owns the control: the CIO, the CISO or both.", field="owner_lens")


def _bump_statement(organization: Organization, actor) -> None:
    """A change to an approved statement starts its next version (the approval
    stays with the version it was given for); further changes before the next
    approval belong to that same version."""
    statement = statement_for(organization, lock=True)
    if statement.is_approved:
        record_change(statement, actor=actor, reason="Changed after approval: a new version starts.")
    else:
        statement.save(update_fields=["updated_at"])


@transaction.atomic
def soa_entry_save(
    *,
    actor: User,
    organization: Organization,
    control: AnnexAControl,
    expected_version: int | None = None,
    csf_subcategories=None,
    **values,
) -> SoaEntry:
    """Create or change the line of ``control``."""
    _require_editor(actor, organization)
    entry = SoaEntry.objects.filter(organization=organization, control=control).first()
    creating = entry is None
    if creating:
        entry = SoaEntry(organization=organization, control=control)
    else:
        entry = lock_for_update(SoaEntry, pk=entry.pk, expected_version=expected_version)
    for name in EDITABLE:
        if name in values:
            setattr(entry, name, values[name] if values[name] is not None or name == "applicable" else "")
    if entry.applicable is False:
        entry.status = ""
    entry.justification = (entry.justification or "").strip()
    check_entry(
        applicable=entry.applicable,
        justification=entry.justification,
        status=entry.status,
        owner_lens=entry.owner_lens,
    )
    mapping_changed = csf_subcategories is not None and (
        creating
        or {s.pk for s in csf_subcategories} != set(entry.csf_subcategories.values_list("pk", flat=True))
    )
    if creating:
        record_creation(entry, actor=actor)
    elif is_unchanged(entry) and not mapping_changed:
        return entry
    else:
        record_change(entry, actor=actor, reason="Statement of applicability line changed.")
    if mapping_changed:
        entry.csf_subcategories.set(csf_subcategories)
    _bump_statement(organization, actor)
    return entry


@transaction.atomic
def soa_approve(
    *, actor: User, organization: Organization, expected_version: int | None = None
) -> SoaStatement:
    """Approve the statement as it stands (this version)."""
    require_perm(actor, organization, Perm.SIGN, "Only the CIO or the CISO can approve the statement.")
    statement = statement_for(organization)
    statement = lock_for_update(SoaStatement, pk=statement.pk, expected_version=expected_version)
    undecided = AnnexAControl.objects.exclude(
        soa_entries__organization=organization, soa_entries__applicable__isnull=False
    ).count()
    if undecided:
        raise DomainError(
            f"{undecided} control{'s are' if undecided != 1 else ' is'} not decided yet: say for each whether "
            "it applies before approving."
        )
    statement.approved_by = actor
    statement.approved_at = timezone.now()
    statement.approved_version = statement.version
    statement._history_user = actor
    statement._change_reason = "Statement approved."
    statement.save()
    return statement


# ----------------------------------------------------------------- import ----


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def soa_import(*, actor: User, organization: Organization, rows: list[dict]) -> ImportResult:
    """Write every previewed line or none (rows from ``risks.soa.importing``)."""
    _require_editor(actor, organization)
    controls = {c.code: c for c in AnnexAControl.objects.all()}
    result = ImportResult(0, 0, 0)
    errors = []
    for row in rows:
        control = controls[row["control"]]
        before = SoaEntry.objects.filter(organization=organization, control=control).first()
        values = {k: row[k] for k in EDITABLE}
        if before is not None and all(getattr(before, k) == v for k, v in values.items()):
            result.unchanged += 1
            continue
        try:
            soa_entry_save(actor=actor, organization=organization, control=control, **values)
        except DomainError as exc:
            errors.append(f"row {row['row']}, {exc.field or 'file'}: {exc.message}")
            continue
        if before is None:
            result.created += 1
        else:
            result.updated += 1
    if errors:
        raise ImportFailed(errors)
    return result


STATUS_BY_LABEL = {label.lower(): value for value, label in ImplementationStatus.choices}
