"""seed_scale builds the benchmark's shape; a tiny --scale keeps it quick."""
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from bench.scale import LARGE_ORG_SLUG, SMALL_ORG_COUNT
from bench.scale.base import months_back
from core.models import Membership, Organization
from core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("seed_scale", scale=0.005, seed=7, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Organization.objects.get(slug=LARGE_ORG_SLUG)


def test_large_and_small_organizations_with_people(seeded):
    peers = Organization.objects.filter(slug__startswith=f"{LARGE_ORG_SLUG}-peer-")
    assert peers.count() == SMALL_ORG_COUNT
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
    periods = list(Measurement.objects.filter(kpi=kpis.first()).order_by("period").values_list("period", flat=True))
    assert len(periods) == 60 and len(set(periods)) == 60
    assert all(p.day == 1 for p in periods)


def test_same_seed_same_data_and_no_second_run_on_top(seeded):
    from risks.models import Risk

    first = list(Risk.objects.filter(organization=seeded).order_by("number").values_list("title", "inherent_score"))
    with pytest.raises(CommandError, match="already exists"):
        call_command("seed_scale", scale=0.005, seed=7)
    call_command("seed_scale", scale=0.005, seed=7, org_slug="copy", stdout=open("/dev/null", "w"))  # noqa: SIM115
    copy = Organization.objects.get(slug="copy")
    again = list(Risk.objects.filter(organization=copy).order_by("number").values_list("title", "inherent_score"))
    assert again == first


def test_months_back_crosses_the_year():
    assert months_back(date(2026, 2, 15), 3) == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]
