"""The board pack's glossary: every term and code the report uses, in plain
words. The PDF's appendix prints it; the tests check that no code appears in
the report without an entry here (``CODE_PATTERNS``)."""

from __future__ import annotations

import re

GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Alignment score", "How well IT and security govern together, from 0 to 100 (method in this appendix)."),
    (
        "Risk appetite",
        "The highest risk score the organization accepts without a decision; "
        "a risk above it must be reduced or accepted jointly by the CIO and the CISO.",
    ),
    (
        "Accepted risk",
        "A risk above appetite that the CIO and the CISO both signed to live with, until a stated date.",
    ),
    (
        "Likelihood × impact",
        "How probable a risk is (Rare to Almost certain) times how much harm "
        "it does (Negligible to Severe); each from 1 to 5, so the score runs from 1 to 25.",
    ),
    (
        "Expected annual loss",
        "What a risk is expected to cost per year on average: the likely loss "
        "per event times the events per year.",
    ),
    ("Loss avoided", "The expected annual loss that the funded security items remove."),
    (
        "ROSI",
        "Return on security investment: (loss avoided − annual cost) ÷ annual cost, over the budget "
        "items that reduce at least one named risk. The loss avoided is the expected annual loss those "
        "items remove; the annual cost is what they cost per year (one-off purchases spread over "
        "their years of use).",
    ),
    ("KPI", "Key performance indicator: a figure measured each period against a target."),
    (
        "On target / Near target / Off target",
        "A KPI's status against its target, marked ● / ◐ / ○ so that it reads in black and white. "
        "Near target: the target is missed but the value is inside the tolerance line. Concord's own "
        "pages and the method below call these green, amber and red.",
    ),
    (
        "No recent value",
        "A KPI whose value for the latest period has not been entered (marked –); it counts as not "
        "on target. Its last value is shown with the date it speaks for and the words “out of date”.",
    ),
    ("Stale", "Same as “no recent value”: the KPI has not been measured for its latest period."),
    (
        "As of",
        "The last day of the period a KPI's value was measured for (today's date while that period runs).",
    ),
    (
        "▲ better / ▼ worse / ► steady",
        "A KPI's trend: whether its latest value moved towards its target (better) or away from it "
        "(worse) compared with the periods before, whichever way the number itself went.",
    ),
    ("Divergent", "A risk the CIO and the CISO score a level or more apart, without an agreed assessment."),
    ("Intake", "How new projects are requested and decided: each project request is an intake request."),
    ("Ownership gap / overlap", "An activity with no one accountable (gap) or with more than one (overlap)."),
    ("Heat map", "A grid counting open risks by likelihood (across) and impact (up)."),
    ("SLA", "Service level: the number of business days within which a project request must be decided."),
    (
        "RACI",
        "Who is Responsible, Accountable, Consulted and Informed for an activity; "
        "each activity needs exactly one Accountable.",
    ),
    ("CIO", "Chief Information Officer, who runs IT."),
    ("CISO", "Chief Information Security Officer, who runs security."),
    ("IT / Security / Joint", "Which side a budget line belongs to; joint lines serve both."),
    ("Points", "Units of the alignment score (0 to 100); a change of +1.5 points is one and a half points."),
    ("FY", "Fiscal year, e.g. FY2027."),
    ("R-", "A risk's reference in the risk register, e.g. R-012."),
    ("IR-", "A project (intake) request's reference, e.g. IR-0042."),
    ("To date", "The period is still running: the figures are those of the day the report was built."),
)

# Abbreviations that may appear in the organization's own data (risk titles,
# KPI names): explained in the glossary whenever the report uses them.
ABBREVIATIONS: dict[str, str] = {
    "AI": "Artificial intelligence.",
    "API": "Application programming interface: how two systems exchange data automatically.",
    "BCP": "Business continuity plan.",
    "CPU": "A computer's processor.",
    "CSF": "Cybersecurity Framework: a common catalogue of security outcomes, published by the American standards institute.",
    "CVSS": "Common Vulnerability Scoring System: the industry's 0–10 severity score of a weakness.",
    "DDoS": "Distributed denial of service: flooding a service so that it stops answering.",
    "DLP": "Data loss prevention: tools that stop sensitive data leaving the organization.",
    "DR": "Disaster recovery: restoring systems after a major outage.",
    "EDR": "Endpoint detection and response: security software on laptops and servers.",
    "EHR": "Electronic health record: the system holding patients' records.",
    "ERP": "Enterprise resource planning: the finance, purchasing and staff system.",
    "GDPR": "The EU's General Data Protection Regulation.",
    "HIPAA": "The US health-privacy law.",
    "IAM": "Identity and access management: who may use which system.",
    "ISO": "International Organization for Standardization (e.g. ISO 27001 for security).",
    "MFA": "Multi-factor authentication: a second proof of identity beyond the password.",
    "MTTD": "Mean time to detect: how long, on average, an incident goes unnoticed.",
    "MTTR": "Mean time to recover: how long, on average, a service takes to come back.",
    "NIST": "The US National Institute of Standards and Technology.",
    "OCR": "Optical character recognition: turning scanned documents into text.",
    "OS": "Operating system, such as Windows.",
    "PACS": "Picture archiving and communication system: where medical images are stored.",
    "DMARC": "An e-mail standard that stops others sending mail in the organization's name.",
    "SPF": "An e-mail standard listing the servers allowed to send the organization's mail.",
    "CDN": "Content delivery network: servers that deliver a website quickly worldwide.",
    "NAC": "Network access control: only known, healthy devices may join the network.",
    "ICU": "Intensive care unit.",
    "ED": "Emergency department.",
    "DPA": "Data processing agreement: a supplier's contract on handling personal data.",
    "CFO": "Chief Financial Officer.",
    "HR": "Human resources.",
    "CI": "Continuous integration: automatic building and testing of software.",
    "PAM": "Privileged access management: control of administrator accounts.",
    "SIEM": "Security information and event management: the system that collects security alerts.",
    "SOC": "Security operations centre: the team watching for attacks.",
    "SSO": "Single sign-on: one login for many systems.",
    "VPN": "Virtual private network: a protected connection to the organization's network.",
    "SaaS": "Software as a service: software rented over the internet from a supplier.",
    "IaaS": "Infrastructure as a service: servers and storage rented from a cloud supplier.",
    "PaaS": "Platform as a service: a cloud supplier's ready-made platform to run software on.",
    "USB": "The common plug for keyboards, memory sticks and other devices.",
    "IoT": "Internet of things: connected devices such as sensors, cameras and medical equipment.",
    "OT": "Operational technology: systems that run physical equipment.",
    "EOL": "End of life: the supplier no longer provides fixes.",
    "MSP": "Managed service provider: a supplier that runs systems for the organization.",
    "WAF": "Web application firewall: filters attacks on websites.",
    "XDR": "Extended detection and response: security monitoring across devices, e-mail and cloud.",
}

# Codes a reader cannot guess: reference prefixes and upper-case abbreviations.
CODE_PATTERNS = (
    re.compile(r"\b([A-Z]{1,3}-)\d+"),  # R-012, IR-0042
    re.compile(r"\b([A-Z]{2,5})\b(?!-\d)"),  # SLA, ROSI, KPI…
    # SaaS, DDoS, IoT: a short word with capitals inside and a small letter.
    re.compile(r"\b((?=[A-Za-z]*[a-z])(?=[A-Za-z]*[A-Z][A-Za-z]*[A-Z])[A-Z][A-Za-z]{1,5})\b"),
)
# Words for developers, never for the board: data formats, code names, field names.
DEVELOPER_JARGON = re.compile(
    r"\b(?:schema|selectors?|from the database|floating-point|JSON|API endpoint|queryset|"
    r"[a-z]+_[a-z_]+|[a-z]+\.[a-z_]+\.[a-z_]+)\b",
    re.IGNORECASE,
)
# Upper-case words that are ordinary words or units, not codes.
PLAIN_WORDS = {"IT", "OK", "PDF", "PDFs", "USD", "EUR", "GBP", "CHF", "A4", "II"}


def terms(entries: list[dict] | None = None) -> set[str]:
    """Every term or code the glossary explains (``R-``, ``SLA``, ``FY``…), of
    ``entries`` (a report's stored glossary) or of the fixed glossary."""
    found = set()
    pairs = [(e["term"], e["meaning"]) for e in entries] if entries is not None else GLOSSARY
    for term, _meaning in pairs:
        found.add(term)
        found.update(re.findall(r"\b[A-Z]{2,5}\b|\b[A-Z]{1,3}-", term))
    return found


def unexplained_codes(text: str, entries: list[dict] | None = None) -> set[str]:
    """Codes in ``text`` that the glossary (``entries``, or the fixed one) does not explain."""
    known = terms(entries) | PLAIN_WORDS
    codes = set()
    for pattern in CODE_PATTERNS:
        codes.update(pattern.findall(text))
    # A plural ("KPIs", "CIOs") is explained with its singular.
    return {
        code
        for code in codes
        if code not in known and code.removesuffix("s") not in known and not code.startswith("FY")
    }


def developer_jargon(text: str) -> set[str]:
    """Developer words (``DEVELOPER_JARGON``) in board-facing ``text``."""
    return {match.group(0) for match in DEVELOPER_JARGON.finditer(text)}


def glossary_entries(text: str = "") -> list[dict]:
    """The glossary's terms, plus each abbreviation of ``ABBREVIATIONS`` that
    ``text`` (the report's own data) uses."""
    entries = [{"term": term, "meaning": meaning} for term, meaning in GLOSSARY]
    used = set(re.findall(r"\b[A-Za-z]{2,5}\b", text))
    entries += [{"term": code, "meaning": meaning} for code, meaning in ABBREVIATIONS.items() if code in used]
    return entries
