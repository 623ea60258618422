"""Each definition of docs/DEFINITIONS.md is pinned to its one function, and
the surfaces count through it (not through a copy of the rule)."""

from __future__ import annotations

import ast
import importlib
import re
from datetime import timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from budgets import selectors as budget_selectors
from budgets import services as budget_services
from budgets.models import ProposalStatus
from core import money
from core.models import SignOff
from core.services import signoff_sign, signoff_withdraw, signoffs_void
from core.templatetags.concord import money as money_filter
from governance.alignment.selectors.dashboard import budget_section, kpi_section, risk_section
from governance.definitions import definitions_html
from governance.raci import rules as raci_rules
from kpis import status as kpi_status
from risks import heatmap
from risks import selectors as risk_selectors
from risks.models import Risk, RiskStatus
from tests.budgets.factories import ProposalFactory
from tests.governance.factories_reports import make_kpi, make_risk

DEFINITIONS = Path(settings.BASE_DIR) / "docs" / "DEFINITIONS.md"
OPEN = {RiskStatus.IDENTIFIED, RiskStatus.ASSESSED, RiskStatus.TREATMENT_PLANNED, RiskStatus.IN_TREATMENT}


def test_every_function_the_definitions_name_exists():
    """docs/DEFINITIONS.md names each definition's function; each one is real."""
    names = re.findall(r"`((?:risks|kpis|budgets|governance|core)\.[a-z_.]+)`", DEFINITIONS.read_text())
    assert len(names) >= 12
    for name in names:
        module, _, attribute = name.rpartition(".")
        try:
            target = importlib.import_module(module)
        except ModuleNotFoundError:  # e.g. core.models.SignOff.state: a class attribute
            module, _, owner = module.rpartition(".")
            target = getattr(importlib.import_module(module), owner)
        assert hasattr(target, attribute), name


def test_the_definitions_are_shown_as_written():
    html = definitions_html()
    assert "<h2>What the figures mean</h2>" in html
    assert "<strong>Accepted risks are not open.</strong>" in html
    assert "<script" not in html


# ------------------------------------------------------------------ risks ----


@pytest.fixture
def every_status(org, people):
    """One risk in each status, all scoring 20 (above any appetite below 20), lenses apart."""
    org.risk_appetite = 12
    org.save(update_fields=["risk_appetite"])
    return {
        status: make_risk(org, people["cio"], number=index, cio=(4, 5), ciso=(2, 2), status=status)
        for index, status in enumerate(RiskStatus.values, start=1)
    }


def test_open_means_not_accepted_and_not_closed(org, every_status):
    opened = set(Risk.objects.filter(risk_selectors.open_q()).values_list("status", flat=True))
    assert opened == OPEN
    summary = risk_selectors.risk_summary(org)
    assert summary["open"] == len(OPEN) and summary["accepted"] == 1 and summary["closed"] == 1
    assert summary["by_level"]["critical"] == len(OPEN)  # score 20: levels count open risks only


def test_above_appetite_and_divergent_count_open_risks_only(org, every_status):
    assert {r.status for r in Risk.objects.filter(risk_selectors.above_appetite_q(org))} == OPEN
    divergent = risk_selectors.annotate_levels(Risk.objects.all(), org).filter(risk_selectors.divergent_q())
    assert {r.status for r in divergent} == OPEN
    org.risk_appetite = 20  # strictly above: a score equal to the appetite is within it
    assert not Risk.objects.filter(risk_selectors.above_appetite_q(org)).exists()


def test_the_register_filters_and_the_dashboard_use_the_same_definitions(org, people, every_status):
    register = {
        key: risk_selectors.risk_register(people["cio"], org, {key: value}).count()
        for key, value in (("status", "open"), ("appetite", "above"), ("divergent", "yes"))
    }
    section = risk_section(organization=org, user=people["cio"])
    summary = risk_selectors.risk_summary(org)
    assert register == {
        "status": summary["open"],
        "appetite": summary["open_above_appetite"],
        "divergent": summary["divergent"],
    }
    assert (
        section["open"],
        section["above_appetite_count"],
        section["divergent_count"],
        section["accepted"],
    ) == (summary["open"], summary["open_above_appetite"], summary["divergent"], summary["accepted"])


def test_the_heat_map_counts_open_risks_impact_up_likelihood_along(org, people, every_status):
    drawn = risk_selectors.heatmap_picture(people["cio"], org)
    assert heatmap.total(drawn) == len(OPEN)
    assert drawn[0][3] == len(OPEN)  # top row: impact 5; fourth column: likelihood 4
    rows = heatmap.rows(drawn, org.level_thresholds)
    assert [row["impact"] for row in rows] == [5, 4, 3, 2, 1]
    assert [cell["likelihood"] for cell in rows[0]["cells"]] == [1, 2, 3, 4, 5]
    assert heatmap.cell_counts(drawn)["4-5"] == len(OPEN)


# ------------------------------------------------------------------- KPIs ----


@pytest.mark.parametrize(
    "direction, value, expected",
    [
        ("higher", D(95), "green"),
        ("higher", D("94.9"), "amber"),
        ("higher", D(90), "amber"),
        ("higher", D("89.9"), "red"),
        ("lower", D(5), "green"),
        ("lower", D("5.1"), "amber"),
        ("lower", D(10), "amber"),
        ("lower", D("10.1"), "red"),
    ],
)
def test_kpi_status_green_target_met_amber_inside_warning_red_beyond(direction, value, expected):
    thresholds = (
        {"target": D(95), "warning": D(90), "critical": D(80)}
        if direction == "higher"
        else {"target": D(5), "warning": D(10), "critical": D(20)}
    )
    assert kpi_status.status_for(value, direction=direction, **thresholds) == expected


def test_the_board_pdfs_example_is_amber_not_green():
    """'Change success 93.5, target 95' and 'MTTR 6 h vs 4 h' missed their targets."""
    assert (
        kpi_status.status_for(D("93.5"), direction="higher", target=D(95), warning=D(90), critical=D(85))
        == "amber"
    )
    assert (
        kpi_status.status_for(D(6), direction="lower", target=D(4), warning=D(8), critical=D(12)) == "amber"
    )
    assert kpi_status.status_for(D(9), direction="lower", target=D(4), warning=D(8), critical=D(12)) == "red"


def test_kpi_counts_come_from_status_for(org, people):
    make_kpi(org, name="On target", value=95)
    make_kpi(org, name="Inside the line", value="93.5")
    make_kpi(org, name="Beyond", value=85)
    make_kpi(org, name="Old", value=99, stale=True)
    section = kpi_section(organization=org, user=people["cio"])
    assert (section["green"], section["amber"], section["red"], section["stale"]) == (1, 1, 1, 1)
    by_name = {item["name"]: item for item in section["items"]}
    assert by_name["Inside the line"] | {"url": ""} == by_name["Inside the line"] | {
        "status": "amber",
        "value": "93.5",
        "target": "95",
        "url": "",
    }


# ------------------------------------------------------------------ money ----


def test_money_is_rounded_once_half_up():
    assert money.to_money("2.675") == D("2.68") and money.to_money(D("-0.005")) == D("-0.01")
    assert money.money_text(D("1250000")) == "1250000.00"
    assert money.whole_units(D("2.5")) == D(3) and money_filter(D("1234567.5")) == "1,234,568"
    with pytest.raises(TypeError):
        money.to_money(0.1)


def test_the_dashboards_budget_is_exact_decimal_text(org, people):
    proposal = ProposalFactory(organization=org, fiscal_year=2027)
    from budgets.models import BudgetItem

    for amount, domain in ((D("0.10"), "it"), (D("0.20"), "it"), (D("1000000.05"), "security")):
        BudgetItem.objects.create(
            organization=org,
            proposal=proposal,
            title="Item",
            domain=domain,
            category="software",
            kind="opex",
            amount=amount,
        )
    section = budget_section(organization=org, user=people["cio"])
    assert section["by_domain"] == {"it": "0.30", "security": "1000000.05", "joint": "0.00"}
    assert section["total"] == "1000000.35"  # 0.1 + 0.2 in floats is 0.30000000000000004
    assert D(section["total"]) == budget_selectors.proposal_summary(proposal).summary.total


# ---------------------------------------------------------- document date ----


def test_a_document_shows_the_date_of_its_current_state(org, people):
    proposal = ProposalFactory(
        organization=org,
        fiscal_year=2027,
        status=ProposalStatus.SUBMITTED,
        submitted_at=timezone.now() - timedelta(days=20),
    )
    label, when = budget_selectors.proposal_state_date(proposal)
    assert (label, when) == ("Submitted to the board on", proposal.submitted_at)
    proposal = budget_services.proposal_return(actor=people["ciso"], proposal=proposal, reason="Cut cloud.")
    assert budget_selectors.proposal_state_date(proposal) == ("Returned by the board on", proposal.decided_at)
    proposal = budget_services.proposal_reopen(actor=people["cio"], proposal=proposal)
    from budgets.models import BudgetItem

    BudgetItem.objects.create(
        organization=org,
        proposal=proposal,
        title="Item",
        domain="it",
        category="software",
        kind="opex",
        amount=D(10),
    )
    proposal = budget_services.proposal_start_review(actor=people["cio"], proposal=proposal)
    label, when = budget_selectors.proposal_state_date(proposal)
    assert label == "In joint review since" and when > proposal.decided_at > proposal.submitted_at


# -------------------------------------------------------------- sign-offs ----


def test_a_signoff_says_in_force_voided_or_withdrawn(org, people):
    subject = make_risk(org, people["cio"], number=1)
    cio = signoff_sign(actor=people["cio"], subject=subject, purpose="acceptance")
    ciso = signoff_sign(actor=people["ciso"], subject=subject, purpose="acceptance")
    assert (cio.state, ciso.state) == ("in_force", "in_force")
    signoff_withdraw(actor=people["cio"], subject=subject, purpose="acceptance")
    signoffs_void(subject=subject, purpose="acceptance", reason="The risk was reassessed.")
    states = {
        s.role: (s.state, s.void_reason)
        for s in SignOff.objects.filter(
            content_type=ContentType.objects.get_for_model(Risk), object_id=subject.pk
        )
    }
    assert states["cio"][0] == "withdrawn"
    assert states["ciso"] == ("voided", "The risk was reassessed.")


def test_the_signoffs_api_says_which_are_void(org, people, client_as):
    subject = make_risk(org, people["cio"], number=1, status=RiskStatus.ASSESSED)
    signoff_sign(actor=people["cio"], subject=subject, purpose="acceptance")
    signoffs_void(subject=subject, purpose="acceptance", reason="The risk was reassessed.")
    signoff_sign(actor=people["ciso"], subject=subject, purpose="acceptance")
    response = client_as("cio", api=True).get(f"/api/v1/orgs/{org.slug}/risks/{subject.pk}/signoffs/")
    assert response.status_code == 200
    rows = {row["role"]: row for row in response.json()}
    assert rows["cio"]["state"] == "voided" and rows["cio"]["void_reason"] == "The risk was reassessed."
    assert rows["cio"]["voided_at"] is not None
    assert rows["ciso"]["state"] == "in_force" and rows["ciso"]["voided_at"] is None


# -------------------------------------------------------------- ownership ----


def test_raci_gaps_and_overlaps_come_from_the_rules():
    gap = raci_rules.check_counts(accountable=0, responsible=1, cio_letters=set(), ciso_letters=set())
    overlap = raci_rules.check_counts(accountable=2, responsible=1, cio_letters={"A"}, ciso_letters={"A"})
    summary = raci_rules.summarize([gap, overlap])
    assert (summary.gaps, summary.overlaps) == (1, 1)


# ------------------------------------------------------------ one owner ----


def test_governance_computes_no_other_apps_figures():
    """The dashboard and report code reads other apps through their selectors
    only: it imports none of their models."""
    root = Path(settings.BASE_DIR) / "governance"
    for path in [
        *root.glob("*/selectors.py"),
        *root.glob("alignment/selectors/*.py"),
        *root.glob("alignment/services.py"),
        *root.glob("*/views.py"),
        *root.glob("alignment/views/*.py"),
        *root.glob("alignment/api/views.py"),
    ]:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not re.match(r"(risks|kpis|budgets)\.models", node.module), (path.name, node.module)
        assert "NoReverseMatch" not in path.read_text(), path.name
