"""Intake tiering and business-day clocks as pure functions: no database."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from governance import intake_rules as rules

TZ = ZoneInfo("Europe/Amsterdam")


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    """November 2026: the 2nd is a Monday, the 7th/8th a weekend."""
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


ANSWERS = dict(data_classification="internal", personal_data="none", internet_facing=False, third_party=False,
               changes_authentication=False, business_criticality="low")


def tier(**changes):
    return rules.tier_for(**{**ANSWERS, **changes})


# ---------------------------------------------------------------- tiering ---

def test_everyday_internal_tool_is_low():
    result = tier()
    assert result.tier == "low" and result.points == 1


def test_three_points_is_medium():
    assert tier(third_party=True, business_criticality="medium").tier == "medium"  # 1 + 1 + 1


def test_just_below_medium_is_low():
    assert tier(third_party=True).tier == "low"  # 2 points


def test_seven_points_is_high():
    result = tier(data_classification="confidential", personal_data="basic", internet_facing=True,
                  business_criticality="medium")  # 2 + 2 + 2 + 1
    assert result.points == 7 and result.tier == "high"


def test_six_points_is_medium():
    result = tier(data_classification="confidential", personal_data="basic", internet_facing=True)
    assert result.points == 6 and result.tier == "medium"


@pytest.mark.parametrize("changes", [
    {"data_classification": "restricted"},
    {"personal_data": "sensitive"},
    {"internet_facing": True, "changes_authentication": True},
])
def test_hard_triggers_make_a_request_high_whatever_the_points(changes):
    result = tier(**changes)
    assert result.tier == "high"
    assert result.reasons and "points" not in result.reasons[0]


def test_reasons_explain_the_points_band():
    assert "under 3 is low" in tier().reasons[0]


# ----------------------------------------------------------------- clocks ---

def test_same_day():
    assert rules.business_days(at(2, 9), at(2, 21)) == pytest.approx(0.5)


def test_full_week_counts_five_days():
    assert rules.business_days(at(2, 9), at(9, 9)) == pytest.approx(5)


def test_friday_to_monday_skips_the_weekend():
    assert rules.business_days(at(6, 17), at(9, 17)) == pytest.approx(1)


def test_submitted_on_saturday_starts_counting_on_monday():
    assert rules.business_days(at(7, 10), at(9, 12)) == pytest.approx(0.5)


def test_weekend_only_counts_nothing():
    assert rules.business_days(at(7, 0), at(9, 0)) == 0


def test_end_before_start_is_zero():
    assert rules.business_days(at(5), at(3)) == 0


def test_midnight_boundaries():
    assert rules.business_days(at(2, 0), at(3, 0)) == pytest.approx(1)
    assert rules.business_days(at(6, 0), at(9, 0)) == pytest.approx(1)  # Friday only


def test_pause_is_not_counted():
    pauses = [(at(3, 9), at(5, 9))]  # two business days waiting for the requester
    assert rules.business_days(at(2, 9), at(9, 9), pauses) == pytest.approx(3)


def test_pause_over_a_weekend_only_removes_business_time():
    pauses = [(at(6, 9), at(9, 9))]  # Friday 9:00 → Monday 9:00 = 1 business day
    assert rules.business_days(at(2, 9), at(10, 9), pauses) == pytest.approx(5)


def test_running_pause_stops_the_clock_until_now():
    pauses = [(at(4, 9), None)]
    assert rules.business_days(at(2, 9), at(6, 9), pauses) == pytest.approx(2)


def test_overlapping_and_out_of_range_pauses_count_once():
    pauses = [(at(3, 9), at(4, 9)), (at(3, 21), at(4, 21)), (at(1, 0), at(2, 9)), (at(20), at(21))]
    assert rules.business_days(at(2, 9), at(6, 9), pauses) == pytest.approx(2.5)


def test_sla_status_boundaries():
    assert rules.sla_status(3.7, 5) == rules.ON_TRACK
    assert rules.sla_status(3.75, 5) == rules.AT_RISK
    assert rules.sla_status(5, 5) == rules.AT_RISK  # at the limit, not yet over it
    assert rules.sla_status(5.01, 5) == rules.BREACHED
    assert rules.sla_status(1, 2, at_risk_percent=50) == rules.AT_RISK


def test_median_days():
    assert rules.median_days([]) is None
    assert rules.median_days([1, 9, 3]) == 3
    assert rules.median_days([1.0, 2.0]) == 1.5


def test_clock_is_timezone_aware_for_weekends():
    # Friday 23:30 in Amsterdam is still Friday locally; only 30 minutes count before the weekend.
    start = datetime(2026, 11, 6, 23, 30, tzinfo=TZ)
    assert rules.business_days(start, start + timedelta(days=2)) == pytest.approx(0.5 / 24)
