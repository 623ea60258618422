"""The CSF profile's pure rules (risks/profile/rules.py), without a database."""

import pytest

from risks.profile import rules


@pytest.mark.parametrize(
    ("lens", "cio", "ciso", "expected"),
    [
        ("it", 2, 0, 2),
        ("it", None, 3, None),
        ("security", 2, 1, 1),
        ("joint", 3, 1, 1),
        ("joint", None, 2, 2),
        ("joint", 2, None, 2),
        ("joint", None, None, None),
    ],
)
def test_current_level_follows_the_owner_lens(lens, cio, ciso, expected):
    assert rules.current_level(lens, cio, ciso) == expected


def test_divergence_only_on_joint_outcomes_both_assessed():
    assert rules.diverges("joint", 1, 2)
    assert not rules.diverges("joint", 2, 2)
    assert not rules.diverges("joint", None, 2)
    assert not rules.diverges("it", 1, 2)


def test_gap_and_met_are_complements_in_scope():
    for current in (None, 0, 1, 2, 3):
        for target in range(4):
            assert rules.is_gap(True, current, target) != rules.is_met(True, current, target)
            assert not rules.is_gap(False, current, target) and not rules.is_met(False, current, target)
    assert rules.is_gap(True, None, 1) and rules.is_met(True, None, 0)


def test_progress_counts_outcomes_in_scope_at_or_above_target():
    progress = rules.progress([(True, 2, 2), (True, 1, 2), (True, 3, 2), (False, 0, 3), (True, None, 1)])
    assert (progress.met, progress.in_scope, progress.gaps, progress.percent) == (2, 4, 2, 50)
    assert progress.sentence == "50% of target outcomes met"
    empty = rules.progress([(False, 0, 2)])
    assert empty.percent is None and "No outcome is in scope" in empty.sentence
    assert rules.progress([(True, 1, 1)] * 5 + [(True, 0, 1)] * 3).percent == 62


def test_bars_average_in_scope_outcomes_and_skip_empty_groups():
    bars = rules.bars([("GV", "Govern", [(True, 1, 3), (True, 3, 3), (False, 0, 3)]), ("ID", "Identify", [])])
    assert len(bars) == 1
    bar = bars[0]
    assert (bar.code, bar.current, bar.target, bar.outcomes, bar.met) == ("GV", 2.0, 3.0, 2, 1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("GV", "Give the tiers"),
        ({"XX": 2}, "'XX' is not a CSF function"),
        ({"GV": 5}, "must be 1, 2, 3 or 4"),
        ({"GV": True}, "must be 1, 2, 3 or 4"),
        ({"GV": 1.5}, "must be 1, 2, 3 or 4"),
    ],
)
def test_tiers_refuse_what_is_not_a_tier(value, message):
    with pytest.raises(ValueError, match=message):
        rules.clean_tiers(value, ["GV", "ID"])


def test_tiers_accept_blank_and_numbers():
    assert rules.clean_tiers({"GV": "2", "ID": None}, ["GV", "ID"]) == {"GV": 2}
    assert rules.clean_tiers(None, ["GV"]) == {}
