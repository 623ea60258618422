"""The starter library: well-defined KPIs an organization adds with one click
and then adjusts. Computed KPIs registered by other apps are offered too
(see ``library_entries``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .registry import registered_computed_kpis


@dataclass(frozen=True)
class LibraryKpi:
    key: str
    name: str
    description: str
    domain: str
    unit: str
    direction: str
    target: Decimal
    warning: Decimal
    critical: Decimal
    frequency: str = "monthly"
    csf_function: str = ""
    computed: bool = False


def _kpi(
    key, name, description, domain, unit, direction, target, warning, critical, frequency="monthly", csf=""
):
    return LibraryKpi(
        key=key,
        name=name,
        description=description,
        domain=domain,
        unit=unit,
        direction=direction,
        target=Decimal(str(target)),
        warning=Decimal(str(warning)),
        critical=Decimal(str(critical)),
        frequency=frequency,
        csf_function=csf,
    )


STARTER_LIBRARY: tuple[LibraryKpi, ...] = (
    # IT
    _kpi(
        "service_availability",
        "Availability of critical services",
        "Share of scheduled service time the business-critical services were usable, averaged across them. "
        "Measure from monitoring: (scheduled minutes − unplanned downtime minutes) ÷ scheduled minutes × 100.",
        "it",
        "percent",
        "higher",
        "99.9",
        "99.5",
        "99.0",
        csf="RC",
    ),
    _kpi(
        "change_success_rate",
        "Change success rate",
        "Share of production changes closed in the period that did not cause an incident, rollback or "
        "emergency fix. Count from the change management tool: successful changes ÷ all closed changes × 100.",
        "it",
        "percent",
        "higher",
        95,
        90,
        85,
    ),
    _kpi(
        "projects_on_time",
        "Projects on time",
        "Share of active projects whose next milestone is on or ahead of the approved plan at the end of the "
        "period. Count from the project portfolio: on-time projects ÷ active projects × 100.",
        "it",
        "percent",
        "higher",
        85,
        75,
        60,
        "monthly",
        "GV",
    ),
    _kpi(
        "service_desk_first_contact",
        "Service desk first-contact resolution",
        "Share of service desk tickets resolved at the first contact, without escalation or call-back. "
        "From the ticketing tool: tickets resolved at first contact ÷ all resolved tickets × 100.",
        "it",
        "percent",
        "higher",
        75,
        65,
        55,
    ),
    _kpi(
        "major_incidents",
        "Major IT incidents",
        "Number of priority 1 incidents (business-critical service down or badly degraded) opened in the "
        "period, whatever their cause.",
        "it",
        "count",
        "lower",
        1,
        2,
        4,
        csf="RS",
    ),
    # Security
    _kpi(
        "mttp_critical",
        "Mean time to patch critical vulnerabilities",
        "Average number of days between the publication (or detection) of a critical vulnerability "
        "(CVSS 9.0+) on an in-scope asset and the deployment of its fix, over fixes deployed in the period.",
        "security",
        "days",
        "lower",
        7,
        14,
        30,
        csf="PR",
    ),
    _kpi(
        "edr_coverage",
        "EDR coverage",
        "Share of managed endpoints and servers with a healthy, reporting endpoint detection and response "
        "agent at the end of the period: EDR-reporting devices ÷ devices in the asset inventory × 100.",
        "security",
        "percent",
        "higher",
        98,
        95,
        90,
        csf="DE",
    ),
    _kpi(
        "phishing_click_rate",
        "Phishing simulation click rate",
        "Share of recipients of the period's phishing simulations who clicked the link or opened the "
        "attachment: clickers ÷ recipients × 100.",
        "security",
        "percent",
        "lower",
        3,
        6,
        10,
        csf="PR",
    ),
    _kpi(
        "mttd",
        "Mean time to detect (MTTD)",
        "Average hours between the start of a security incident (first malicious activity) and its detection, "
        "over incidents closed in the period.",
        "security",
        "hours",
        "lower",
        24,
        48,
        96,
        csf="DE",
    ),
    _kpi(
        "mfa_coverage",
        "MFA coverage of privileged accounts",
        "Share of privileged and remote-access accounts that must use multi-factor authentication: "
        "accounts with enforced MFA ÷ all privileged and remote-access accounts × 100.",
        "security",
        "percent",
        "higher",
        100,
        98,
        95,
        csf="PR",
    ),
    _kpi(
        "awareness_completion",
        "Security awareness training completion",
        "Share of staff who completed the mandatory security awareness training of the last twelve months.",
        "security",
        "percent",
        "higher",
        95,
        90,
        80,
        "quarterly",
        "PR",
    ),
    _kpi(
        "critical_vulns_overdue",
        "Critical vulnerabilities past their due date",
        "Number of open critical vulnerabilities whose remediation due date (per policy) has passed, at the "
        "end of the period.",
        "security",
        "count",
        "lower",
        0,
        5,
        15,
        csf="ID",
    ),
    # Joint
    _kpi(
        "mttr",
        "Mean time to recover (MTTR)",
        "Average hours between the detection of an incident that disrupted a service (security or IT) and the "
        "full restoration of that service, over incidents closed in the period.",
        "joint",
        "hours",
        "lower",
        4,
        8,
        24,
        csf="RC",
    ),
    _kpi(
        "backup_restore_success",
        "Backup restore test success",
        "Share of restore tests run in the period that restored the data completely within the recovery time "
        "objective: successful tests ÷ tests run × 100.",
        "joint",
        "percent",
        "higher",
        100,
        95,
        90,
        csf="RC",
    ),
    _kpi(
        "intake_time_to_decision",
        "Intake time to decision",
        "Median number of days between a project team filing an intake request and the joint decision on it, "
        "over requests decided in the period.",
        "joint",
        "days",
        "lower",
        10,
        15,
        25,
        csf="GV",
    ),
    _kpi(
        "access_review_completion",
        "Access reviews completed on time",
        "Share of scheduled user access reviews of critical applications completed by their due date.",
        "joint",
        "percent",
        "higher",
        100,
        90,
        75,
        "quarterly",
        "PR",
    ),
    _kpi(
        "security_in_projects",
        "Projects with security review before go-live",
        "Share of projects that went live in the period after a completed security-by-design review.",
        "joint",
        "percent",
        "higher",
        100,
        90,
        75,
        csf="GV",
    ),
    _kpi(
        "cyber_budget_share",
        "Security share of the technology budget",
        "Security spending (people, tools, services) as a share of the total technology budget of the year "
        "to date.",
        "joint",
        "percent",
        "higher",
        10,
        8,
        5,
        "quarterly",
        "GV",
    ),
)


# Starter KPIs that a computed KPI replaces once its app registers it: Concord
# measures them from its own records, so offering both would duplicate them.
SUPERSEDED_BY = {"intake_time_to_decision": "intake_median_days_to_decision"}


def _from_registry() -> list[LibraryKpi]:
    return [
        LibraryKpi(
            key=spec.key,
            name=spec.name,
            description=spec.description,
            domain=spec.domain,
            unit=spec.unit,
            direction=spec.direction,
            target=spec.target,
            warning=spec.warning,
            critical=spec.critical,
            frequency=spec.frequency,
            csf_function=spec.csf_function,
            computed=True,
        )
        for spec in registered_computed_kpis().values()
    ]


def library_entries() -> list[LibraryKpi]:
    """Starter KPIs followed by computed ones; a computed KPI wins over a
    starter KPI with the same key or one it supersedes (its values come from
    Concord's own data)."""
    computed = _from_registry()
    computed_keys = {entry.key for entry in computed}
    return [
        entry
        for entry in STARTER_LIBRARY
        if entry.key not in computed_keys and SUPERSEDED_BY.get(entry.key) not in computed_keys
    ] + computed


def library_entry(key: str) -> LibraryKpi | None:
    return next((entry for entry in library_entries() if entry.key == key), None)
