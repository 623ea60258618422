"""The template library: standard parties and activities with a sensible default
assignment, so an organization starts from a complete matrix in one click.

Each activity's ``letters`` string gives one letter (or ``-`` for empty) per
default party, in ``DEFAULT_PARTIES`` order:
CIO, CISO, IT operations, Security operations, Development, Enterprise
architecture, Legal and privacy, Risk and compliance, Business owner.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PARTIES = (
    ("CIO", "cio", "Chief Information Officer"),
    ("CISO", "ciso", "Chief Information Security Officer"),
    ("IT operations", "it_operations", "Infrastructure, service desk and platforms"),
    ("Security operations", "security_operations", "SOC, vulnerability and detection teams"),
    ("Development", "development", "Product and application engineering"),
    ("Enterprise architecture", "enterprise_architecture", "Architecture and technology standards"),
    ("Legal and privacy", "legal_privacy", "Counsel and the data protection officer"),
    ("Risk and compliance", "risk_compliance", "Second line: risk, compliance, internal control"),
    ("Business owner", "business_owner", "The business unit that owns the service"),
)
PARTY_KINDS = tuple(kind for _, kind, _ in DEFAULT_PARTIES)


@dataclass(frozen=True)
class TemplateActivity:
    name: str
    process_area: str
    csf_category: str
    description: str
    letters: str  # one per default party, "-" for empty

    def assignments(self) -> dict[str, str]:
        """Party kind → letter for the non-empty cells."""
        return {
            kind: letter
            for kind, letter in zip(PARTY_KINDS, self.letters.split(), strict=True)
            if letter != "-"
        }


#                                                                   CIO CISO ITO SOC DEV EA LEG RSK BIZ
TEMPLATE_ACTIVITIES = (
    TemplateActivity(
        "Information security policy",
        "governance",
        "GV.PO",
        "Write, approve and review the security policy set.",
        "C A I R I C C C I",
    ),
    TemplateActivity(
        "IT strategy and roadmap",
        "governance",
        "GV.OC",
        "Set technology direction aligned with business goals.",
        "A C C I C R I I C",
    ),
    TemplateActivity(
        "Roles and responsibilities (this matrix)",
        "governance",
        "GV.RR",
        "Keep ownership of technology and security activities clear.",
        "A R I I I I I C I",
    ),
    TemplateActivity(
        "Risk register and risk assessment",
        "risk",
        "ID.RA",
        "Identify, assess and track technology and security risks.",
        "C A C R C C C R C",
    ),
    TemplateActivity(
        "Regulatory compliance monitoring",
        "risk",
        "GV.OV",
        "Track obligations and evidence compliance.",
        "I C I C I - C A R",
    ),
    TemplateActivity(
        "Internal audit follow-up", "risk", "GV.OV", "Close audit findings on time.", "A C R R R I I C I"
    ),
    TemplateActivity(
        "Patch management",
        "it_operations",
        "PR.PS",
        "Deploy security and stability patches within agreed windows.",
        "A C R C C - - I I",
    ),
    TemplateActivity(
        "Vulnerability management",
        "security_operations",
        "ID.RA",
        "Scan, prioritise and track remediation of vulnerabilities.",
        "C A R R R - - I I",
    ),
    TemplateActivity(
        "Incident response",
        "security_operations",
        "RS.MA",
        "Detect, contain, eradicate and learn from security incidents.",
        "C A R R C - C I I",
    ),
    TemplateActivity(
        "Logging and monitoring",
        "security_operations",
        "DE.CM",
        "Collect logs and watch for suspicious activity around the clock.",
        "I A C R C C - - -",
    ),
    TemplateActivity(
        "Threat intelligence",
        "security_operations",
        "DE.AE",
        "Follow threats relevant to the sector and act on them.",
        "I A I R I - - I -",
    ),
    TemplateActivity(
        "Identity and access reviews",
        "identity",
        "PR.AA",
        "Review who has access to what, at least quarterly.",
        "C A R C I - - C R",
    ),
    TemplateActivity(
        "Privileged access management",
        "identity",
        "PR.AA",
        "Control and record administrator access.",
        "C A R R C - - I -",
    ),
    TemplateActivity(
        "Joiners, movers and leavers",
        "identity",
        "PR.AA",
        "Grant and remove access as people join, move and leave.",
        "A C R I - - - I C",
    ),
    TemplateActivity(
        "DevSecOps pipeline",
        "development",
        "PR.PS",
        "Build security checks into the delivery pipeline.",
        "A C C C R C - - I",
    ),
    TemplateActivity(
        "Secure development standards",
        "development",
        "PR.PS",
        "Coding standards, code review and security testing.",
        "C A - C R C - I -",
    ),
    TemplateActivity(
        "Change management",
        "development",
        "PR.PS",
        "Assess, approve and schedule changes to production.",
        "A C R C R C - I C",
    ),
    TemplateActivity(
        "Cloud architecture",
        "architecture",
        "PR.IR",
        "Design cloud landing zones and guardrails.",
        "A C C C C R - I I",
    ),
    TemplateActivity(
        "Technology standards and architecture review",
        "architecture",
        "GV.PO",
        "Keep the approved technology list and review designs.",
        "A C C C C R - I I",
    ),
    TemplateActivity(
        "Asset inventory",
        "it_operations",
        "ID.AM",
        "Know every device, system and application and who owns it.",
        "A C R C C I - I C",
    ),
    TemplateActivity(
        "Data classification",
        "data",
        "PR.DS",
        "Label data by sensitivity and apply handling rules.",
        "C A I C I C R C R",
    ),
    TemplateActivity(
        "Privacy impact assessments",
        "data",
        "PR.DS",
        "Assess projects that process personal data.",
        "I C I I C - A R R",
    ),
    TemplateActivity(
        "Encryption and key management",
        "data",
        "PR.DS",
        "Encrypt data at rest and in transit; manage keys.",
        "C A R C R C - - -",
    ),
    TemplateActivity(
        "Vendor risk management",
        "third_parties",
        "GV.SC",
        "Assess suppliers' security before and during contracts.",
        "C A I C I - C R R",
    ),
    TemplateActivity(
        "Contract security clauses",
        "third_parties",
        "GV.SC",
        "Put security and privacy terms in supplier contracts.",
        "I C - - - - A R C",
    ),
    TemplateActivity(
        "Backup and recovery",
        "resilience",
        "PR.IR",
        "Back up critical data and prove it restores.",
        "A C R I C - - I C",
    ),
    TemplateActivity(
        "Business continuity and disaster recovery",
        "resilience",
        "RC.RP",
        "Plan, test and run recovery of critical services.",
        "A C R C C C I C R",
    ),
    TemplateActivity(
        "Crisis communication",
        "resilience",
        "RS.CO",
        "Tell staff, customers, regulators and press what they need to know.",
        "C C I I - - R C A",
    ),
    TemplateActivity(
        "Security awareness training",
        "people",
        "PR.AT",
        "Train staff and run phishing exercises.",
        "I A I R - - C C I",
    ),
    TemplateActivity(
        "IT service desk and user support",
        "it_operations",
        "PR.PS",
        "Help users and handle requests within agreed service levels.",
        "A I R - - - - - C",
    ),
)
