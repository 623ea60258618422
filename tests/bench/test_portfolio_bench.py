"""``make bench``'s portfolio measurement, on a few organizations: it measures
and leaves the database as it found it."""

import pytest

from bench import portfolio as bench_portfolio
from bench.report import portfolio_line
from core.models import Membership, User
from core.roles import Role
from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db


def test_portfolio_measurement_rolls_back(monkeypatch):
    for n in range(4):
        org = OrganizationFactory(slug=f"peer-{n}")
        member(org, Role.CISO)
    monkeypatch.setattr(bench_portfolio, "COUNTS", (2, 4))
    before = list(Membership.objects.order_by("pk").values_list("pk", "role"))
    figures = bench_portfolio.time_portfolio()
    assert figures["organizations"]["2"]["rows"] == 2 and figures["organizations"]["4"]["rows"] == 4
    assert figures["cold_queries_per_org"] > 0
    assert list(Membership.objects.order_by("pk").values_list("pk", "role")) == before
    assert not User.objects.filter(email="bench-vciso@example.test").exists()
    assert "queries per organization cold" in portfolio_line(figures)


def test_portfolio_line_without_figures():
    assert "not measured" in portfolio_line(None)
    assert "only 3" in portfolio_line({"missing": "only 3 organizations seeded"})
