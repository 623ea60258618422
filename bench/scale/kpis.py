"""Scale data for the KPI scorecard: monthly KPIs with a value for each of
the last months (one per period, thresholds ordered by direction)."""

from __future__ import annotations

from decimal import Decimal

from .base import Ctx, OrgPeople, bulk, months_back

KINDS = (
    "Patch latency",
    "EDR coverage",
    "MFA adoption",
    "Backup success",
    "Change success",
    "Incident response time",
    "Phishing click rate",
    "Service availability",
    "Vulnerability backlog",
    "Project delivery on time",
)


def seed(ctx: Ctx, people: OrgPeople, *, kpis: int, months: int) -> dict:
    from kpis.models import KPI, Domain, Measurement

    rng, org = ctx.rng, people.org
    rows = []
    for i in range(kpis):
        higher = rng.random() < 0.6
        target = Decimal(rng.choice((90, 95, 98, 99))) if higher else Decimal(rng.choice((5, 10, 15)))
        warning, critical = (target - 5, target - 15) if higher else (target + 5, target + 15)
        rows.append(
            KPI(
                organization=org,
                name=f"{rng.choice(KINDS)} #{i + 1}",
                key=f"scale_kpi_{i + 1}",
                description="Measured from the monthly operations report.",
                domain=rng.choice(Domain.values),
                unit="percent",
                direction="higher" if higher else "lower",
                target=target,
                warning=warning,
                critical=critical,
                frequency="monthly",
                owner=rng.choice(people.owners),
                csf_function=rng.choice(("", "GV", "ID", "PR", "DE", "RS", "RC")),
            )
        )
    created = bulk(KPI, rows)
    periods = months_back(ctx.today, months)
    recorder = people.one("ciso")
    values = []
    for kpi in created:
        level = float(kpi.target)
        for period in periods:
            level = min(100.0, max(0.0, level + rng.uniform(-4, 4)))
            values.append(
                Measurement(
                    organization=org,
                    kpi=kpi,
                    period=period,
                    value=Decimal(f"{level:.2f}"),
                    source="import",
                    recorded_by=recorder,
                )
            )
    bulk(Measurement, values, batch_size=5000)
    return {"kpis": len(created), "measurements": len(values)}
