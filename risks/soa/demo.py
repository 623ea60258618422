"""Demo statement of applicability for Northwind Health: every Annex A control
decided, through the services (so history and versions are real). Controls the
risk register already points at are justified by those risks; a handful are
excluded for reasons a regional healthcare provider would give; the CISO has
approved the current version. Safe to run twice: a decided control is left alone."""

from __future__ import annotations

from core.roles import Role

from ..evidence.selectors import csf_outcomes
from ..models import AnnexAControl, Risk
from . import services
from .models import ImplementationStatus, OwnerLens, SoaEntry

EXCLUDED = {
    "A.5.23": "No cloud service is used for patient or business data yet; the cloud strategy is due in 2027, "
    "when this control will be reconsidered.",
    "A.7.5": "All premises are leased offices in a low-hazard area; physical and environmental threats are "
    "covered by the landlord's controls and A.7.11 (supporting utilities).",
    "A.8.30": "Northwind Health does not outsource software development: it buys packaged clinical systems "
    "and runs no bespoke development with third parties.",
    "A.8.31": "There is no in-house software development, so there are no separate development, test and "
    "production environments to keep apart beyond the vendors' own.",
}
THEME_REASON = {
    "organizational": "Needed for the information security management system and HIPAA's administrative "
    "safeguards.",
    "people": "Staff handle patient data daily; HIPAA's workforce security and training standards require it.",
    "physical": "Clinics and the data centre hold patient records and clinical equipment that need protecting.",
    "technological": "Protects the EHR, billing and clinical networks that hold patient data.",
}
THEME_OWNER = {
    "organizational": OwnerLens.CISO,
    "people": OwnerLens.JOINT,
    "physical": OwnerLens.CIO,
    "technological": OwnerLens.CIO,
}
JOINT = {"A.5.24", "A.5.26", "A.5.29", "A.5.30", "A.8.7", "A.8.8", "A.8.13", "A.8.16", "A.8.15"}
# Northwind Health's own mapping of a few controls to CSF outcomes (its record, not reference data).
MAPPING = {
    "A.5.1": "GV.PO-01 GV.PO-02",
    "A.5.24": "RS.MA-01",
    "A.6.3": "PR.AT-01",
    "A.8.7": "DE.CM-09",
    "A.8.8": "ID.RA-01",
    "A.8.13": "PR.DS-11",
}
STATUS_CYCLE = (
    ImplementationStatus.IMPLEMENTED,
    ImplementationStatus.IMPLEMENTED,
    ImplementationStatus.PARTIAL,
    ImplementationStatus.IMPLEMENTED,
    ImplementationStatus.PLANNED,
    ImplementationStatus.PARTIAL,
    ImplementationStatus.IMPLEMENTED,
    ImplementationStatus.NOT_IMPLEMENTED,
)


def _risk_reasons(organization) -> dict[int, str]:
    reasons: dict[int, list[str]] = {}
    through = Risk.annex_a_controls.through.objects.filter(risk__organization=organization)
    for control_id, reference in through.values_list("annexacontrol_id", "risk__reference").order_by(
        "risk__number"
    ):
        reasons.setdefault(control_id, []).append(reference)
    return {
        control_id: f"Treats risk{'s' if len(refs) > 1 else ''} {', '.join(refs[:4])} of the register."
        for control_id, refs in reasons.items()
    }


def seed_soa(organization, people) -> None:
    ciso = people[Role.CISO]
    decided = set(
        SoaEntry.objects.filter(organization=organization, applicable__isnull=False).values_list(
            "control_id", flat=True
        )
    )
    by_risk = _risk_reasons(organization)
    by_code = {s.code: s for s in csf_outcomes()}
    for index, control in enumerate(AnnexAControl.objects.all()):
        if control.pk in decided:
            continue
        if control.code in EXCLUDED:
            values = {
                "applicable": False,
                "justification": EXCLUDED[control.code],
                "status": "",
                "owner_lens": "",
            }
        else:
            reason = by_risk.get(control.pk, "")
            values = {
                "applicable": True,
                "justification": f"{reason} {THEME_REASON[control.theme]}".strip(),
                "status": STATUS_CYCLE[index % len(STATUS_CYCLE)],
                "owner_lens": OwnerLens.JOINT if control.code in JOINT else THEME_OWNER[control.theme],
            }
        outcomes = [by_code[c] for c in MAPPING.get(control.code, "").split() if c in by_code]
        services.soa_entry_save(
            actor=ciso, organization=organization, control=control, csf_subcategories=outcomes, **values
        )
    statement = services.statement_for(organization)
    if not statement.is_approved:
        services.soa_approve(actor=ciso, organization=organization, expected_version=statement.version)
