"""Applying the RACI template twice at the same moment (real threads and
connections; PostgreSQL, as in CI): no error, no duplicate, and no history for
the apply that found everything in place."""
import threading

import pytest
from django.db import connection

from governance.models import RaciActivity, RaciAssignment, RaciMatrix, RaciParty
from governance.raci_library import TEMPLATE_ACTIVITIES
from governance.services import raci as services


@pytest.mark.django_db(transaction=True)
def test_parallel_template_applies_take_turns(org, people):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database with row locks and concurrent connections (PostgreSQL)")
    workers, errors, results = 4, [], []
    barrier = threading.Barrier(workers)

    def apply():
        try:
            barrier.wait(timeout=10)
            results.append(services.raci_apply_template(actor=people["cio"], organization=org))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(results) == [0] * (workers - 1) + [len(TEMPLATE_ACTIVITIES)]
    assert RaciActivity.objects.filter(organization=org).count() == len(TEMPLATE_ACTIVITIES)
    assert RaciActivity.history.filter(organization=org).count() == len(TEMPLATE_ACTIVITIES)
    parties = RaciParty.objects.filter(organization=org)
    assert parties.count() == RaciParty.history.filter(organization=org).count()
    assert RaciAssignment.history.filter(organization=org).count() == RaciAssignment.objects.filter(
        organization=org).count()
    matrix = RaciMatrix.objects.get(organization=org)
    assert matrix.history.filter(history_type="~").count() == 1
