"""CPU and wall-clock time per request of some pages of the large organization,
one request at a time in this process (Django's test client, as its CIO),
against a seeded benchmark database and a Redis cache. On a shared machine the
CPU time per request is far steadier than wrk's latencies under load: run it in
two checkouts, alternating, to compare them.

    python -m bench.pagecpu --database concord_bench_large --redis redis://127.0.0.1:6379/13 \\
        [--pages dashboard,kpi_scorecard,raci,intake_queue] [--requests 40] [--cold]

``--cold`` bumps the organization's data version before each request: every
cached figure and fragment is stale, as on the first view after a change.
Prints one JSON object: page → {"cpu_ms", "wall_ms"} (medians).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

PAGES = {
    "dashboard": "/o/{slug}/dashboard/",
    "kpi_scorecard": "/o/{slug}/kpis/",
    "raci": "/o/{slug}/raci/",
    "intake_queue": "/o/{slug}/intake/",
    "register": "/o/{slug}/risks/",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pagecpu", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="concord_bench_large")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--pages", default="dashboard,kpi_scorecard,raci,intake_queue")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--cold", action="store_true", help="bump the data version before each request")
    args = parser.parse_args(argv)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DEBUG": "false",
            "MFA_ENFORCED": "false",
            "AXES_ENABLED": "false",
            "STEP_UP_ENFORCED": "false",
            "LOG_LEVEL": "ERROR",
            "ALLOWED_HOSTS": "testserver",
            "REDIS_URL": args.redis,
            "DATABASE_URL": f"{args.pg}/{args.database}",
            "DB_CONN_MAX_AGE": "600",
        }
    )
    import django

    django.setup()
    from django.test import Client

    from bench.scale import LARGE_ORG_SLUG
    from core.cache import bump_org_version
    from core.models import Membership

    membership = Membership.objects.select_related("user").get(organization__slug=LARGE_ORG_SLUG, role="cio")
    client = Client()
    client.force_login(membership.user)
    figures = {}
    for key in args.pages.split(","):
        url = PAGES[key].format(slug=LARGE_ORG_SLUG)
        for _ in range(3):
            if client.get(url).status_code != 200:
                raise SystemExit(f"{url} did not answer 200")
        cpu, wall = [], []
        for _ in range(args.requests):
            if args.cold:
                bump_org_version(membership.organization_id)
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            cpu.append((time.process_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
        figures[key] = {
            "cpu_ms": round(statistics.median(cpu), 2),
            "wall_ms": round(statistics.median(wall), 2),
        }
    json.dump(figures, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
