"""seed_scale builds the benchmark's shape; a tiny --scale keeps it quick."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from bench.scale import LARGE_ORG_SLUG
from bench.scale.base import months_back
from core.models import Membership, Organization
from core.roles import Role

pytestmark = pytest.mark.django_db
PEERS = 2  # the real data set has SMALL_ORG_COUNT; two prove the shape quickly


@pytest.fixture
def seeded():
    call_command("seed_scale", scale=0.005, seed=7, peers=PEERS, stdout=open("/dev/null", "w"))
    return Organization.objects.get(slug=LARGE_ORG_SLUG)


def test_large_and_small_organizations_with_people(seeded):
    peers = Organization.objects.filter(slug__startswith=f"{LARGE_ORG_SLUG}-peer-")
    assert peers.count() == PEERS
    roles = set(Membership.objects.filter(organization=seeded).values_list("role", flat=True))
    assert roles == {r.value for r in Role}
    cio = Membership.objects.get(organization=seeded, role=Role.CIO).user
    assert cio.email == f"cio@{LARGE_ORG_SLUG}.example"
    assert cio.check_password("concord-demo-2026")


def test_risks_keep_the_services_invariants(seeded):
    from risks import scoring
    from risks.models import Assessment, Mitigation, Risk, RiskCounter

    risks = list(Risk.objects.filter(organization=seeded).order_by("number"))
    assert len(risks) == 100  # 20,000 × 0.005
    assert [r.reference for r in risks[:2]] == ["R-001", "R-002"]
    assert RiskCounter.objects.get(organization=seeded).last_number == 100
    lenses = {}
    for a in Assessment.objects.filter(organization=seeded):
        lenses.setdefault(a.risk_id, {})[a.lens] = a
    for risk in risks:
        mine = lenses[risk.pk]
        assert {"cio", "ciso"} <= set(mine)
        assert risk.cio_score == mine["cio"].inherent_score and risk.ciso_score == mine["ciso"].inherent_score
        agreed = mine.get("agreed")
        assert risk.is_agreed == (agreed is not None)
        rating = lambda a: a and scoring.Rating(a.inherent_likelihood, a.inherent_impact)  # noqa: E731
        current = scoring.current(rating(mine["cio"]), rating(mine["ciso"]), rating(agreed))
        assert risk.inherent_score == current.score
        assert risk.residual_score <= risk.inherent_score or agreed is not None
    assert Mitigation.objects.filter(organization=seeded).count() == 10
    assert risks[0].csf_categories.count() == 2


def test_kpis_have_one_value_per_month(seeded):
    from kpis.models import KPI, Measurement

    kpis = KPI.objects.filter(organization=seeded)
    assert kpis.count() == 2  # 300 × 0.005 rounds to 2
    periods = list(
        Measurement.objects.filter(kpi=kpis.first()).order_by("period").values_list("period", flat=True)
    )
    assert len(periods) == 60 and len(set(periods)) == 60
    assert all(p.day == 1 for p in periods)


def test_same_seed_same_data_and_no_second_run_on_top(seeded):
    from risks.models import Risk

    first = list(
        Risk.objects.filter(organization=seeded).order_by("number").values_list("title", "inherent_score")
    )
    with pytest.raises(CommandError, match="already exists"):
        call_command("seed_scale", scale=0.005, seed=7)
    call_command(
        "seed_scale", scale=0.005, seed=7, peers=PEERS, org_slug="copy", stdout=open("/dev/null", "w")
    )
    copy = Organization.objects.get(slug="copy")
    again = list(
        Risk.objects.filter(organization=copy).order_by("number").values_list("title", "inherent_score")
    )
    assert again == first


def test_months_back_crosses_the_year():
    assert months_back(date(2026, 2, 15), 3) == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]


def test_budgets_keep_amounts_and_sign_offs(seeded):
    from budgets.models import BudgetItem, ItemOption, Proposal
    from core.models import SignOff

    proposals = list(Proposal.objects.filter(organization=seeded).order_by("fiscal_year"))
    assert [p.status for p in proposals] == ["approved", "submitted", "joint_review"]
    items = BudgetItem.objects.filter(organization=seeded)
    assert items.count() == 10  # 2,000 × 0.005, half of them in the newest proposal
    assert items.filter(proposal=proposals[-1]).count() == 5
    for option in ItemOption.objects.filter(organization=seeded, is_chosen=True).select_related("item"):
        assert option.cost == option.item.amount
    signed = SignOff.objects.filter(organization=seeded, purpose="submission")
    assert sorted(signed.values_list("object_id", "role")) == sorted(
        (p.pk, role) for p in proposals[:2] for role in ("cio", "ciso")
    )


def test_governance_raci_intake_and_published_reports(seeded):
    from governance.intake import rules as intake_rules
    from governance.models import AlignmentReport, IntakeRequest, RaciAssignment, RaciParty

    assert RaciParty.objects.filter(organization=seeded).count() == 15
    assert RaciAssignment.objects.filter(organization=seeded).count() == 15  # one activity, every party
    requests = list(IntakeRequest.objects.filter(organization=seeded).order_by("reference"))
    assert len(requests) == 15 and requests[0].reference == "IR-001"
    for r in requests:
        assert (
            r.tier
            == intake_rules.tier_for(
                data_classification=r.data_classification,
                personal_data=r.personal_data,
                internet_facing=r.internet_facing,
                third_party=r.third_party,
                changes_authentication=r.changes_authentication,
                business_criticality=r.business_criticality,
            ).tier
        )
        assert (r.decided_at is not None) == (
            r.status in ("approved", "approved_with_conditions", "rejected")
        )
    reports = list(AlignmentReport.objects.filter(organization=seeded).order_by("period_end"))
    assert len(reports) == 12 and all(r.is_published and r.is_ready for r in reports)
    assert len({r.period_start for r in reports}) == 12
    latest = reports[-1].snapshot
    assert latest["period"]["label"] == reports[-1].period_label
    assert latest["trend"][-1]["current"] is True and latest["organization"]["slug"] == LARGE_ORG_SLUG
