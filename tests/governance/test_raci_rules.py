"""RACI validation as pure functions: no database."""

import pytest

from governance.raci import rules
from governance.raci.library import DEFAULT_PARTIES, PARTY_KINDS, TEMPLATE_ACTIVITIES


def test_one_a_and_one_r_passes():
    check = rules.check_activity([("cio", "A"), ("it_operations", "R"), ("ciso", "C")])
    assert check.ok and check.problems == ()


def test_no_accountable_is_a_gap():
    check = rules.check_activity([("cio", "R"), ("ciso", "C")])
    assert check.is_gap and not check.is_overlap
    assert "No one is accountable" in check.labels


def test_several_accountable_is_an_overlap():
    check = rules.check_activity([("it_operations", "A"), ("development", "A"), ("cio", "R")])
    assert check.is_overlap and not check.is_gap and check.accountable_count == 2


def test_missing_responsible_is_flagged():
    check = rules.check_activity([("cio", "A"), ("ciso", "C")])
    assert check.problems == (rules.NO_RESPONSIBLE,)


def test_cio_and_ciso_both_accountable_is_flagged_with_the_overlap():
    check = rules.check_activity([("cio", "A"), ("ciso", "A"), ("it_operations", "R")])
    assert set(check.problems) == {rules.OVERLAP, rules.CIO_CISO_BOTH_ACCOUNTABLE}
    assert check.cio_ciso_conflict


def test_cio_and_ciso_both_absent_is_flagged():
    check = rules.check_activity([("it_operations", "A"), ("development", "R"), ("cio", "")])
    assert check.problems == (rules.CIO_CISO_BOTH_ABSENT,)


def test_one_executive_present_is_enough():
    assert rules.check_activity([("it_operations", "A"), ("development", "R"), ("ciso", "I")]).ok


def test_an_empty_row_has_every_basic_problem():
    check = rules.check_activity([])
    assert set(check.problems) == {rules.GAP, rules.NO_RESPONSIBLE, rules.CIO_CISO_BOTH_ABSENT}


@pytest.mark.parametrize(
    "current,expected", [("", "R"), ("R", "A"), ("A", "C"), ("C", "I"), ("I", ""), ("X", "R")]
)
def test_letter_cycle(current, expected):
    assert rules.next_letter(current) == expected


def test_summary_counts_each_kind_of_problem():
    checks = [
        rules.check_activity([("cio", "A"), ("it_operations", "R")]),
        rules.check_activity([("cio", "R")]),
        rules.check_activity([("cio", "A"), ("ciso", "A"), ("it_operations", "R")]),
    ]
    summary = rules.summarize(checks)
    assert (summary.activities, summary.ok, summary.gaps, summary.overlaps) == (3, 1, 1, 1)
    assert summary.cio_ciso_conflicts == 1 and summary.problems == 2
    assert summary.coverage == pytest.approx(1 / 3)


def test_empty_matrix_has_no_coverage():
    assert rules.summarize([]).coverage is None


def test_template_library_is_large_and_valid():
    assert len(TEMPLATE_ACTIVITIES) >= 25
    assert len({a.name for a in TEMPLATE_ACTIVITIES}) == len(TEMPLATE_ACTIVITIES)
    assert len(DEFAULT_PARTIES) == len(PARTY_KINDS) == 9
    for activity in TEMPLATE_ACTIVITIES:
        assert rules.check_activity(activity.assignments().items()).ok, activity.name
