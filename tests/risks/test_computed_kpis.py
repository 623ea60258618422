"""Computed KPIs of the register, against known data."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kpis.registry import registered_computed_kpis
from risks import services

from .factories import assessed_risk, make_risk

pytestmark = pytest.mark.django_db


def _value(key, org, day=None):
    day = day or timezone.localdate()
    return registered_computed_kpis()[key].compute(org, day.replace(day=1), day)


def test_both_are_registered_with_their_definitions():
    specs = registered_computed_kpis()
    assert specs["open_risks_above_appetite"].unit == "count"
    assert specs["divergent_risk_assessments"].unit == "percent"
    assert specs["divergent_risk_assessments"].direction == "lower"


def test_nothing_to_measure_without_risks(org):
    assert _value("open_risks_above_appetite", org) is None
    assert _value("divergent_risk_assessments", org) is None


def test_open_risks_above_appetite_counts_only_open_ones(org, people):
    assessed_risk(org, people, cio=(4, 4), ciso=(4, 4))  # 16 > 9: counts
    assessed_risk(org, people, cio=(3, 3), ciso=(3, 3))  # 9 = appetite: does not
    closed = assessed_risk(org, people, cio=(5, 5), ciso=(5, 5))  # closed: does not
    services.risk_update(actor=people["cio"], risk=closed, expected_version=closed.version, status="closed")
    make_risk(org, people["cio"])  # not assessed: does not
    assert _value("open_risks_above_appetite", org) == Decimal("1")


def test_divergent_share_in_percent(org, people):
    assessed_risk(org, people, cio=(1, 2), ciso=(4, 5))  # divergent
    assessed_risk(org, people, cio=(4, 4), ciso=(4, 4))  # same
    assessed_risk(org, people, cio=(2, 2), ciso=(2, 2))  # same
    one_lens = make_risk(org, people["cio"])  # only one lens: not counted
    services.assessment_record(
        actor=people["cio"],
        risk=one_lens,
        rationale="x",
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=1,
        residual_impact=1,
    )
    assert _value("divergent_risk_assessments", org) == Decimal("33.3")


def test_values_are_read_as_of_the_end_of_the_period(org, people):
    assessed_risk(org, people, cio=(4, 4), ciso=(4, 4))
    yesterday = timezone.localdate() - timedelta(days=1)
    assert _value("open_risks_above_appetite", org, yesterday) is None
    assert _value("open_risks_above_appetite", org) == Decimal("1")
