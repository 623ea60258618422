"""Intake tiering and business-day clocks as pure functions: no database."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from governance.intake import rules

TZ = ZoneInfo("Europe/Amsterdam")


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    """November 2026: the 2nd is a Monday, the 7th/8th a weekend."""
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


ANSWERS = dict(
    data_classification="internal",
    personal_data="none",
    internet_facing=False,
    third_party=False,
    changes_authentication=False,
    business_criticality="low",
)


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
    result = tier(
        data_classification="confidential",
        personal_data="basic",
        internet_facing=True,
        business_criticality="medium",
    )  # 2 + 2 + 2 + 1
    assert result.points == 7 and result.tier == "high"


def test_six_points_is_medium():
    result = tier(data_classification="confidential", personal_data="basic", internet_facing=True)
    assert result.points == 6 and result.tier == "medium"


@pytest.mark.parametrize(
    "changes",
    [
        {"data_classification": "restricted"},
        {"personal_data": "sensitive"},
        {"internet_facing": True, "changes_authentication": True},
    ],
)
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


# ------------------------------------------------ adding business days ---


def test_add_business_days_skips_weekends_and_pauses():
    assert rules.add_business_days(at(2, 9), 3) == at(5, 9)
    assert rules.add_business_days(at(5, 9), 2) == at(9, 9)  # Thursday + 2 = Monday
    assert rules.add_business_days(at(7, 10), 0.5) == at(9, 12)  # from a Saturday: Monday noon
    assert rules.add_business_days(at(2, 9), 3, [(at(3, 9), at(5, 9))]) == at(9, 9)


def test_add_business_days_ends_of_idle_stretches():
    # Five days from Monday 0:00 are reached on Friday at midnight; the clock then
    # stands still until Monday 0:00, the last moment the count is still five.
    assert rules.add_business_days(at(2, 0), 5) == at(7, 0)
    assert rules.add_business_days(at(2, 0), 5, past_idle=True) == at(9, 0)
    pauses = [(at(3, 12), at(4, 12))]
    assert rules.add_business_days(at(3, 0), 0.5, pauses) == at(3, 12)
    assert rules.add_business_days(at(3, 0), 0.5, pauses, past_idle=True) == at(4, 12)
    assert rules.add_business_days(at(4, 9), 0) == at(4, 9)


def test_add_business_days_stops_at_a_running_pause():
    assert rules.add_business_days(at(2, 9), 3, [(at(3, 9), None)]) is None
    assert rules.add_business_days(at(2, 9), 1, [(at(3, 9), None)]) == at(3, 9)


def test_add_business_days_counts_back_without_pauses():
    assert rules.add_business_days(at(9, 9), -1) == at(6, 9)
    assert rules.business_days(rules.add_business_days(at(10, 15), -2.25), at(10, 15)) == pytest.approx(2.25)
    with pytest.raises(ValueError):
        rules.add_business_days(at(9, 9), -1, [(at(3, 9), at(4, 9))])


def _random_case(rng: random.Random):
    start = datetime(2026, 1, 1, tzinfo=TZ) + timedelta(minutes=rng.randint(0, 400 * 24 * 60))
    if rng.random() < 0.3:  # midnight starts hit the weekend boundaries
        start = start.replace(hour=0, minute=0)
    pauses = []
    for _ in range(rng.randint(0, 3)):
        p_start = start + timedelta(hours=rng.randint(-48, 400))
        pauses.append((p_start, p_start + timedelta(hours=rng.randint(0, 120))))
    return start, pauses


@pytest.mark.parametrize("seed", range(4))
def test_add_business_days_is_the_inverse_of_business_days(seed):
    """Property: business_days(start, add_business_days(start, d)) == d, the
    earliest such moment (or the latest with past_idle), weekends, pauses, DST
    changes (Amsterdam, 2026) included."""
    rng = random.Random(seed)
    tick = timedelta(microseconds=1)
    for _ in range(500):
        start, pauses = _random_case(rng)
        days = rng.choice([0, 0.5, 1, 2, 3.75, 5, 10, round(rng.uniform(0, 30), 4)])
        earliest = rules.add_business_days(start, days, pauses)
        latest = rules.add_business_days(start, days, pauses, past_idle=True)
        assert rules.business_days(start, earliest, pauses) == pytest.approx(days, abs=1e-9)
        assert rules.business_days(start, latest, pauses) == pytest.approx(days, abs=1e-9)
        assert earliest <= latest
        if days:
            assert rules.business_days(start, earliest - tick, pauses) < days
        assert rules.business_days(start, latest + tick, pauses) > days


@pytest.mark.parametrize("seed", range(4))
def test_stored_moments_give_the_clock_and_its_state(seed):
    """Property: from the moments stored at ``now``, the clock at any later
    moment and its SLA state (breached once past ``due_at``, at risk from
    ``at_risk_at``) are exactly what business_days and sla_status say."""
    rng = random.Random(100 + seed)
    tick = timedelta(microseconds=1)
    for _ in range(300):
        start, pauses = _random_case(rng)
        now = start + timedelta(hours=rng.randint(0, 600))
        pauses = [(s, e) for s, e in pauses if e < now]
        sla, percent = rng.choice([1, 2, 5, 10]), rng.choice([50, 75, 80, 99])
        moments = rules.sla_moments(
            submitted_at=start, sla_days=sla, at_risk_percent=percent, now=now, pauses=pauses
        )
        if moments.due_at > now:
            assert moments.due_at == rules.add_business_days(start, sla, pauses, past_idle=True)
        later = [
            now,
            now + timedelta(minutes=rng.randint(0, 30 * 24 * 60)),
            *(m + d for m in (moments.due_at, moments.at_risk_at) for d in (-tick, 0 * tick, tick)),
        ]
        for moment in (m for m in later if m >= now):
            elapsed = rules.business_days(start, moment, pauses)
            assert rules.elapsed_at(moments, sla, moment) == pytest.approx(elapsed, abs=1e-9)
            stored_state = (
                rules.BREACHED
                if moment > moments.due_at
                else rules.AT_RISK
                if moment >= moments.at_risk_at
                else rules.ON_TRACK
            )
            assert stored_state == rules.sla_status(elapsed, sla, at_risk_percent=percent)


def test_a_stopped_clock_stores_what_it_counted():
    pauses = [(at(3, 9), None)]
    paused = rules.sla_moments(
        submitted_at=at(2, 9), sla_days=5, at_risk_percent=75, now=at(12, 9), pauses=pauses, paused=True
    )
    assert (paused.due_at, paused.at_risk_at, paused.elapsed_days) == (None, None, pytest.approx(1))
    assert rules.elapsed_at(paused, 5, at(20, 9)) == pytest.approx(1)
    decided = rules.sla_moments(
        submitted_at=at(2, 9), sla_days=5, at_risk_percent=75, now=at(20, 9), decided_at=at(4, 21)
    )
    assert decided.due_at is None and decided.elapsed_days == pytest.approx(2.5)
