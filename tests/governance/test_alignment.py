"""The alignment score as pure functions: no database."""

import pytest

from governance.alignment import rules as a

EMPTY = {
    "agreement": {"open_risks": 0, "divergent": 0, "not_assessed": 0},
    "accountability": {"activities": 0, "gaps": 0, "overlaps": 0},
    "kpis": {"green": 0, "amber": 0, "red": 0, "stale": 0},
    "latency": {"decided": 0, "decided_on_time": 0, "pending": 0, "pending_overdue": 0},
    "linkage": {"security_budget": 0, "linked_budget": 0},
}
PERFECT = {
    "agreement": {"open_risks": 12, "divergent": 0, "not_assessed": 0},
    "accountability": {"activities": 10, "gaps": 0, "overlaps": 0},
    "kpis": {"green": 9, "amber": 0, "red": 0, "stale": 0},
    "latency": {"decided": 7, "decided_on_time": 7, "pending": 3, "pending_overdue": 0},
    "linkage": {"security_budget": 500000, "linked_budget": 500000},
}
WORST = {
    "agreement": {"open_risks": 4, "divergent": 2, "not_assessed": 2},
    "accountability": {"activities": 5, "gaps": 3, "overlaps": 2},
    "kpis": {"green": 0, "amber": 0, "red": 3, "stale": 2},
    "latency": {"decided": 2, "decided_on_time": 0, "pending": 2, "pending_overdue": 2},
    "linkage": {"security_budget": 1000, "linked_budget": 0},
}


def test_weights_sum_to_one_and_every_part_is_documented():
    assert sum(p.weight for p in a.PARTS) == pytest.approx(1.0)
    assert [p.key for p in a.PARTS] == [a.AGREEMENT, a.ACCOUNTABILITY, a.KPI_HEALTH, a.LATENCY, a.LINKAGE]
    assert all(p.measures.endswith(".") for p in a.PARTS)


def test_empty_organization_has_no_score_and_says_why():
    result = a.compute(**EMPTY)
    assert result.score is None
    assert result.band == "none"
    assert all(not part.measured for part in result.parts)
    assert all(part.points is None for part in result.parts)
    assert all("yet" in part.explanation for part in result.parts)
    assert a.effective_weights(result.parts) == [0.0] * 5


def test_perfect_organization_scores_100():
    result = a.compute(**PERFECT)
    assert result.score == 100
    assert result.band == "good"
    assert [p.points for p in result.parts] == [100] * 5
    assert sum(a.effective_weights(result.parts)) == pytest.approx(1.0)


def test_worst_organization_scores_0():
    result = a.compute(**WORST)
    assert result.score == 0
    assert result.band == "poor"
    assert [p.value for p in result.parts] == [0.0] * 5


def test_blend_uses_documented_weights():
    parts = [
        a.assessment_agreement(open_risks=10, divergent=5, not_assessed=0),  # 0.5 × 25
        a.accountability_coverage(activities=4, gaps=0, overlaps=0),  # 1.0 × 20
        a.kpi_health(green=0, amber=0, red=1, stale=0),  # 0 × 20
        a.decision_latency(decided=4, decided_on_time=3, pending=0, pending_overdue=0),  # 0.75 × 20
        a.budget_risk_linkage(security_budget=100, linked_budget=40),  # 0.4 × 15
    ]
    assert a.alignment_score(parts).score == round(12.5 + 20 + 0 + 15 + 6)


def test_unmeasured_parts_are_left_out_and_weights_rescaled():
    only_agreement = a.compute(**{**EMPTY, "agreement": {"open_risks": 4, "divergent": 1, "not_assessed": 0}})
    assert only_agreement.score == 75
    assert a.effective_weights(only_agreement.parts) == [1.0, 0.0, 0.0, 0.0, 0.0]
    two = a.compute(
        **{
            **EMPTY,
            "agreement": {"open_risks": 1, "divergent": 0, "not_assessed": 0},
            "kpis": {"green": 0, "amber": 0, "red": 1, "stale": 0},
        }
    )
    # 25 % on a full part and 20 % on an empty one: 25 / 45 of the way.
    assert two.score == round(100 * 0.25 / 0.45)


class TestAssessmentAgreement:
    def test_boundaries(self):
        assert a.assessment_agreement(open_risks=1, divergent=0, not_assessed=0).value == 1.0
        assert a.assessment_agreement(open_risks=1, divergent=1, not_assessed=0).value == 0.0
        assert a.assessment_agreement(open_risks=1, divergent=0, not_assessed=1).value == 0.0
        assert a.assessment_agreement(open_risks=0, divergent=0, not_assessed=0).value is None

    def test_explanation_names_the_counts(self):
        part = a.assessment_agreement(open_risks=10, divergent=2, not_assessed=1)
        assert part.points == 70
        assert "7 of 10" in part.explanation and "2 divergent" in part.explanation
        assert part.inputs == {"open_risks": 10, "divergent": 2, "not_assessed": 1}

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"open_risks": -1, "divergent": 0, "not_assessed": 0},
            {"open_risks": 2, "divergent": 2, "not_assessed": 1},
        ],
    )
    def test_impossible_inputs_are_refused(self, kwargs):
        with pytest.raises(ValueError):
            a.assessment_agreement(**kwargs)


class TestAccountabilityCoverage:
    def test_boundaries(self):
        assert a.accountability_coverage(activities=3, gaps=0, overlaps=0).value == 1.0
        assert a.accountability_coverage(activities=3, gaps=3, overlaps=0).value == 0.0
        assert a.accountability_coverage(activities=3, gaps=0, overlaps=3).value == 0.0
        assert a.accountability_coverage(activities=0, gaps=0, overlaps=0).value is None
        assert a.accountability_coverage(activities=4, gaps=1, overlaps=1).points == 50

    def test_impossible_inputs_are_refused(self):
        with pytest.raises(ValueError):
            a.accountability_coverage(activities=1, gaps=1, overlaps=1)


class TestKpiHealth:
    def test_boundaries(self):
        assert a.kpi_health(green=2, amber=0, red=0, stale=0).value == 1.0
        assert a.kpi_health(green=0, amber=2, red=0, stale=0).value == 0.5
        assert a.kpi_health(green=0, amber=0, red=2, stale=0).value == 0.0
        assert a.kpi_health(green=0, amber=0, red=0, stale=2).value == 0.0
        assert a.kpi_health(green=0, amber=0, red=0, stale=0).value is None

    def test_stale_counts_against(self):
        assert a.kpi_health(green=3, amber=0, red=0, stale=1).points == 75
        assert "1 stale" in a.kpi_health(green=3, amber=0, red=0, stale=1).explanation

    def test_negative_is_refused(self):
        with pytest.raises(ValueError):
            a.kpi_health(green=-1, amber=0, red=0, stale=0)


class TestDecisionLatency:
    def test_boundaries(self):
        assert a.decision_latency(decided=2, decided_on_time=2, pending=0, pending_overdue=0).value == 1.0
        assert a.decision_latency(decided=2, decided_on_time=0, pending=0, pending_overdue=0).value == 0.0
        assert a.decision_latency(decided=0, decided_on_time=0, pending=2, pending_overdue=2).value == 0.0
        assert a.decision_latency(decided=0, decided_on_time=0, pending=2, pending_overdue=0).value == 1.0
        assert a.decision_latency(decided=0, decided_on_time=0, pending=0, pending_overdue=0).value is None

    def test_pending_overdue_counts_against(self):
        assert a.decision_latency(decided=3, decided_on_time=3, pending=1, pending_overdue=1).points == 75

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"decided": 1, "decided_on_time": 2, "pending": 0, "pending_overdue": 0},
            {"decided": 0, "decided_on_time": 0, "pending": 1, "pending_overdue": 2},
        ],
    )
    def test_impossible_inputs_are_refused(self, kwargs):
        with pytest.raises(ValueError):
            a.decision_latency(**kwargs)


class TestBudgetRiskLinkage:
    def test_boundaries(self):
        assert a.budget_risk_linkage(security_budget=100, linked_budget=100).value == 1.0
        assert a.budget_risk_linkage(security_budget=100, linked_budget=0).value == 0.0
        assert a.budget_risk_linkage(security_budget=0, linked_budget=0).value is None
        assert a.budget_risk_linkage(security_budget=None, linked_budget=None).value is None

    def test_decimal_amounts(self):
        from decimal import Decimal

        part = a.budget_risk_linkage(security_budget=Decimal("200000.00"), linked_budget=Decimal("50000.00"))
        assert part.points == 25
        assert part.inputs == {"security_budget": 200000.0, "linked_budget": 50000.0}
        assert "25%" in part.explanation

    def test_linked_above_total_is_refused(self):
        with pytest.raises(ValueError):
            a.budget_risk_linkage(security_budget=10, linked_budget=11)


def test_bands_and_change():
    assert [a.score_band(s) for s in (None, 0, 49, 50, 74, 75, 100)] == [
        "none",
        "poor",
        "poor",
        "fair",
        "fair",
        "good",
        "good",
    ]
    assert a.score_change(70, 64) == 6
    assert a.score_change(60, 64) == -4
    assert a.score_change(None, 64) is None
    assert a.score_change(64, None) is None


def test_as_dict_is_json_ready():
    import json

    data = a.compute(**PERFECT).as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["score"] == 100
    assert data["parts"][0]["effective_weight"] == 0.25
    assert set(data["parts"][0]) >= {"key", "label", "weight", "value", "points", "inputs", "explanation"}
