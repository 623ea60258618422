"""The demo register: realistic, varied, and safe to seed twice."""

import pytest

from core.demo import seed_people
from risks import demo, selectors
from risks.models import Risk

pytestmark = pytest.mark.django_db


def test_demo_register_is_varied_and_idempotent():
    org, people, _second = seed_people()
    demo.seed(org, people)
    count = Risk.objects.filter(organization=org).count()
    assert 35 <= count <= 45
    summary = selectors.risk_summary(org)
    assert summary["divergent"] >= 5 and summary["open_above_appetite"] >= 5 and summary["accepted"] >= 2
    assert selectors.acceptances_waiting_for(org, "ciso")
    assert selectors.overdue_mitigations(org).exists()
    assert Risk.objects.filter(organization=org, is_agreed=True).count() >= 3
    demo.seed(org, people)
    assert Risk.objects.filter(organization=org).count() == count
