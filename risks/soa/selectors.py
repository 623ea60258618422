"""Every read of the statement of applicability, scoped to the person (the
page needs risk.view; evidence through ``Evidence.objects.visible_to``). A
page costs the same few queries whatever the number of lines and evidence."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from core.models import Organization

from ..evidence.models import Evidence
from ..models import AnnexAControl
from .models import ImplementationStatus, SoaEntry, SoaStatement

FILTERS = ("theme", "applicable", "status", "owner")


@dataclass
class SoaRow:
    control: AnnexAControl
    entry: SoaEntry | None
    evidence: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)

    @property
    def decided(self) -> bool:
        return self.entry is not None and self.entry.applicable is not None

    @property
    def applicable_label(self) -> str:
        if not self.decided:
            return "Not decided"
        return "Yes" if self.entry.applicable else "No"

    @property
    def expired_evidence(self) -> int:
        today = timezone.localdate()
        return sum(1 for e in self.evidence if e.valid_until < today)


def _entries(organization: Organization):
    return SoaEntry.objects.filter(organization=organization).prefetch_related("csf_subcategories")


def soa_rows(user, organization: Organization, params=None, *, codes=None) -> list[SoaRow]:
    """One row per Annex A control (93), with this organization's line, the
    evidence the person may see, and the CSF outcomes mapped to it."""
    params = params or {}
    evidence = Evidence.objects.visible_to(user).filter(organization=organization).select_related("owner")
    controls = AnnexAControl.objects.prefetch_related(
        Prefetch("soa_entries", queryset=_entries(organization), to_attr="org_entries"),
        Prefetch("evidence", queryset=evidence.order_by("valid_until"), to_attr="org_evidence"),
    )
    if codes is not None:
        controls = controls.filter(code__in=codes)
    rows = []
    for control in controls:
        entry = control.org_entries[0] if control.org_entries else None
        outcomes = list(entry.csf_subcategories.all()) if entry else []
        rows.append(SoaRow(control=control, entry=entry, evidence=control.org_evidence, outcomes=outcomes))
    return [row for row in rows if _matches(row, params)]


def _matches(row: SoaRow, params) -> bool:
    theme, applicable = params.get("theme"), params.get("applicable")
    status, owner = params.get("status"), params.get("owner")
    if theme and row.control.theme != theme:
        return False
    if applicable == "yes" and not (row.decided and row.entry.applicable):
        return False
    if applicable == "no" and not (row.decided and row.entry.applicable is False):
        return False
    if applicable == "undecided" and row.decided:
        return False
    if status and not (row.entry and row.entry.status == status):
        return False
    return not (owner and not (row.entry and row.entry.owner_lens == owner))


def soa_row(user, organization: Organization, code: str) -> SoaRow:
    """One control's row; ``AnnexAControl.DoesNotExist`` for an unknown code."""
    rows = soa_rows(user, organization, codes=[code])
    if not rows:
        raise AnnexAControl.DoesNotExist(code)
    return rows[0]


@dataclass(frozen=True)
class SoaSummary:
    total: int
    applicable: int
    excluded: int
    undecided: int
    implemented: int
    by_status: list


def soa_summary(rows: list[SoaRow]) -> SoaSummary:
    applicable = [r for r in rows if r.decided and r.entry.applicable]
    by_status = [
        (label, sum(1 for r in applicable if r.entry.status == value))
        for value, label in ImplementationStatus.choices
    ]
    return SoaSummary(
        total=len(rows),
        applicable=len(applicable),
        excluded=sum(1 for r in rows if r.decided and r.entry.applicable is False),
        undecided=sum(1 for r in rows if not r.decided),
        implemented=sum(1 for r in applicable if r.entry.status == ImplementationStatus.IMPLEMENTED),
        by_status=by_status,
    )


def soa_statement(organization: Organization) -> SoaStatement | None:
    return SoaStatement.objects.filter(organization=organization).select_related("approved_by").first()


def entry_for(organization: Organization, control) -> SoaEntry | None:
    return SoaEntry.objects.filter(organization=organization, control=control).first()


def controls_for_outcome(organization: Organization, subcategory) -> list[SoaEntry]:
    """The Annex A controls this organization maps to a CSF outcome (its own mapping)."""
    return list(
        SoaEntry.objects.filter(organization=organization, csf_subcategories=subcategory)
        .select_related("control")
        .order_by("control__order")
    )
