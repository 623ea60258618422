"""Run the same call from several threads at once (each with its own database
connection), as several web or worker processes would, for PostgreSQL tests
outside a wrapping transaction."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def run_together(call: Callable[[], object], *, workers: int = 4, timeout: float = 120) -> tuple[list, list]:
    """Start ``call`` in ``workers`` threads released at the same moment; returns
    (results, errors), so a test can assert on both."""
    results: list = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(call())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results, errors
