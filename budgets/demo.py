"""Demo budget for Northwind Health: last fiscal year's proposal (approved by
the board) and this year's, started as a copy of it, revised and now in joint
review with the CIO's signature. Items link to the demo risk register by
title; links to risks that do not exist (or have no loss estimate) are
skipped. Everything goes through the services, so versions, history and
sign-offs are real. Safe to run twice: an existing year is left alone."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from core.roles import Role
from risks.models import Mitigation, Risk

from . import services
from .fiscal import fiscal_year_of
from .models import Proposal

D = Decimal

# title, domain, category, kind, amount, priority, justification,
# [(risk title, share of the loss left after[, loss before if the register has no estimate])],
# mitigation title or "", [options]
# option: (name, cost, weeks, security score, pros, cons, chosen)
LAST_YEAR = [
    (
        "EDR on every clinical workstation",
        "security",
        "software",
        "opex",
        "120000",
        "must",
        "Ransomware is the board's top concern; antivirus alone missed two intrusions last year.",
        [("Ransomware encrypts clinical and billing systems", "0.55")],
        "EDR on every clinical workstation",
        [],
    ),
    (
        "Immutable offline backups for the EHR",
        "joint",
        "hardware",
        "capex",
        "85000",
        "must",
        "Restoring the EHR took 40 hours in the last drill; immutable copies cut that and survive ransomware.",
        [
            ("Ransomware encrypts clinical and billing systems", "0.7"),
            ("Backup restore never tested for the PACS archive", "0.5"),
        ],
        "Immutable offline backups for the EHR",
        [],
    ),
    (
        "Phishing-resistant MFA for the EHR",
        "security",
        "software",
        "opex",
        "48000",
        "must",
        "Clinician account takeover is the most likely way in.",
        [("Phishing leads to account takeover of clinicians", "0.3")],
        "Phishing-resistant MFA for the EHR",
        [],
    ),
    (
        "EHR hosting and support",
        "it",
        "services",
        "opex",
        "640000",
        "must",
        "Run the electronic health record with the vendor's 99.9% availability commitment.",
        [],
        "",
        [],
    ),
    (
        "Microsoft 365 licences",
        "it",
        "software",
        "opex",
        "410000",
        "must",
        "E-mail, collaboration and office tools for 2,300 staff.",
        [],
        "",
        [],
    ),
    (
        "Service desk staffing",
        "it",
        "people",
        "opex",
        "520000",
        "must",
        "Eight analysts covering clinics 24/7.",
        [("Clinical staff shortage in IT support desk", "0.6", "150000")],
        "",
        [],
    ),
    (
        "Security operations analysts",
        "security",
        "people",
        "opex",
        "380000",
        "must",
        "Three analysts to triage alerts from EDR, e-mail and the SIEM.",
        [],
        "",
        [],
    ),
    (
        "Network refresh: core switches",
        "it",
        "hardware",
        "capex",
        "260000",
        "should",
        "The core switches reach end of support in the spring.",
        [],
        "",
        [],
    ),
    (
        "Second diverse internet link",
        "joint",
        "services",
        "opex",
        "36000",
        "should",
        "The main hospital depends on one link; an outage stops the patient portal and telehealth.",
        [("Single internet link at the main hospital", "0.2")],
        "Second diverse internet link",
        [],
    ),
    (
        "Cloud hosting for the patient portal",
        "it",
        "cloud",
        "opex",
        "150000",
        "must",
        "Hosting, storage and bandwidth for the portal and the patient app.",
        [],
        "",
        [],
    ),
    (
        "Security awareness programme",
        "security",
        "training",
        "opex",
        "28000",
        "should",
        "Monthly phishing simulations and short courses for all staff.",
        [("Phishing leads to account takeover of clinicians", "0.8")],
        "",
        [],
    ),
    (
        "SIEM licence and storage",
        "security",
        "software",
        "opex",
        "96000",
        "must",
        "Central logging and detection for the EHR, identity and network.",
        [("Inadequate logging in the EHR", "0.4", "150000")],
        "Forward EHR audit logs to the SIEM",
        [],
    ),
    (
        "Laptop replacement cycle",
        "it",
        "hardware",
        "capex",
        "210000",
        "should",
        "Replace 300 laptops older than five years.",
        [("Lost or stolen laptops with local patient data", "0.3")],
        "",
        [],
    ),
    (
        "Data centre cooling: second unit",
        "it",
        "hardware",
        "capex",
        "95000",
        "should",
        "One cooling unit failure would shut the server room within an hour.",
        [("Data centre cooling failure", "0.25")],
        "Second cooling unit",
        [],
    ),
    (
        "Penetration testing",
        "security",
        "services",
        "opex",
        "45000",
        "should",
        "Annual external test of the portal, VPN and the patient app.",
        [("Vulnerable open-source library in the patient app", "0.5", "150000")],
        "",
        [],
    ),
    (
        "IT project management office",
        "it",
        "people",
        "opex",
        "180000",
        "could",
        "Two project managers for the EHR upgrade and the ERP migration.",
        [("Project delivery: EHR upgrade slips", "0.6", "200000")],
        "",
        [],
    ),
    (
        "Cloud security posture management",
        "security",
        "cloud",
        "opex",
        "60000",
        "must",
        "Three public buckets were found last quarter; posture scanning with auto-remediation closes them in minutes.",
        [("Misconfigured cloud storage exposes patient data", "0.35")],
        "Cloud security posture management with auto-remediation",
        [],
    ),
    (
        "IT operations training",
        "it",
        "training",
        "opex",
        "22000",
        "could",
        "Certifications for the infrastructure team.",
        [],
        "",
        [],
    ),
    (
        "Vendor risk assessments",
        "security",
        "services",
        "opex",
        "30000",
        "could",
        "Assess the twelve most critical SaaS suppliers.",
        [("Third-party SaaS provider breach", "0.5")],
        "",
        [],
    ),
    (
        "Backup storage expansion",
        "it",
        "hardware",
        "capex",
        "70000",
        "should",
        "Imaging archive growth of 30% a year.",
        [],
        "",
        [],
    ),
    (
        "Identity governance",
        "joint",
        "software",
        "opex",
        "54000",
        "should",
        "Quarterly access reviews and automated leaver processing.",
        [("Privileged access not reviewed", "0.4", "180000")],
        "Quarterly privileged access review",
        [],
    ),
    (
        "Wi-Fi upgrade in outpatient clinics",
        "it",
        "hardware",
        "capex",
        "120000",
        "could",
        "Coverage gaps in three clinics slow down mobile charting.",
        [],
        "",
        [],
    ),
    (
        "Disaster recovery exercise",
        "joint",
        "services",
        "opex",
        "25000",
        "should",
        "Annual failover of the EHR to the recovery site.",
        [("Disaster recovery site not tested", "0.4")],
        "Annual DR failover exercise",
        [],
    ),
]

# Changes for this year: (title, new amount) — the rest of last year's items carry over.
THIS_YEAR_CHANGES = [
    ("EDR on every clinical workstation", "132000"),
    ("Microsoft 365 licences", "445000"),
    ("Service desk staffing", "548000"),
    ("Cloud hosting for the patient portal", "176000"),
    ("SIEM licence and storage", "104000"),
]
THIS_YEAR_DROPPED = ["Network refresh: core switches", "Wi-Fi upgrade in outpatient clinics"]
THIS_YEAR_NEW = [
    (
        "ERP migration to the supported cloud edition",
        "it",
        "services",
        "capex",
        "0",
        "must",
        "The legacy ERP loses vendor support in December. Three ways to migrate are compared below.",
        [("Legacy ERP reaches end of vendor support", "0.2")],
        "ERP migration to the supported cloud edition",
        [
            (
                "Fastest: lift and shift",
                "780000",
                16,
                2,
                "Live before support ends\nLowest disruption for finance",
                "Carries over custom code and its weaknesses\nHigher hosting cost later",
                False,
            ),
            (
                "Balanced: cloud edition, standard processes",
                "950000",
                28,
                4,
                "Supported platform with vendor patches\nRetires most custom code",
                "Finance must change some processes\nTight against the support deadline",
                True,
            ),
            (
                "Most secure: cloud edition with SSO, PAM and data masking",
                "1120000",
                36,
                5,
                "Strongest access control and audit trail\nMasking protects payroll data in test",
                "Misses the support deadline by two months\nHighest cost",
                False,
            ),
        ],
    ),
    (
        "Network segmentation for medical devices",
        "security",
        "hardware",
        "capex",
        "0",
        "must",
        "Infusion pumps and imaging devices share the clinical network with workstations.",
        [("Medical device network not segmented", "0.3")],
        "Network segmentation for medical devices",
        [
            (
                "Fastest: VLANs and ACLs",
                "90000",
                8,
                3,
                "Uses existing switches\nQuick to deploy",
                "Coarse rules\nManual upkeep",
                False,
            ),
            (
                "Balanced: NAC with device profiling",
                "165000",
                20,
                4,
                "Finds unknown devices\nRules follow the device",
                "Needs tuning with clinical engineering",
                True,
            ),
            (
                "Most secure: micro-segmentation",
                "260000",
                32,
                5,
                "Per-device policy\nContains ransomware spread",
                "Complex to operate\nLongest rollout",
                False,
            ),
        ],
    ),
    (
        "Email authentication (DMARC) and spoofing protection",
        "security",
        "services",
        "opex",
        "18000",
        "should",
        "Patients received fake invoices from our domain last spring.",
        [("Email spoofing of the hospital domain", "0.25", "120000")],
        "",
        [],
    ),
    (
        "Secret scanning in source repositories",
        "security",
        "software",
        "opex",
        "0",
        "must",
        "API keys were found in two repositories; scanning stops new leaks at commit time.",
        [("API keys committed to source repositories", "0.2", "250000")],
        "Rotate leaked keys and enable secret scanning",
        [
            (
                "Open-source scanners in CI",
                "6000",
                3,
                3,
                "Low cost\nRuns in the existing pipeline",
                "No push protection\nTeam maintains the rules",
                False,
            ),
            (
                "Platform-native secret scanning",
                "24000",
                2,
                5,
                "Blocks pushes with secrets\nVendor-maintained patterns",
                "Per-seat licence",
                True,
            ),
        ],
    ),
    (
        "Replace unsupported Windows servers in the lab",
        "it",
        "hardware",
        "capex",
        "140000",
        "must",
        "Eleven lab servers run an operating system without security updates.",
        [("Unsupported Windows servers in the lab", "0.15", "400000")],
        "",
        [],
    ),
    (
        "Automated joiner provisioning from HR",
        "joint",
        "software",
        "opex",
        "38000",
        "should",
        "New clinicians wait four days for accounts; manual steps also leave leavers' access open.",
        [("Manual user provisioning delays new starters", "0.3", "60000")],
        "Automate joiner provisioning from HR",
        [],
    ),
    (
        "Incident response retainer",
        "security",
        "services",
        "opex",
        "40000",
        "should",
        "Guaranteed forensic help within four hours of a major incident.",
        [("Outdated incident response plan", "0.6", "200000")],
        "Tabletop exercise with the executive team",
        [
            (
                "Insurer's panel firm",
                "15000",
                6,
                3,
                "Cheapest\nCovered by the cyber policy",
                "No guaranteed response time\nTeam does not know our systems",
                False,
            ),
            (
                "Retainer with a bank of hours",
                "40000",
                3,
                4,
                "Four-hour response\nUnused hours go to a tabletop exercise",
                "Fixed annual fee",
                True,
            ),
            (
                "Retainer plus managed detection",
                "95000",
                8,
                5,
                "24/7 eyes on EDR alerts\nSame team responds",
                "Overlaps with our own analysts",
                False,
            ),
        ],
    ),
    (
        "AI transcription: in-region processing",
        "joint",
        "cloud",
        "opex",
        "0",
        "must",
        "The transcription tool sends patient audio abroad; the in-region edition is pending a quote.",
        [("AI transcription tool processes patient audio abroad", "0.1", "300000")],
        "",
        [],
    ),
    (
        "FinOps tooling for cloud cost control",
        "it",
        "cloud",
        "opex",
        "26000",
        "could",
        "Cloud spend grew 38% last year without a matching rise in usage.",
        [("Cloud cost overrun", "0.5", "90000")],
        "",
        [],
    ),
]


def _risks(organization) -> dict[str, Risk]:
    return {r.title: r for r in Risk.objects.filter(organization=organization)}


def _mitigations(organization) -> dict[str, Mitigation]:
    return {m.title: m for m in Mitigation.objects.filter(organization=organization)}


def _add_items(proposal, rows, *, actor, risks, mitigations) -> None:
    for title, domain, category, kind, amount, priority, why, links, mitigation, options in rows:
        item = services.item_create(
            actor=actor,
            proposal=proposal,
            title=title,
            domain=domain,
            category=category,
            kind=kind,
            amount=D(amount),
            priority=priority,
            justification=why,
            mitigation=mitigations.get(mitigation),
        )
        chosen = None
        for name, cost, weeks, score, pros, cons, is_chosen in options:
            option = services.option_create(
                actor=actor,
                item=item,
                name=name,
                cost=D(cost),
                timeline_weeks=weeks,
                security_score=score,
                pros=pros,
                cons=cons,
            )
            chosen = option if is_chosen else chosen
        if chosen is not None:
            services.option_choose(actor=actor, option=chosen)
        for risk_title, left, *estimate in links:
            risk = risks.get(risk_title)
            before = risk.expected_annual_loss if risk else None
            before = before or (D(estimate[0]) if estimate else None)
            if risk is None or not before:
                continue  # the register has no such risk, or no loss estimate for it
            after = (before * D(left)).quantize(D("1"))
            note = f"Expected to cut the annual loss by {100 - int(D(left) * 100)}%."
            if not risk.expected_annual_loss:
                note += " Loss before estimated by the CISO; the register has no figure yet."
            services.link_create(
                actor=actor, item=item, risk=risk, loss_before=before, loss_after=after, note=note
            )


# The gaps of the CSF profile (risks.profile) that items close: last year's (funded) and this year's.
GAP_LINKS = {
    "EDR on every clinical workstation": ["DE.CM-09", "DE.AE-02"],
    "Immutable offline backups for the EHR": ["PR.DS-11", "RC.RP-03"],
    "Phishing-resistant MFA for the EHR": ["PR.AA-03"],
    "SIEM licence and storage": ["DE.AE-03", "DE.CM-01"],
    "Identity governance": ["PR.AA-05", "PR.AA-01"],
    "Vendor risk assessments": ["GV.SC-07", "GV.SC-06"],
    "Disaster recovery exercise": ["RC.RP-04", "RC.RP-05"],
    "Network segmentation for medical devices": ["PR.IR-01", "ID.AM-01"],
    "Incident response retainer": ["RS.MA-01", "RC.RP-01"],
}


def _link_gaps(proposal, *, actor) -> None:
    """Link each item to the gaps it closes (outcomes still below their target)."""
    from risks.models import ProfileOutcome

    from .gaps import gap_link_create

    outcomes = {
        o.subcategory.code: o
        for o in ProfileOutcome.objects.filter(organization=proposal.organization).select_related(
            "subcategory"
        )
    }
    for item in proposal.items.all():
        for code in GAP_LINKS.get(item.title, []):
            outcome = outcomes.get(code)
            if outcome is not None and outcome.is_gap:
                gap_link_create(actor=actor, item=item, outcome=outcome)


def _seed_last_year(organization, people, year, risks, mitigations) -> None:
    cio, ciso = people[Role.CIO], people[Role.CISO]
    proposal = services.proposal_create(
        actor=cio,
        organization=organization,
        fiscal_year=year,
        summary="Keep clinical systems running and close the ransomware gap the board asked about.",
    )
    _add_items(proposal, LAST_YEAR, actor=cio, risks=risks, mitigations=mitigations)
    _link_gaps(proposal, actor=cio)
    proposal.refresh_from_db()
    proposal = services.proposal_start_review(actor=cio, proposal=proposal)
    services.proposal_sign(actor=cio, proposal=proposal, comment="Covers run costs and the ransomware plan.")
    services.proposal_sign(actor=ciso, proposal=proposal, comment="EDR and immutable backups are funded.")
    proposal = services.proposal_submit(actor=ciso, proposal=proposal)
    services.proposal_approve(actor=cio, proposal=proposal, note="Approved by the board at its June meeting.")


def _seed_this_year(organization, people, year, risks, mitigations) -> None:
    cio, ciso = people[Role.CIO], people[Role.CISO]
    proposal = services.proposal_create(
        actor=ciso,
        organization=organization,
        fiscal_year=year,
        copy_previous=True,
        summary="Carry last year's run costs, retire the legacy ERP before support ends, segment medical "
        "devices, and put every security euro against a named risk.",
    )
    items = {i.title: i for i in proposal.items.all()}
    for title, amount in THIS_YEAR_CHANGES:
        item = items[title]
        services.item_update(actor=cio, item=item, expected_version=item.version, amount=D(amount))
    for title in THIS_YEAR_DROPPED:
        services.item_delete(actor=cio, item=items[title])
    _add_items(proposal, THIS_YEAR_NEW, actor=ciso, risks=risks, mitigations=mitigations)
    _link_gaps(proposal, actor=ciso)
    proposal.refresh_from_db()
    proposal = services.proposal_start_review(actor=cio, proposal=proposal)
    services.proposal_sign(actor=cio, proposal=proposal, comment="Ready for the board from the IT side.")


def seed(organization, people) -> None:
    """Last year's approved proposal and this year's in joint review. Idempotent."""
    this_year = fiscal_year_of(timezone.localdate(), organization.fiscal_year_start_month)
    years = set(Proposal.objects.filter(organization=organization).values_list("fiscal_year", flat=True))
    risks, mitigations = _risks(organization), _mitigations(organization)
    if this_year - 1 not in years:
        _seed_last_year(organization, people, this_year - 1, risks, mitigations)
    if this_year not in years:
        _seed_this_year(organization, people, this_year, risks, mitigations)
