"""EXPLAIN ANALYZE of the risk register's filters and sorts on the large
organization, and the indexes each app has: what docs/PERFORMANCE.md quotes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/concord_bench_large \\
        .venv/bin/python -m bench.explain > /tmp/explain.md

Each line: the query string, the page query's and the count query's execution
times, and the scan the plan uses on the risks table (a sequential scan of all
organizations' risks is what an index should avoid).
"""

from __future__ import annotations

import os
import re
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup()

from django.db import connection  # noqa: E402

from bench.scale import LARGE_ORG_SLUG  # noqa: E402
from core.models import Membership, Organization  # noqa: E402

PAGE = 25
VARIANTS = [
    "",
    "page=100",
    "status=open",
    "level=high",
    "origin=security",
    "divergent=yes",
    "appetite=above",
    "csf=PR",
    "q=ransomware",
    "status=open&level=high&origin=security&sort=-residual",
    *(
        f"sort={key}"
        for key in (
            "reference",
            "-score",
            "residual",
            "divergence",
            "owner",
            "status",
            "due",
            "review",
            "loss",
            "updated",
            "title",
        )
    ),
]
APPS = ("core", "risks", "kpis", "budgets", "governance")


def _plan(sql: str, params) -> tuple[float, str]:
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql, params)
        lines = [row[0] for row in cur.fetchall()]
    took = next(
        (float(m.group(1)) for line in lines if (m := re.search(r"Execution Time: ([\d.]+)", line))), 0.0
    )
    scans = sorted(
        {
            m.group(0)
            for line in lines
            if (
                m := re.search(
                    r"(Seq Scan|Index Scan|Index Only Scan)( Backward)?( using \w+)? on risks_risk\b"
                    r"|Bitmap Index Scan on risks?_\w+",
                    line,
                )
            )
        }
    )
    return took, "; ".join(scans) or "—"


def register_plans(user, org) -> list[str]:
    from django.http import QueryDict

    from risks import selectors

    rows = ["| query | page ids ms | count ms | scan on risks_risk (page ids) |", "|---|---:|---:|---|"]
    for variant in VARIANTS:
        data = QueryDict(variant.replace("page=100", ""))
        qs = selectors.risk_register_filterset(user, org, data).qs
        offset = 99 * PAGE if "page=100" in variant else 0
        # The register reads a page's ids first (risks.pagination), then only those rows.
        ids = qs.select_related(None).prefetch_related(None).values_list("pk", flat=True)
        page_sql, page_params = ids[offset : offset + PAGE].query.sql_with_params()
        count_sql, count_params = qs.order_by().values("pk").query.sql_with_params()
        page_ms, scan = _plan(page_sql, page_params)
        # count_sql comes from the ORM compiler; the values stay in count_params.
        count_ms, _ = _plan(f"SELECT COUNT(*) FROM ({count_sql}) sub", count_params)  # noqa: S608
        rows.append(f"| `{variant or '(default)'}` | {page_ms:.1f} | {count_ms:.1f} | {scan} |")
    return rows


def index_list() -> list[str]:
    rows = ["| table | indexes |", "|---|---|"]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "AND tablename ~ %s ORDER BY tablename, indexname",
            [f"^({'|'.join(APPS)})_(?!historical)"],
        )
        by_table: dict[str, list[str]] = {}
        for table, _name, definition in cur.fetchall():
            cols = definition[definition.index("(") + 1 : definition.rindex(")")]
            unique = "unique " if " UNIQUE " in definition else ""
            by_table.setdefault(table, []).append(f"{unique}({cols})")
    for table, indexes in by_table.items():
        rows.append(f"| {table} | {', '.join(indexes)} |")
    return rows


def main() -> int:
    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at the large benchmark database (PostgreSQL).")
    org = Organization.objects.get(slug=LARGE_ORG_SLUG)
    user = Membership.objects.get(organization=org, role="cio").user
    print(f"## Risk register plans ({org.name})\n")
    print("\n".join(register_plans(user, org)))
    print("\n## Indexes\n")
    print("\n".join(index_list()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
