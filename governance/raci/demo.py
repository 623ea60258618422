"""Demo ownership matrix: the template library, people linked to their parties,
and a few deliberate problems so the checks have something to show."""

from __future__ import annotations

from core.roles import Role
from core.services import signoff_sign

from . import services
from .models import PartyKind, RaciActivity, RaciParty

# (activity, party kind, letter): "" clears the cell.
DELIBERATE_PROBLEMS = (
    ("Threat intelligence", "ciso", "C"),  # gap: no one accountable any more
    ("Crisis communication", "business_owner", "C"),  # gap
    ("Change management", "development", "A"),  # overlap: IT (CIO) and development both accountable
    ("Encryption and key management", "cio", "A"),  # overlap, and CIO and CISO both accountable
    ("IT service desk and user support", "ciso", ""),  # CIO still accountable: fine
    ("Contract security clauses", "risk_compliance", ""),  # no one responsible
)


def seed_raci(organization, people) -> None:
    if RaciActivity.objects.filter(organization=organization).exists():
        return  # already seeded: keep whatever people changed
    cio, ciso = people[Role.CIO], people[Role.CISO]
    services.raci_apply_template(actor=cio, organization=organization)
    parties = {p.kind: p for p in RaciParty.objects.filter(organization=organization)}
    parties[PartyKind.CIO].members.set([cio])
    parties[PartyKind.CISO].members.set([ciso])
    parties[PartyKind.DEVELOPMENT].members.set([people[Role.CONTRIBUTOR]])
    for name, kind, letter in DELIBERATE_PROBLEMS:
        activity = RaciActivity.objects.get(organization=organization, name=name)
        services.raci_cell_set(actor=ciso, activity=activity, party=parties[kind], letter=letter)
    # The CIO has approved the matrix as it stands; it waits for the CISO.
    signoff_sign(
        actor=cio,
        subject=services.raci_matrix_get_or_create(organization=organization),
        purpose=services.APPROVAL_PURPOSE,
        comment="Approved as it stands; we close the flagged gaps at the next review.",
    )
