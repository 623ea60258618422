"""One truth: every shared figure reads the same on every surface.

For the demo organization (seed_demo) and for organizations generated from
several seeds, the figures are read from the dashboard page, the register, its
heat map and the budget page, the API (the domain apps' endpoints and the
dashboard's), a freshly built report snapshot, the report page and the text of
the report's PDF, and must all be equal: open risks by level, above appetite,
accepted, divergent, heat-map cells, KPI counts by status, budget totals by
domain, ROSI, RACI gaps and overlaps, intake counts and median time to
decision (docs/DEFINITIONS.md). The computed KPIs that repeat one of these
figures (ownership gaps, intake time to decision) show it for the running
period, and ROSI and the security share are written the same way on the
budget page and PDF, the dashboard, the report page and its PDF.
Runs on PostgreSQL too (set DATABASE_URL)."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from budgets import exports as budget_exports
from budgets.models import BudgetItem, ItemRiskLink, Proposal, ProposalStatus
from core.models import Organization, User
from core.pdf import render_pdf
from governance.alignment.services import report_build, report_request
from governance.alignment.views.reports import pdf_context, pdf_template
from governance.models import RaciActivity, RaciAssignment, RaciParty
from kpis.models import KPI, Measurement
from kpis.services import computed_kpis_refresh, kpi_add_from_library
from kpis.status import align_period, latest_expected_period, shift_period
from risks.models import Risk, RiskStatus
from tests.governance import one_truth
from tests.governance.factories_reports import make_intake

SEEDS = (1, 7, 42, 2026)


# ------------------------------------------------------------ generator ----


def _lens(rng):
    return None if rng.random() < 0.15 else (rng.randint(1, 5), rng.randint(1, 5))


def _risks(org, owner, rng):
    for number in range(1, rng.randint(6, 30)):
        cio, ciso = _lens(rng), _lens(rng)
        agreed = cio is not None and ciso is not None and rng.random() < 0.3
        current = max([x for x in (cio, ciso) if x], key=lambda x: (x[0] * x[1], x[1]), default=None)
        residual = (rng.randint(1, current[0]), rng.randint(1, current[1])) if current else None
        Risk.objects.create(
            organization=org,
            number=number,
            reference=f"R-{number:03d}",
            title=f"Generated risk {number}",
            impact_statement="Generated.",
            category="cyber_attack",
            origin=rng.choice(["it", "security", "joint"]),
            owner=owner,
            status=rng.choice(RiskStatus.values),
            is_agreed=agreed,
            cio_score=cio[0] * cio[1] if cio else None,
            ciso_score=ciso[0] * ciso[1] if ciso else None,
            inherent_likelihood=current[0] if current else None,
            inherent_impact=current[1] if current else None,
            inherent_score=current[0] * current[1] if current else None,
            residual_likelihood=residual[0] if residual else None,
            residual_impact=residual[1] if residual else None,
            residual_score=residual[0] * residual[1] if residual else None,
            expected_annual_loss=Decimal(rng.randint(0, 9_000_000)) / 100 if rng.random() < 0.6 else None,
        )


def _kpis(org, rng):
    for index in range(rng.randint(2, 9)):
        higher = rng.random() < 0.5
        target = Decimal(rng.randint(20, 80))
        step = Decimal(rng.randint(1, 10))
        warning, critical = (
            (target - step, target - 2 * step) if higher else (target + step, target + 2 * step)
        )
        kpi = KPI.objects.create(
            organization=org,
            name=f"KPI {index}",
            target=target,
            warning=warning,
            critical=critical,
            direction="higher" if higher else "lower",
            frequency="monthly",
            unit="percent",
        )
        if rng.random() < 0.85:
            period = latest_expected_period(timezone.localdate(), "monthly")
            if rng.random() < 0.15:
                period = shift_period(period, "monthly", -3)  # stale
            # Values exactly on the target and on the warning line too.
            value = rng.choice([target, warning, critical, target + rng.randint(-25, 25) * Decimal("0.5")])
            Measurement.objects.create(organization=org, kpi=kpi, period=period, value=max(value, Decimal(0)))


def _budget(org, rng):
    status = rng.choice(ProposalStatus.values)
    proposal = Proposal.objects.create(
        organization=org,
        fiscal_year=2027,
        title="FY2027 budget",
        status=status,
        amortisation_years=rng.randint(1, 5),
    )
    risks = list(Risk.objects.filter(organization=org))
    for index in range(rng.randint(1, 12)):
        item = BudgetItem.objects.create(
            organization=org,
            proposal=proposal,
            title=f"Item {index}",
            domain=rng.choice(["it", "security", "joint"]),
            category=rng.choice(["hardware", "software", "people", "services"]),
            kind=rng.choice(["capex", "opex"]),
            amount=Decimal(rng.randint(0, 50_000_000)) / 100,
            priority=rng.choice(["must", "should", "could"]),
        )
        for risk in rng.sample(risks, k=min(len(risks), rng.randint(0, 2))):
            before = Decimal(rng.randint(0, 10_000_000)) / 100
            ItemRiskLink.objects.create(
                organization=org,
                item=item,
                risk=risk,
                loss_before=before,
                loss_after=before * Decimal(rng.randint(0, 100)) / 100,
            )
    return proposal


def _raci(org, rng):
    parties = [
        RaciParty.objects.create(organization=org, name=name, kind=kind, position=index)
        for index, (name, kind) in enumerate(
            (("CIO", "cio"), ("CISO", "ciso"), ("IT operations", "it_operations")), start=1
        )
    ]
    for index in range(1, rng.randint(2, 12)):
        activity = RaciActivity.objects.create(organization=org, name=f"Activity {index}", position=index)
        for party in parties:
            letter = rng.choice(["A", "R", "C", "I", ""])
            if letter:
                RaciAssignment.objects.create(organization=org, activity=activity, party=party, letter=letter)


def _intake(org, requester, rng):
    for number in range(1, rng.randint(1, 9)):
        status = rng.choice(["submitted", "in_review", "needs_info", "approved", "rejected"])
        decided = rng.uniform(0.5, 12) if status in ("approved", "rejected") else None
        make_intake(
            org,
            requester,
            number=number,
            days_ago=rng.uniform(0.2, 40),
            status=status,
            sla_days=rng.randint(2, 10),
            decided_after=decided,
        )


def generate(org, people, seed: int) -> None:
    rng = random.Random(seed)
    org.risk_appetite = rng.randint(6, 15)
    org.save(update_fields=["risk_appetite"])
    _risks(org, people["cio"], rng)
    _kpis(org, rng)
    _budget(org, rng)
    _raci(org, rng)
    _intake(org, people["contributor"], rng)
    for key in one_truth.COMPUTED_KPIS:
        kpi_add_from_library(actor=people["cio"], organization=org, key=key)


# ------------------------------------------------------------- surfaces ----


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _snapshot_and_pdf(org, cio):
    report = report_request(actor=cio, organization=org)
    report = report_build(report_id=report.pk)
    pdf = render_pdf(pdf_template(report), pdf_context(report))
    return report, report.snapshot, pdf


def read_everywhere(org, cio) -> tuple[dict[str, dict], str]:
    """{surface: {figure: value}} for one organization, read as its CIO."""
    client = _client(cio)
    computed_kpis_refresh(organization=org)  # what the scheduled refresh does
    proposal = Proposal.objects.filter(organization=org).order_by("-fiscal_year", "-pk").first()
    links = one_truth.urls(org, proposal.pk if proposal else None)
    surfaces = {name: one_truth.page_figures(client, url) for name, url in links.items() if url}
    surfaces["api"], surfaces["api dashboard"] = one_truth.api_figures(
        client, org, proposal.pk if proposal else None
    )
    report, snapshot, pdf = _snapshot_and_pdf(org, cio)
    surfaces["snapshot"] = one_truth.picture_figures(snapshot)
    surfaces["report page"] = one_truth.page_figures(
        client, reverse("governance:report_detail", args=[org.slug, report.pk])
    )
    surfaces["pdf"] = one_truth.pdf_figures(pdf)
    surfaces["kpi scorecard"] = one_truth.computed_kpi_figures(
        client, org, align_period(timezone.localdate(), "monthly")
    )
    if proposal is not None:
        budget_pdf = one_truth.pdf_text(
            render_pdf("budgets/proposal_pdf.html", budget_exports.pdf_context(proposal))
        )
        truth = surfaces["snapshot"]
        surfaces["budget pdf"] = {
            key: truth[key]
            for key in ("shown.rosi", "shown.security_share")
            if key in truth and truth[key] in budget_pdf
        }
    return surfaces, snapshot["organization"]["currency"]


def assert_one_truth(surfaces: dict[str, dict], currency: str) -> None:
    truth = surfaces["snapshot"]
    problems = []
    for surface, figures in surfaces.items():
        for key, value in figures.items():
            assert key in truth, f"{surface} shows {key}, which the report does not"
            expected = one_truth.as_printed(key, truth[key], currency) if surface == "pdf" else truth[key]
            if value != expected:
                problems.append(f"{key}: {surface} says {value!r}, the report {expected!r}")
    assert not problems, "\n".join(problems)
    # Every shared figure is on the surfaces it belongs to, not silently missing.
    shared = {
        "risks.open",
        "risks.open.critical",
        "risks.above_appetite",
        "risks.accepted",
        "risks.divergent",
        "kpis.green",
        "kpis.amber",
        "kpis.red",
        "kpis.stale",
        "raci.gaps",
        "raci.overlaps",
        "intake.open",
        "intake.breached",
    }
    for surface in ("dashboard", "api dashboard", "pdf"):
        assert shared <= set(surfaces[surface]), (surface, shared - set(surfaces[surface]))
    heat = {key for key in truth if key.startswith("risks.heatmap.inherent.")}
    assert len(heat) == 25
    for surface in ("heatmap", "api", "api dashboard", "pdf"):
        assert heat <= set(surfaces[surface]), surface
    if "budget.total" in truth:
        for surface in ("dashboard", "budget", "api", "pdf"):
            assert {"budget.it", "budget.security", "budget.joint", "budget.total", "budget.rosi"} <= set(
                surfaces[surface]
            ), surface
        # ROSI and the security share, as written: one presentation on every page and PDF
        # (the report PDF's ROSI row is compared as written, through as_printed).
        for surface in ("dashboard", "budget", "report page", "budget pdf"):
            assert {"shown.rosi", "shown.security_share"} <= set(surfaces[surface]), surface
        assert "shown.security_share" in surfaces["pdf"]
    # The intake decisions and their median: one window on every surface.
    for surface in ("intake", "dashboard", "report page", "pdf", "snapshot"):
        if truth["intake.decided"]:
            assert {"intake.decided", "intake.median"} <= set(surfaces[surface]), surface


def _counts_sum_up(truth: dict) -> None:
    """The definitions fit together: levels add up to the open risks, the heat
    map holds the scored open risks, statuses add up to the KPIs."""
    assert sum(truth[f"risks.open.{level}"] for level in one_truth.LEVELS) == truth["risks.open"]
    heat = sum(v for k, v in truth.items() if k.startswith("risks.heatmap.inherent."))
    assert heat == truth["risks.open"] - truth["risks.open.unassessed"]
    assert sum(truth[f"kpis.{s}"] for s in one_truth.KPI_STATUSES) == truth["kpis.total"]
    if "budget.total" in truth:
        assert truth["budget.it"] + truth["budget.security"] + truth["budget.joint"] == truth["budget.total"]


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_organizations_show_one_truth(org, people, seed):
    generate(org, people, seed)
    surfaces, currency = read_everywhere(org, people["cio"])
    assert_one_truth(surfaces, currency)
    _counts_sum_up(surfaces["snapshot"])


def test_demo_organization_shows_one_truth(db):
    call_command("seed_demo", verbosity=0)
    org = Organization.objects.get(slug="northwind-health")
    surfaces, currency = read_everywhere(org, User.objects.get(email="cio@northwind.example"))
    assert_one_truth(surfaces, currency)
    _counts_sum_up(surfaces["snapshot"])
    assert surfaces["snapshot"]["risks.open"] > 0 and surfaces["snapshot"]["kpis.total"] > 0
    # The demo has ownership gaps and overlaps, and decisions: the computed KPIs
    # show the gaps alone and the intake page's median, for the running period.
    truth = surfaces["snapshot"]
    assert truth["raci.gaps"] and truth["raci.overlaps"] and truth["intake.median"] is not None
    assert set(surfaces["kpi scorecard"]) == {"raci.gaps", "intake.median"}


def test_score_changes_are_written_in_points(org, people):
    """'+1 point', never '+1 points', in the report's sentences, page and PDF."""
    from core.formatting import score_change_text
    from governance.alignment.selectors.reports import plain_summary

    assert [score_change_text(c) for c in (1, -1, 3, -3, 0)] == [
        "+1 point",
        "−1 point",
        "+3 points",
        "−3 points",
        "±0 points",
    ]
    generate(org, people, 7)
    report, snapshot, _ = _snapshot_and_pdf(org, people["cio"])
    if snapshot["alignment"]["score"] is None:
        snapshot["alignment"]["score"] = 60
    snapshot["alignment"]["change"] = 1
    report.snapshot = snapshot
    report.save(update_fields=["snapshot"])
    assert "+1 point on the previous report" in plain_summary(snapshot)[0]
    page = _client(people["cio"]).get(reverse("governance:report_detail", args=[org.slug, report.pk]))
    pdf = one_truth.pdf_text(render_pdf(pdf_template(report), pdf_context(report)))
    for text in (re.sub(r"<[^>]+>", "", page.content.decode()), pdf):
        assert "+1 point on the previous report" in text
        assert "1 points" not in text


def test_a_changed_figure_changes_everywhere(org, people):
    """The surfaces are not equal by accident: accepting a risk moves it out of
    the open figures on every surface at once."""
    generate(org, people, 3)
    before, _ = read_everywhere(org, people["cio"])
    risk = Risk.objects.filter(
        organization=org, status__in=["assessed", "in_treatment"], inherent_score__isnull=False
    ).first()
    risk.status = RiskStatus.ACCEPTED
    risk.acceptance_expires_on = timezone.localdate() + timedelta(days=90)
    risk.save()
    from core.cache import bump_org_version

    bump_org_version(org.pk)
    after, currency = read_everywhere(org, people["cio"])
    assert_one_truth(after, currency)
    assert after["snapshot"]["risks.open"] == before["snapshot"]["risks.open"] - 1
    assert after["snapshot"]["risks.accepted"] == before["snapshot"]["risks.accepted"] + 1
    assert after["dashboard"]["risks.open"] == after["register"]["risks.open"] == after["api"]["risks.open"]
