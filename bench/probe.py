"""The Django side of the benchmark, run by ``bench.run`` in a subprocess
against the benchmark database with production settings::

    python -m bench.probe pages --sessions 8     # URLs, sessions, query counts (JSON)
    python -m bench.probe report                 # alignment report build + PDF timing (JSON)
    python -m bench.probe sql dashboard          # the SQL statements of one page

It resolves each page of ``bench.pages`` for the large organization, signs in
its CIO and a board member (sessions written straight to the session store,
with a verified two-factor device when django-otp is installed), and counts
each page's SQL queries with Django's test client.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from bench.pages import PAGES, Page  # noqa: E402
from bench.scale import LARGE_ORG_SLUG  # noqa: E402
from bench.sessions import session_cookie  # noqa: E402
from core.models import Membership, Organization  # noqa: E402


def _model(app_label: str, *names: str):
    for name in names:
        try:
            return apps.get_model(app_label, name)
        except LookupError:
            continue
    return None


def _find_risk(org):
    Risk = _model("risks", "Risk")
    return (
        Risk and Risk.objects.filter(organization=org).order_by("number").values_list("pk", flat=True).first()
    )


def _find_proposal(org):
    Proposal = _model("budgets", "BudgetProposal", "Proposal")
    # The seeder makes the newest proposal the largest one (the current year's).
    return (
        Proposal
        and Proposal.objects.filter(organization=org).order_by("-pk").values_list("pk", flat=True).first()
    )


def _find_report(org):
    Report = _model("governance", "AlignmentReport", "Report")
    if Report is None:
        return None
    qs = Report.objects.filter(organization=org)
    if any(f.name == "status" for f in Report._meta.fields):
        qs = qs.filter(status="published")
    return qs.order_by("-pk").values_list("pk", flat=True).first()


OBJECT_FINDERS = {"risk": _find_risk, "proposal": _find_proposal, "report": _find_report}


def _reverse(page: Page, org, obj_pk) -> tuple[str | None, str]:
    kwargs = dict(page.extra_kwargs)
    if page.org_kwarg:
        kwargs[page.org_kwarg] = org.slug
    if page.obj:
        if obj_pk is None:
            return None, f"no {page.obj} in the data set"
        kwargs["pk"] = obj_pk
    for name in page.url_names:
        try:
            path = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
        return path + (f"?{page.query}" if page.query else ""), ""
    return None, "page does not exist yet (" + " / ".join(page.url_names) + ")"


def _count(client: Client, path: str) -> tuple[int, int, int, int, float]:
    """Status, cold and warm query counts (the second request finds caches
    warm), the response's size (a page that grows with the data shows here) and
    the warm request's time alone, in ms (no concurrency, no HTTP)."""
    with CaptureQueriesContext(connection) as cold:
        client.get(path, SERVER_NAME="127.0.0.1")
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as warm:
        response = client.get(path, SERVER_NAME="127.0.0.1")
    took = (time.perf_counter() - started) * 1000
    return response.status_code, len(cold), len(warm), len(response.content), took


def _deep_path(client: Client, path: str) -> str:
    """Page 100 when the list is that long, else its last page (small data set)."""
    sep = "&" if "?" in path else "?"
    deep = f"{path}{sep}page=100"
    if client.get(deep, SERVER_NAME="127.0.0.1").status_code == 200:
        return deep
    return f"{path}{sep}page=last"


def _people(org) -> dict:
    found = {}
    for role in ("cio", "board"):
        m = (
            Membership.objects.filter(organization=org, role=role)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if m:
            found[role] = m.user
    return found


def _clients(people: dict) -> dict:
    clients = {"anonymous": Client()}
    for role, user in people.items():
        client = Client()
        name, _, key = session_cookie(user).partition("=")
        client.cookies[name] = key
        clients[role] = client
    return clients


def probe_pages(keys: list[str] | None, n_sessions: int) -> dict:
    org = Organization.objects.filter(slug=LARGE_ORG_SLUG).first()
    if org is None:
        return {"error": f"organization {LARGE_ORG_SLUG} not found: run seed_scale first"}
    people = _people(org)
    clients = _clients(people)
    objects = {name: finder(org) for name, finder in OBJECT_FINDERS.items()}
    pages = {}
    for page in PAGES:
        if keys and page.key not in keys:
            continue
        pages[page.key] = _probe_page(page, org, objects, clients)
    sessions = {role: [session_cookie(user) for _ in range(n_sessions)] for role, user in people.items()}
    return {"org": org.slug, "pages": pages, "sessions": sessions}


def _probe_page(page: Page, org, objects: dict, clients: dict) -> dict:
    client = clients.get(page.role)
    if client is None:
        return {"missing": f"no {page.role} in the organization"}
    path, why = _reverse(page, org, objects.get(page.obj) if page.obj else None)
    if path is None:
        return {"missing": why}
    if page.deep:
        path = _deep_path(client, path)
    try:
        status, cold, warm, size, took = _count(client, path)
    except Exception as exc:  # a page that crashes is reported, not fatal to the run
        return {"missing": f"error {type(exc).__name__}: {exc}"[:300], "path": path}
    if status != 200:
        return {"missing": f"HTTP {status}", "path": path}
    return {
        "path": path,
        "role": page.role,
        "queries": warm,
        "queries_cold": cold,
        "bytes": size,
        "single_ms": round(took, 1),
    }


def probe_report() -> dict:
    from bench.reporttiming import time_alignment_report

    org = Organization.objects.filter(slug=LARGE_ORG_SLUG).first()
    if org is None:
        return {"missing": f"organization {LARGE_ORG_SLUG} not found"}
    return time_alignment_report(org)


def page_sql(key: str) -> dict:
    """Every SQL statement of one page's warm request: to see where a count comes from."""
    org = Organization.objects.get(slug=LARGE_ORG_SLUG)
    people = _people(org)
    clients = _clients(people)
    page = next(p for p in PAGES if p.key == key)
    objects = {page.obj: OBJECT_FINDERS[page.obj](org)} if page.obj else {}
    path, why = _reverse(page, org, objects.get(page.obj))
    if path is None:
        return {"missing": why}
    client = clients[page.role]
    client.get(path, SERVER_NAME="127.0.0.1")
    with CaptureQueriesContext(connection) as ctx:
        client.get(path, SERVER_NAME="127.0.0.1")
    return {"path": path, "queries": [q["sql"][:300] for q in ctx.captured_queries]}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe")
    sub = parser.add_subparsers(dest="command", required=True)
    pages = sub.add_parser("pages")
    pages.add_argument("--pages", default="", help="comma-separated page keys (default: all)")
    pages.add_argument("--sessions", type=int, default=8)
    sub.add_parser("report")
    sub.add_parser("portfolio", help="a person in 50 organizations: the portfolio's queries and time")
    sql = sub.add_parser("sql", help="print the SQL of one page (python -m bench.probe sql dashboard)")
    sql.add_argument("page", choices=[p.key for p in PAGES])
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.command == "pages":
        out = probe_pages([k for k in args.pages.split(",") if k], args.sessions)
    elif args.command == "sql":
        out = page_sql(args.page)
    elif args.command == "portfolio":
        from bench.portfolio import time_portfolio

        out = time_portfolio()
    else:
        out = probe_report()
    out["probe_seconds"] = round(time.perf_counter() - started, 2)
    out["settings_module"] = settings.SETTINGS_MODULE
    sys.stdout.write("PROBE_JSON " + json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
