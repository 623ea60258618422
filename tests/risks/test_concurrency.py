"""References stay unique when several people create risks at the same moment
(real threads and connections; PostgreSQL, as in CI)."""

import threading

import pytest
from django.db import connection

from risks.models import Risk

from .factories import make_risk


@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_hands_out_distinct_references(org, people):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database with row locks and concurrent connections (PostgreSQL)")
    workers, errors = 6, []
    barrier = threading.Barrier(workers)

    def create(index):
        try:
            barrier.wait(timeout=10)
            make_risk(org, people["cio"], title=f"Parallel {index}")
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    references = sorted(Risk.objects.values_list("reference", flat=True))
    assert references == [f"R-{n:03d}" for n in range(1, workers + 1)]
