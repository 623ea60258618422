"""Scoring, levels, current rating, divergence, appetite and PERT: pure
functions, every boundary, no database."""

from decimal import Decimal

import pytest

from risks import scoring
from risks.scoring import Level, Rating


@pytest.mark.parametrize("likelihood", range(1, 6))
@pytest.mark.parametrize("impact", range(1, 6))
def test_score_is_likelihood_times_impact_over_the_whole_grid(likelihood, impact):
    assert scoring.score(likelihood, impact) == likelihood * impact


@pytest.mark.parametrize("bad", [0, 6, -1, 2.5, "3", None, True])
def test_score_refuses_values_outside_one_to_five(bad):
    with pytest.raises(ValueError):
        scoring.score(bad, 3)
    with pytest.raises(ValueError):
        scoring.score(3, bad)


@pytest.mark.parametrize(
    "value,expected",
    [
        (1, Level.LOW),
        (4, Level.LOW),
        (5, Level.MEDIUM),
        (9, Level.MEDIUM),
        (10, Level.HIGH),
        (16, Level.HIGH),
        (17, Level.CRITICAL),
        (25, Level.CRITICAL),
    ],
)
def test_default_level_boundaries(value, expected):
    assert scoring.level(value) is expected


def test_every_score_has_exactly_one_level_with_default_thresholds():
    levels = [scoring.level(v) for v in range(1, 26)]
    assert levels.count(Level.LOW) == 4 and levels.count(Level.MEDIUM) == 5
    assert levels.count(Level.HIGH) == 7 and levels.count(Level.CRITICAL) == 9


@pytest.mark.parametrize(
    "value,expected", [(2, "low"), (3, "medium"), (7, "medium"), (8, "high"), (19, "high"), (20, "critical")]
)
def test_level_follows_organization_thresholds(value, expected):
    assert scoring.level_key(value, (3, 8, 20)) == expected


def test_level_of_nothing_is_none_and_bad_scores_or_thresholds_are_refused():
    assert scoring.level(None) is None and scoring.level_key(None) == ""
    for bad in (0, 26):
        with pytest.raises(ValueError):
            scoring.level(bad)
    for thresholds in ((5, 5, 17), (10, 5, 17), (1, 5, 17), (5, 10, 26)):
        with pytest.raises(ValueError):
            scoring.level(7, thresholds)


def test_score_ranges_cover_one_to_twenty_five_without_gaps():
    thresholds = (4, 9, 15)
    covered = []
    for which in Level:
        low, high = scoring.score_range(which, thresholds)
        covered.extend(range(low, high + 1))
        assert all(scoring.level(v, thresholds) is which for v in range(low, high + 1))
    assert covered == list(range(1, 26))


def test_current_prefers_agreed_then_the_more_severe_lens():
    cio, ciso, agreed = Rating(2, 3), Rating(4, 4), Rating(3, 3)
    assert scoring.current(cio, ciso, agreed) == agreed
    assert scoring.current(cio, ciso) == ciso
    assert scoring.current(ciso, cio) == ciso
    assert scoring.current(None, cio) == cio
    assert scoring.current(None, None) is None


def test_current_breaks_a_tie_by_the_higher_impact():
    assert scoring.current(Rating(4, 2), Rating(2, 4)) == Rating(2, 4)
    assert scoring.current(Rating(2, 4), Rating(4, 2)) == Rating(2, 4)


@pytest.mark.parametrize(
    "a,b,levels",
    [
        (4, 5, 1),  # low | medium boundary
        (4, 4, 0),
        (5, 9, 0),
        (9, 10, 1),  # medium | high
        (16, 17, 1),  # high | critical
        (4, 10, 2),
        (5, 17, 2),
        (1, 25, 3),
        (25, 1, 3),
    ],
)
def test_divergence_counts_levels_apart_at_every_boundary(a, b, levels):
    assert scoring.divergence(a, b) == levels
    assert scoring.is_divergent(a, b) is (levels >= 1)


def test_divergence_needs_both_lenses_and_closes_when_agreed():
    assert scoring.divergence(None, 20) == 0 and scoring.divergence(20, None) == 0
    assert not scoring.is_divergent(1, 25, agreed=True)


@pytest.mark.parametrize(
    "value,appetite,above",
    [(9, 9, False), (10, 9, True), (1, 1, False), (2, 1, True), (25, 25, False), (None, 9, False)],
)
def test_above_appetite_is_strictly_greater(value, appetite, above):
    assert scoring.above_appetite(value, appetite) is above


@pytest.mark.parametrize("appetite", [0, 26])
def test_appetite_outside_the_scale_is_refused(appetite):
    with pytest.raises(ValueError):
        scoring.above_appetite(10, appetite)


def test_pert_mean_and_expected_annual_loss_are_decimal():
    assert scoring.pert_mean(Decimal("10"), Decimal("40"), Decimal("100")) == Decimal("45")
    eal = scoring.expected_annual_loss(Decimal("10000"), Decimal("50000"), Decimal("200000"), Decimal("0.5"))
    assert eal == Decimal("34166.67") and isinstance(eal, Decimal)
    assert scoring.expected_annual_loss(1, 1, 1, 0) == Decimal("0.00")
    assert scoring.expected_annual_loss(Decimal("0.01"), Decimal("0.01"), Decimal("0.02"), 1) == Decimal(
        "0.01"
    )


def test_pert_refuses_unordered_negative_or_float_amounts():
    with pytest.raises(ValueError):
        scoring.pert_mean(50, 40, 100)
    with pytest.raises(ValueError):
        scoring.pert_mean(10, 120, 100)
    with pytest.raises(ValueError):
        scoring.pert_mean(-1, 0, 1)
    with pytest.raises(TypeError):
        scoring.pert_mean(1.0, 2, 3)


def test_explain_divergence_in_plain_words():
    assert "Neither" in scoring.explain_divergence(None, None)
    assert "CIO has not assessed" in scoring.explain_divergence(None, Rating(3, 3))
    text = scoring.explain_divergence(Rating(2, 2), Rating(4, 5))
    assert text.startswith(
        "The CISO rates this risk Critical (20); the CIO rates it Low (4): three levels apart."
    )
    assert "more likely (4 against 2) and more damaging (5 against 2)" in text
    assert "register uses the higher view" in text
    assert "Both rate this risk Medium" in scoring.explain_divergence(Rating(2, 3), Rating(3, 2))
    assert "since agreed" in scoring.explain_divergence(Rating(2, 2), Rating(4, 5), agreed=True)
