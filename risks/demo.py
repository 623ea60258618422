"""Demo register for Northwind Health: ~40 realistic risks, both lenses,
several divergent, some above appetite, some agreed, some jointly accepted,
mitigations (some overdue). Everything goes through the services, so
references, scores, history and sign-offs are real. Safe to run twice: a risk
whose title already exists is left alone."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from core.roles import Role

from . import services
from .models import AnnexAControl, CsfCategory, Risk

# title, impact, category, origin, owner role, services, CSF, Annex A,
# CIO (L, I, residual L, residual I, why), CISO (same), loss (low, likely, high, per year) or None,
# flow: "" | "agree" | "accept" | "pending" (acceptance waiting for the CISO) | "close" | "cio_only" |
# "ciso_only" | "propose" (agreement waiting for the CIO), mitigations
R = [
    ("Ransomware encrypts clinical and billing systems",
     "Clinics fall back to paper for up to two weeks; appointments, prescriptions and billing stop.",
     "cyber_attack", "security", "ciso", "EHR, Billing, Scheduling", "PR.PS DE.CM RC.RP", "8.7 8.13 5.29",
     (3, 5, 2, 3, "Backups are tested quarterly; restore of the EHR took 40 hours in the last drill."),
     (4, 5, 2, 4, "Peer hospitals were hit twice this year; initial access via phishing remains likely."),
     (400000, 1500000, 6000000, "0.15"), "accept",
     [("Immutable offline backups for the EHR", "cio", "in_progress", 30, 85000),
      ("EDR on every clinical workstation", "ciso", "in_progress", -20, 120000)]),
    ("Legacy ERP reaches end of vendor support",
     "No security patches after December; finance and procurement run on an unsupported platform.",
     "technology_obsolescence", "it", "cio", "Finance, Procurement, Payroll", "ID.AM PR.PS", "8.8 5.23",
     (4, 4, 2, 3, "Vendor support ends in December; migration project is funded but not started."),
     (3, 4, 2, 3, "Not internet facing; compensating network controls reduce exposure."),
     (150000, 400000, 1200000, "0.3"), "",
     [("ERP migration to the supported cloud edition", "cio", "planned", 180, 950000)]),
    ("Misconfigured cloud storage exposes patient data",
     "Protected health information becomes public; regulatory fines and notification costs follow.",
     "data_protection", "security", "ciso", "Patient portal, Analytics", "PR.DS PR.PS DE.CM", "5.23 8.9 8.12",
     (2, 4, 1, 3, "Infrastructure is built from reviewed templates."),
     (4, 5, 2, 4, "Three public buckets were found by the posture scanner last quarter."),
     (200000, 900000, 4000000, "0.2"), "",
     [("Cloud security posture management with auto-remediation", "ciso", "in_progress", 45, 60000)]),
    ("Third-party SaaS provider breach",
     "A breach at the scheduling SaaS leaks patient contact details and appointment history.",
     "third_party", "joint", "ciso", "Scheduling, Patient messaging", "GV.SC ID.RA", "5.19 5.20 5.22",
     (3, 3, 2, 3, "Provider is SOC 2 type II certified."),
     (3, 4, 2, 3, "SOC 2 does not cover the sub-processor that stores messages."),
     (80000, 300000, 1500000, "0.1"), "agree",
     [("Contractual breach notification within 24 hours", "ciso", "done", -30, 5000)]),
    ("Patch backlog on internet-facing servers",
     "Known exploited vulnerabilities stay open for weeks; an attacker gets a foothold in the network.",
     "cyber_attack", "joint", "cio", "Patient portal, VPN", "ID.RA PR.PS", "8.8 8.19",
     (3, 4, 2, 2, "Change windows are monthly; emergency changes need two approvals."),
     (5, 4, 2, 2, "Median time to patch critical vulnerabilities is 34 days against a 14-day target."),
     (50000, 250000, 900000, "0.4"), "",
     [("Weekly emergency patch window", "cio", "in_progress", -10, 0),
      ("Automated patching for Linux web tier", "cio", "planned", 60, 40000)]),
    ("Shadow IT: unmanaged file-sharing tools",
     "Staff share patient lists through personal cloud accounts outside our control and retention.",
     "data_protection", "security", "ciso", "All departments", "ID.AM PR.DS", "5.10 5.14 8.12",
     (2, 2, 1, 2, "Sanctioned file sharing exists and is widely used."),
     (4, 3, 2, 2, "Proxy logs show 1,200 uploads a week to personal storage services."),
     None, "", [("Block unsanctioned storage at the proxy", "ciso", "planned", 20, 15000)]),
    ("Key-person dependency on the integration engineer",
     "Only one engineer understands the HL7 interface engine; an absence stalls lab and pharmacy feeds.",
     "people", "it", "cio", "Lab, Pharmacy", "GV.RR PR.AT", "6.3 5.37",
     (4, 3, 2, 2, "He is the only one on call for the interface engine."),
     (3, 3, 2, 2, "Runbooks exist but are two years old."),
     (20000, 80000, 300000, "0.5"), "agree",
     [("Document and cross-train two engineers", "cio", "in_progress", -5, 18000)]),
    ("Phishing leads to account takeover of clinicians",
     "An attacker reads patient records and sends fraudulent messages from a clinician's mailbox.",
     "cyber_attack", "security", "ciso", "E-mail, EHR", "PR.AA PR.AT DE.AE", "5.17 6.3 8.5",
     (3, 3, 1, 3, "MFA is enforced on e-mail."),
     (4, 4, 2, 3, "MFA fatigue attacks succeeded twice in the sector this year; EHR lacks MFA."),
     (30000, 150000, 700000, "0.6"), "",
     [("Phishing-resistant MFA for the EHR", "ciso", "planned", 90, 70000)]),
    ("Data centre cooling failure",
     "The on-premises server room overheats; core systems shut down until cooling is restored.",
     "physical", "it", "cio", "All on-premises systems", "PR.IR", "7.5 7.11",
     (2, 4, 1, 3, "Single cooling unit; replacement part lead time is three days."),
     (2, 4, 1, 3, "Agree with the CIO's view."),
     (40000, 120000, 500000, "0.1"), "",
     [("Second cooling unit", "cio", "planned", 120, 65000)]),
    ("Privileged access not reviewed",
     "Former administrators keep domain admin rights; misuse or compromise goes unnoticed.",
     "cyber_attack", "security", "ciso", "Active Directory", "PR.AA GV.RR", "5.18 8.2",
     (2, 4, 1, 2, "Leavers are removed by HR workflow."),
     (3, 5, 1, 3, "Last review found 14 stale admin accounts, two of former staff."),
     None, "", [("Quarterly privileged access review", "ciso", "in_progress", 10, 0)]),
    ("Medical device network not segmented",
     "Infusion pumps and imaging devices share a network with office PCs; malware can reach them.",
     "cyber_attack", "joint", "ciso", "Imaging, ICU", "PR.IR PR.PS", "8.20 8.22",
     (3, 4, 2, 3, "Devices are vendor managed."),
     (4, 5, 2, 3, "Unsupported operating systems on 60 devices; patient safety impact."),
     (100000, 500000, 3000000, "0.1"), "accept",
     [("Network segmentation for medical devices", "cio", "planned", 150, 210000)]),
    ("Backup restore never tested for the PACS archive",
     "Imaging history cannot be restored after a failure; radiology works blind for weeks.",
     "technology_failure", "it", "cio", "Radiology", "RC.RP PR.DS", "8.13 5.30",
     (3, 4, 1, 3, "Backups run nightly but restores were never tested end to end."),
     (3, 4, 1, 3, "Same view."),
     (60000, 250000, 900000, "0.1"), "", [("Full PACS restore test", "cio", "planned", -3, 12000)]),
    ("Insider downloads patient records",
     "A staff member exports records of public figures; reputational and regulatory damage.",
     "data_protection", "security", "ciso", "EHR", "DE.CM PR.AA", "8.15 8.16 5.15",
     (2, 3, 1, 3, "Access is role-based."),
     (3, 4, 2, 3, "No alerting on bulk export; roles are broad in the ED."),
     None, "", [("Alert on bulk record access", "ciso", "in_progress", 25, 30000)]),
    ("Single internet link at the main hospital",
     "A cut fibre takes the EHR (hosted) offline for the main site.",
     "technology_failure", "it", "cio", "EHR, Telehealth", "PR.IR", "8.14 7.11",
     (2, 5, 1, 2, "Carrier SLA is four hours; outage in 2023 lasted six."),
     (2, 4, 1, 2, "Clinical downtime procedures are rehearsed."),
     (30000, 100000, 400000, "0.3"), "agree", [("Second diverse internet link", "cio", "done", -60, 36000)]),
    ("Payroll fraud through supplier bank detail change",
     "A spoofed e-mail changes a supplier's bank details; a large payment goes to a fraudster.",
     "financial", "joint", "cio", "Finance", "PR.AT DE.AE", "5.14 6.3",
     (3, 3, 1, 3, "Call-back procedure exists."),
     (3, 3, 1, 3, "Same view; procedure not always followed."),
     (20000, 90000, 400000, "0.4"), "", []),
    ("EHR performance degrades at peak hours",
     "Clinicians wait 10+ seconds per screen; workarounds and errors grow.",
     "technology_failure", "it", "cio", "EHR", "PR.IR ID.AM", "8.6",
     (4, 3, 2, 2, "Database server at 90% CPU in the morning peak."),
     (2, 2, 1, 2, "Not a security risk in my view; operational only."),
     None, "", [("Capacity upgrade of the EHR database", "cio", "in_progress", 40, 140000)]),
    ("Unsupported Windows servers in the lab",
     "Twelve servers run an OS without security updates; an easy target for ransomware.",
     "technology_obsolescence", "joint", "cio", "Lab", "PR.PS ID.AM", "8.8 8.19",
     (3, 3, 2, 2, "Planned for replacement next year."),
     (4, 4, 2, 2, "Directly reachable from the clinical network."), None, "pending", []),
    ("GDPR and HIPAA records retention gaps",
     "Records are kept longer than allowed; a regulator finds it during an audit.",
     "compliance", "security", "ciso", "Records", "GV.OC GV.PO", "5.31 5.33 5.34",
     (2, 3, 1, 2, "Retention schedule approved."), (3, 3, 1, 2, "Schedule not enforced in the archive."),
     None, "", [("Automated retention in the archive", "ciso", "planned", 200, 25000)]),
    ("Telehealth platform vendor lock-in",
     "Price rises 40% at renewal with no practical exit; budget pressure on other projects.",
     "third_party", "it", "cio", "Telehealth", "GV.SC", "5.19 5.22",
     (3, 2, 2, 2, "Renewal in 14 months."), (2, 2, 2, 2, "Low security relevance."), None, "", []),
    ("DDoS against the patient portal",
     "Patients cannot book or see results online for hours; call centre overwhelmed.",
     "cyber_attack", "security", "ciso", "Patient portal", "PR.IR DE.CM", "8.20 8.21",
     (2, 3, 1, 2, "Portal behind a CDN."), (3, 3, 1, 2, "CDN plan lacks layer 7 protection."),
     (10000, 40000, 150000, "0.5"), "", []),
    ("Lost or stolen laptops with local patient data",
     "An unencrypted laptop is lost; patient data must be reported as breached.",
     "data_protection", "security", "ciso", "Community care", "PR.DS PR.PS", "8.1 7.9 8.24",
     (2, 3, 1, 2, "All new laptops are encrypted."), (3, 3, 1, 2, "40 older laptops are not."),
     (5000, 30000, 200000, "1.0"), "close", []),
    ("Cloud cost overrun",
     "Uncontrolled cloud spend exceeds the IT budget by 25%, cutting other projects.",
     "financial", "it", "cio", "All cloud workloads", "GV.RM ID.AM", "5.23",
     (4, 3, 2, 2, "Spend grew 18% per quarter."), (2, 2, 2, 2, "Outside my remit."), None, "", []),
    ("Vulnerable open-source library in the patient app",
     "A critical flaw in a dependency lets attackers read other patients' data.",
     "cyber_attack", "security", "ciso", "Patient app", "PR.PS ID.RA", "8.25 8.28 8.8",
     (2, 4, 1, 3, "Dependencies updated each release."),
     (3, 5, 1, 3, "No software composition analysis in the pipeline."), None, "",
     [("Add dependency scanning to CI", "ciso", "in_progress", 15, 8000)]),
    ("Disaster recovery site not tested",
     "Failover to the DR site fails when needed; recovery takes days, not hours.",
     "technology_failure", "joint", "cio", "All critical systems", "RC.RP PR.IR", "5.30 8.14",
     (3, 5, 2, 3, "Last full test was 2022."), (3, 5, 2, 3, "Same view."),
     (200000, 800000, 3000000, "0.05"), "agree", [("Annual DR failover exercise", "cio", "planned", 75, 45000)]),
    ("Inadequate logging in the EHR",
     "Incidents cannot be investigated; we cannot tell regulators what was accessed.",
     "compliance", "security", "ciso", "EHR", "DE.CM RS.AN", "8.15 5.28",
     (2, 3, 1, 2, "Logs kept for 30 days."), (4, 4, 2, 2, "Audit logs are not sent to the SIEM."), None, "",
     [("Forward EHR audit logs to the SIEM", "ciso", "planned", -15, 22000)]),
    ("Project delivery: EHR upgrade slips",
     "The EHR upgrade misses its window; vendor support for the current version ends.",
     "delivery", "it", "cio", "EHR", "GV.OV", "5.8",
     (3, 4, 2, 2, "Two key milestones already late."), None, None, "cio_only", []),
    ("Weak password policy on legacy applications",
     "Short passwords and no lockout let attackers guess accounts.",
     "cyber_attack", "security", "ciso", "Legacy apps", "PR.AA", "5.17 8.5",
     None, (3, 3, 1, 2, "Seven legacy apps use local accounts."), None, "ciso_only", []),
    ("Email spoofing of the hospital domain",
     "Fraudsters send mail as the hospital; patients are tricked into paying fake bills.",
     "cyber_attack", "security", "ciso", "E-mail", "PR.DS DE.AE", "8.21",
     (2, 2, 1, 1, "SPF is configured."), (3, 3, 1, 1, "DMARC is not at reject."), None, "propose", []),
    ("Supplier of pharmacy software goes out of business",
     "The pharmacy system loses support and updates with little notice.",
     "third_party", "it", "cio", "Pharmacy", "GV.SC", "5.19 5.21",
     (2, 4, 1, 3, "Financials of the vendor are weak."), (2, 3, 1, 3, "Escrow agreement exists."),
     None, "", [("Verify the software escrow deposit", "cio", "planned", 30, 3000)]),
    ("Clinical staff shortage in IT support desk",
     "Tickets wait days; clinicians use workarounds that bypass controls.",
     "people", "it", "cio", "Service desk", "GV.RR", "6.1",
     (4, 2, 2, 2, "Two vacancies for five months."), (3, 2, 2, 2, "Some security impact."), None, "", []),
    ("Unencrypted backups sent off site",
     "Backup tapes in transit are lost; their content is readable.",
     "data_protection", "security", "ciso", "Backup", "PR.DS", "8.13 8.24 7.10",
     (2, 3, 1, 2, "Courier is bonded."), (2, 4, 1, 2, "Tapes are not encrypted."), None, "", []),
    ("API keys committed to source repositories",
     "Secrets in git give anyone with repo access production database credentials.",
     "cyber_attack", "security", "ciso", "Integration platform", "PR.DS PR.PS", "8.4 8.28",
     (2, 3, 1, 2, "Repos are private."), (4, 4, 1, 2, "Secret scanning found 23 live keys."), None, "",
     [("Rotate leaked keys and enable secret scanning", "ciso", "done", -40, 0)]),
    ("Power outage beyond generator fuel capacity",
     "A prolonged regional outage exhausts 24 hours of fuel; systems shut down.",
     "physical", "it", "cio", "All on-premises systems", "PR.IR RC.RP", "7.11",
     (1, 5, 1, 4, "Rare; fuel contract guarantees delivery."), (1, 5, 1, 4, "Same."), None, "", []),
    ("Identity provider outage blocks all sign-ins",
     "Nobody can sign in to cloud applications for hours.",
     "technology_failure", "joint", "cio", "All cloud apps", "PR.AA PR.IR", "8.14 5.30",
     (2, 4, 1, 3, "Vendor SLA 99.99%."), (2, 4, 1, 3, "Break-glass accounts exist."), None, "", []),
    ("Research data shared without agreements",
     "Researchers send datasets to partners without data sharing agreements.",
     "compliance", "joint", "ciso", "Research", "GV.OC PR.DS", "5.14 5.34",
     (2, 2, 1, 2, "Small volume."), (3, 4, 1, 2, "Contains identifiable data."), None, "", []),
    ("Outdated incident response plan",
     "Response to a major incident is slow and uncoordinated; regulators are notified late.",
     "compliance", "security", "ciso", "All", "RS.MA RS.CO", "5.24 5.26",
     (2, 3, 1, 2, "Plan exists."), (3, 4, 1, 2, "Plan predates the cloud move; no exercise in two years."),
     None, "", [("Tabletop exercise with the executive team", "ciso", "planned", 35, 10000)]),
    ("Wi-Fi guest network reaches internal systems",
     "A visitor on guest Wi-Fi can reach internal web applications.",
     "cyber_attack", "security", "ciso", "Wi-Fi", "PR.IR", "8.20 8.22",
     (1, 3, 1, 2, "Guest Wi-Fi is isolated by design."), (2, 3, 1, 2, "Pen test found one route through."),
     None, "close", []),
    ("Manual user provisioning delays new starters",
     "New clinicians wait days for accounts and share logins meanwhile.",
     "delivery", "it", "cio", "Identity", "PR.AA", "5.16 5.18",
     (4, 2, 2, 1, "Provisioning takes four days on average."), (4, 3, 2, 1, "Shared logins break accountability."),
     None, "", [("Automate joiner provisioning from HR", "cio", "in_progress", 50, 30000)]),
    ("AI transcription tool processes patient audio abroad",
     "A pilot AI scribe sends consultation audio to servers outside the region.",
     "data_protection", "joint", "ciso", "Outpatients", "GV.SC PR.DS", "5.23 5.34",
     (2, 3, 1, 2, "Pilot limited to ten clinicians."), (4, 4, 2, 3, "No DPA signed; data residency unknown."),
     None, "", []),
]


def _ids(model, codes: str, prefix: str = ""):
    wanted = [prefix + c if prefix and not c.startswith(prefix) else c for c in codes.split()]
    return list(model.objects.filter(code__in=wanted))


def _assess(risk, actor, spec):
    likelihood, impact, rl, ri, why = spec
    risk.refresh_from_db()
    services.assessment_record(actor=actor, risk=risk, rationale=why, inherent_likelihood=likelihood,
                               inherent_impact=impact, residual_likelihood=rl, residual_impact=ri)


def _flow(risk, flow: str, cio, ciso, today) -> None:
    risk.refresh_from_db()
    if flow == "agree" or flow == "propose":
        c = risk.assessments.get(lens="ciso")
        services.agreement_propose(actor=ciso, risk=risk, rationale="Agreed in the monthly risk review.",
                                   inherent_likelihood=c.inherent_likelihood, inherent_impact=c.inherent_impact,
                                   residual_likelihood=c.residual_likelihood, residual_impact=c.residual_impact)
        if flow == "agree":
            services.agreement_confirm(actor=cio, risk=risk)
    elif flow == "accept" and risk.inherent_score and risk.inherent_score > risk.organization.risk_appetite:
        services.acceptance_request(actor=cio, risk=risk, expires_on=today + timedelta(days=120),
                                    justification="Treatment is funded and under way; the residual exposure is "
                                                  "accepted until the controls are in place.")
        risk.refresh_from_db()
        services.acceptance_sign(actor=cio, risk=risk, comment="Accepted while the mitigations land.")
        services.acceptance_sign(actor=ciso, risk=risk, comment="Agreed, with monthly progress review.")
    elif flow == "pending" and risk.inherent_score and risk.inherent_score > risk.organization.risk_appetite:
        services.acceptance_request(actor=cio, risk=risk, expires_on=today + timedelta(days=90),
                                    justification="Servers are replaced in the lab refresh next quarter; isolating "
                                                  "them now would stop sample processing.")
        risk.refresh_from_db()
        services.acceptance_sign(actor=cio, risk=risk, comment="Acceptable until the lab refresh.")
    elif flow == "close":
        services.risk_update(actor=cio, risk=risk, expected_version=risk.version, status="closed",
                             reason="Controls in place; closed at the quarterly review.")


def seed(organization, people) -> None:
    cio, ciso = people[Role.CIO], people[Role.CISO]
    today = timezone.localdate()
    existing = set(Risk.objects.filter(organization=organization).values_list("title", flat=True))
    for index, spec in enumerate(R):
        (title, impact, category, origin, owner, affected, csf, annex, cio_view, ciso_view, loss, flow,
         mitigations) = spec
        if title in existing:
            continue
        values = {"title": title, "impact_statement": impact, "category": category, "origin": origin,
                  "owner": people[owner], "affected_services": affected,
                  "csf_categories": _ids(CsfCategory, csf), "annex_a_controls": _ids(AnnexAControl, annex, "A."),
                  "treatment": "mitigate" if mitigations else "",
                  "due_date": today + timedelta(days=30 + 7 * (index % 20)),
                  # every seventh risk missed its review (the CIO's and CISO's queues show them)
                  "next_review_date": today + timedelta(days=-(4 + index) if index % 7 == 3 else 14 + 5 * (index % 12))}
        if loss:
            values.update(loss_low=Decimal(loss[0]), loss_most_likely=Decimal(loss[1]), loss_high=Decimal(loss[2]),
                          events_per_year=Decimal(loss[3]))
        risk = services.risk_create(actor=people[owner], organization=organization, **values)
        if cio_view:
            _assess(risk, cio, cio_view)
        if ciso_view:
            _assess(risk, ciso, ciso_view)
        for m_title, m_owner, status, due_in, cost in mitigations:
            services.mitigation_create(actor=people[owner], risk=risk, title=m_title, owner=people[m_owner],
                                       status=status, due_date=today + timedelta(days=due_in),
                                       cost=Decimal(cost) if cost else None)
        if mitigations and flow not in ("close",):
            risk.refresh_from_db()
            if risk.status == "assessed":
                services.risk_update(actor=people[owner], risk=risk, expected_version=risk.version,
                                     status="in_treatment" if any(m[2] == "in_progress" for m in mitigations)
                                     else "treatment_planned")
        _flow(risk, flow, cio, ciso, today)
