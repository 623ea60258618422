"""The portfolio of a person in 50 organizations (``make bench``, large data
set): queries and time of ``governance.alignment.selectors.portfolio.portfolio``, cold
(empty cache, every dashboard computed) and warm (each dashboard's cached
data), for 25 and for 50 organizations, so the cost per organization shows.

The person and their memberships are made inside a transaction that is rolled
back: the bench database stays as seeded. Each organization's CISO is moved
aside for the measurement (one CISO per organization)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.models import Membership, Organization, User
from core.roles import Role

COUNTS = (25, 50)


class _Rollback(Exception):
    pass


def _measure(user) -> dict:
    from governance.alignment.selectors.portfolio import portfolio

    figures = {}
    for label in ("cold", "warm"):
        if label == "cold":
            cache.clear()
        user.__dict__.pop("_concord_memberships", None)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            rows = portfolio(user=user)
        figures[f"{label}_ms"] = round((time.perf_counter() - started) * 1000, 1)
        figures[f"{label}_queries"] = len(ctx.captured_queries)
    figures["rows"] = len(rows)
    return figures


def time_portfolio() -> dict:
    organizations = list(Organization.objects.order_by("pk")[: max(COUNTS)])
    if len(organizations) < max(COUNTS):
        return {"missing": f"only {len(organizations)} organizations seeded; {max(COUNTS)} needed"}
    out: dict = {"organizations": {}}
    try:
        with transaction.atomic():
            user = User.objects.create_user(email="bench-vciso@example.test", full_name="Bench vCISO")
            done = 0
            for count in COUNTS:
                for org in organizations[done:count]:
                    Membership.objects.filter(organization=org, role=Role.CISO).update(role=Role.CONTRIBUTOR)
                    Membership.objects.create(user=user, organization=org, role=Role.CISO)
                done = count
                out["organizations"][str(count)] = _measure(user)
            raise _Rollback
    except _Rollback:
        pass
    small, large = (out["organizations"][str(c)] for c in COUNTS)
    span = COUNTS[1] - COUNTS[0]
    out["cold_queries_per_org"] = round((large["cold_queries"] - small["cold_queries"]) / span, 1)
    out["warm_queries_per_org"] = round((large["warm_queries"] - small["warm_queries"]) / span, 1)
    return out
