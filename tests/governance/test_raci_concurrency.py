"""Applying the RACI template twice at the same moment (real threads and
connections; PostgreSQL, as in CI): no error, no duplicate, and no history for
the apply that found everything in place."""

import pytest
from django.db import connection

from governance.models import RaciActivity, RaciAssignment, RaciMatrix, RaciParty
from governance.raci import services
from governance.raci.library import TEMPLATE_ACTIVITIES
from tests.concurrency import run_together


@pytest.mark.django_db(transaction=True)
def test_parallel_template_applies_take_turns(org, people):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database with row locks and concurrent connections (PostgreSQL)")
    workers = 4
    results, errors = run_together(
        lambda: services.raci_apply_template(actor=people["cio"], organization=org), workers=workers
    )
    assert errors == []
    assert sorted(results) == [0] * (workers - 1) + [len(TEMPLATE_ACTIVITIES)]
    assert RaciActivity.objects.filter(organization=org).count() == len(TEMPLATE_ACTIVITIES)
    assert RaciActivity.history.filter(organization=org).count() == len(TEMPLATE_ACTIVITIES)
    parties = RaciParty.objects.filter(organization=org)
    assert parties.count() == RaciParty.history.filter(organization=org).count()
    assert (
        RaciAssignment.history.filter(organization=org).count()
        == RaciAssignment.objects.filter(organization=org).count()
    )
    matrix = RaciMatrix.objects.get(organization=org)
    assert matrix.history.filter(history_type="~").count() == 1
