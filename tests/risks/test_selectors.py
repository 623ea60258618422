"""The selectors other apps (dashboard, reports) call: results and fixed query counts."""

import pytest

from risks import selectors

from .factories import assessed_risk, make_risk

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(org, people):
    return {
        "critical": assessed_risk(org, people, title="Critical", cio=(5, 5), ciso=(5, 4)),
        "split": assessed_risk(org, people, title="Split", cio=(1, 2), ciso=(4, 4)),
        "low": assessed_risk(org, people, title="Low", cio=(1, 1), ciso=(1, 1)),
        "new": make_risk(org, people["cio"], title="New"),
    }


def test_top_risks_and_biggest_divergences(org, register, django_assert_num_queries):
    with django_assert_num_queries(1):
        top = selectors.top_risks(org, 2)
    assert [r.title for r in top] == ["Critical", "Split"]
    with django_assert_num_queries(1):
        gaps = selectors.biggest_divergences(org, 5)
    assert [(r.title, r.divergence_levels) for r in gaps] == [("Split", 2)]


def test_summary_heatmap_and_register_agree(org, people, register, django_assert_num_queries):
    with django_assert_num_queries(1):
        summary = selectors.risk_summary(org)
    assert summary["total"] == 4 and summary["open_above_appetite"] == 2 and summary["divergent"] == 1
    assert summary["by_level"] == {"low": 1, "medium": 0, "high": 1, "critical": 1, "unassessed": 1}
    with django_assert_num_queries(1):
        grid = selectors.risk_heatmap(people["cio"], org)
    assert grid[4][4] == 1 and grid[3][3] == 1 and grid[0][0] == 1 and sum(map(sum, grid)) == 3
    assert selectors.risk_heatmap(people["board"], org) == [[0] * 5 for _ in range(5)]
    assert list(selectors.risk_register(people["board"], org, {})) == []


def test_needing_assessment_and_acceptances_waiting(org, people, register):
    assert [r.title for r in selectors.risks_needing_assessment(people["cio"], org)] == ["New"]
    assert selectors.acceptances_waiting_for(org, "cio") == []
