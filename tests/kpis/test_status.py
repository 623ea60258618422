"""Pure rules: period alignment, status, trend, staleness (no database)."""

from datetime import date
from decimal import Decimal as D

import pytest

from kpis import status as s

HIGHER = {"direction": "higher", "target": D(95), "warning": D(90), "critical": D(80)}
LOWER = {"direction": "lower", "target": D(5), "warning": D(10), "critical": D(20)}


@pytest.mark.parametrize(
    "value, expected",
    [
        (D(100), "green"),
        (D(95), "green"),  # meets the target
        (D("94.99"), "amber"),
        (D("90.01"), "amber"),
        (D(90), "amber"),  # missed, inside the warning line
        (D("89.99"), "red"),
        (D("80.01"), "red"),
        (D(80), "red"),
        (D(0), "red"),  # beyond the warning line
    ],
)
def test_status_higher_is_better(value, expected):
    assert s.status_for(value, **HIGHER) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (D(0), "green"),
        (D(5), "green"),
        (D("5.01"), "amber"),
        (D("9.99"), "amber"),
        (D(10), "amber"),
        (D("10.01"), "red"),
        (D("19.99"), "red"),
        (D(20), "red"),
        (D(500), "red"),
    ],
)
def test_status_lower_is_better(value, expected):
    assert s.status_for(value, **LOWER) == expected


def test_status_none_without_value():
    assert s.status_for(None, **HIGHER) is None


def test_meeting_target_is_green_even_when_thresholds_coincide():
    assert s.status_for(D(0), direction="lower", target=D(0), warning=D(0), critical=D(3)) == "green"
    assert s.status_for(D(1), direction="lower", target=D(0), warning=D(0), critical=D(3)) == "red"
    assert s.status_for(D(100), direction="higher", target=D(100), warning=D(100), critical=D(100)) == "green"
    assert s.status_for(D(99), direction="higher", target=D(100), warning=D(100), critical=D(100)) == "red"


@pytest.mark.parametrize(
    "direction, target, warning, critical, ok",
    [
        ("higher", 95, 90, 80, True),
        ("higher", 95, 95, 95, True),
        ("higher", 95, 96, 80, False),
        ("higher", 95, 90, 91, False),
        ("lower", 5, 10, 20, True),
        ("lower", 5, 4, 20, False),
        ("lower", 5, 10, 9, False),
        ("lower", 0, 0, 0, True),
    ],
)
def test_thresholds_consistent(direction, target, warning, critical, ok):
    assert s.thresholds_consistent(direction, D(target), D(warning), D(critical)) is ok


# Trend: latest vs the mean of up to three values before; flat under 5 % of |target − critical| (15 → 0.75).
@pytest.mark.parametrize(
    "values, direction, expected",
    [
        ([D(80), D(81)], "higher", "improving"),
        ([D(81), D(80)], "higher", "worsening"),
        ([D(80), D(81)], "lower", "worsening"),
        ([D(81), D(80)], "lower", "improving"),
        ([D(80), D("80.74")], "higher", "flat"),  # just under the tolerance
        ([D(80), D("80.75")], "higher", "improving"),  # exactly at the tolerance
        ([D(80), D("79.25")], "higher", "worsening"),
        ([D(70), D(90), D(90), D(90), D("90.5")], "higher", "flat"),  # only the last three before count
        ([D(90), D(90), D(60), D(80)], "higher", "flat"),  # mean of 90, 90, 60 is 80
    ],
)
def test_trend(values, direction, expected):
    assert s.trend_for(values, direction=direction, target=D(95), critical=D(80)) == expected


def test_trend_needs_two_values_and_handles_equal_target_and_critical():
    assert s.trend_for([], direction="higher", target=D(1), critical=D(0)) is None
    assert s.trend_for([D(5)], direction="higher", target=D(1), critical=D(0)) is None
    # target == critical: the scale falls back to the earlier mean (10 → tolerance 0.5)
    assert s.trend_for([D(10), D("10.4")], direction="lower", target=D(0), critical=D(0)) == "flat"
    assert s.trend_for([D(10), D(11)], direction="lower", target=D(0), critical=D(0)) == "worsening"
    assert s.trend_for([D(0), D(1)], direction="lower", target=D(0), critical=D(0)) == "worsening"


@pytest.mark.parametrize(
    "day, frequency, expected",
    [
        (date(2026, 11, 23), "weekly", date(2026, 11, 23)),  # a Monday
        (date(2026, 11, 29), "weekly", date(2026, 11, 23)),  # Sunday
        (date(2026, 1, 1), "weekly", date(2025, 12, 29)),  # across years
        (date(2026, 11, 30), "monthly", date(2026, 11, 1)),
        (date(2026, 2, 28), "monthly", date(2026, 2, 1)),
        (date(2026, 3, 31), "quarterly", date(2026, 1, 1)),
        (date(2026, 4, 1), "quarterly", date(2026, 4, 1)),
        (date(2026, 12, 31), "quarterly", date(2026, 10, 1)),
    ],
)
def test_align_period(day, frequency, expected):
    assert s.align_period(day, frequency) == expected


def test_align_period_rejects_unknown_frequency():
    with pytest.raises(ValueError):
        s.align_period(date(2026, 1, 1), "daily")


def test_shift_and_end_of_period():
    assert s.shift_period(date(2026, 1, 1), "monthly", -1) == date(2025, 12, 1)
    assert s.shift_period(date(2026, 1, 1), "quarterly", -5) == date(2024, 10, 1)
    assert s.shift_period(date(2026, 11, 23), "weekly", 2) == date(2026, 12, 7)
    assert s.period_end(date(2026, 2, 1), "monthly") == date(2026, 2, 28)
    assert s.period_end(date(2026, 10, 1), "quarterly") == date(2026, 12, 31)
    assert s.period_end(date(2026, 11, 23), "weekly") == date(2026, 11, 29)


@pytest.mark.parametrize(
    "today, frequency, expected",
    [
        # monthly: October is expected once 10 grace days after 31 Oct have passed
        (date(2026, 11, 10), "monthly", date(2026, 9, 1)),
        (date(2026, 11, 11), "monthly", date(2026, 10, 1)),
        # weekly: grace of 3 days after Sunday
        (date(2026, 11, 25), "weekly", date(2026, 11, 9)),  # Wednesday: last week not due yet
        (date(2026, 11, 26), "weekly", date(2026, 11, 16)),  # Thursday: last week due
        # quarterly: 20 days
        (date(2026, 10, 20), "quarterly", date(2026, 4, 1)),
        (date(2026, 10, 21), "quarterly", date(2026, 7, 1)),
    ],
)
def test_latest_expected_period(today, frequency, expected):
    assert s.latest_expected_period(today, frequency) == expected


def test_stale_when_latest_expected_period_missing():
    today = date(2026, 11, 23)
    assert s.is_stale(None, frequency="monthly", today=today)
    assert s.is_stale(date(2026, 9, 1), frequency="monthly", today=today)
    assert not s.is_stale(date(2026, 10, 1), frequency="monthly", today=today)
    assert not s.is_stale(date(2026, 11, 1), frequency="monthly", today=today)  # current period already in
    assert s.is_stale(date(2026, 4, 1), frequency="quarterly", today=today)
    assert not s.is_stale(date(2026, 7, 1), frequency="quarterly", today=today)


def test_display_status_stale_wins():
    assert s.display_status("green", True) == "stale"
    assert s.display_status(None, False) == "stale"
    assert s.display_status("red", False) == "red"


def test_recent_periods_end_at_latest_expected():
    periods = s.recent_periods(date(2026, 11, 23), "monthly", 12)
    assert periods[0] == date(2025, 11, 1) and periods[-1] == date(2026, 10, 1) and len(periods) == 12


def test_labels():
    assert s.period_label(date(2026, 10, 1), "quarterly") == "Q4 2026"
    assert s.period_label(date(2026, 10, 1), "monthly") == "Oct 2026"
    assert s.period_label(date(2026, 11, 23), "weekly") == "Week of 23 Nov 2026"
