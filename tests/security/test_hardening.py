"""Hardening: a strict CSP on every page (no inline script or style anywhere),
framing refused, referrer policy, session expiry, upload checks."""

import re
import time

import pytest
from django.core.management import call_command
from django.test import Client

from core.demo import DEMO_ORG
from core.models import Organization

from .endpoints import all_endpoints, build_path, kwarg_candidates

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
STYLE_ATTR = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
STYLE_TAG = re.compile(r"<style\b", re.I)
EVENT_ATTR = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
SKIP_NAMESPACES = ("admin",)
ROLES_TO_TRY = ("cio", "admin", "contributor", "board", "ciso")


def inline_problems(html: str) -> list[str]:
    problems = []
    for attrs in SCRIPT_TAG.findall(html):
        if "src=" not in attrs and 'type="application/json"' not in attrs:
            problems.append("inline <script>")
    if STYLE_ATTR.search(html):
        problems.append(f"style= attribute: {STYLE_ATTR.search(html).group(0)[:80]}")
    if STYLE_TAG.search(html):
        problems.append("<style> block")
    if EVENT_ATTR.search(html):
        problems.append(f"inline event handler: {EVENT_ATTR.search(html).group(0)[:80]}")
    return problems


def csp_problems(response) -> list[str]:
    policy = response.get("Content-Security-Policy", "")
    problems = []
    if "script-src 'self'" not in policy or "style-src 'self'" not in policy:
        problems.append(f"weak or missing CSP: {policy!r}")
    if "unsafe-inline" in policy or "unsafe-eval" in policy:
        problems.append("CSP allows unsafe-inline/eval")
    if response.get("X-Frame-Options") != "DENY":
        problems.append("X-Frame-Options is not DENY")
    if response.get("Referrer-Policy") != "same-origin":
        problems.append("Referrer-Policy is not same-origin")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("X-Content-Type-Options is not nosniff")
    return problems


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    org = Organization.objects.get(slug=DEMO_ORG["slug"])
    people = {m.role: m.user for m in org.memberships.select_related("user")}
    return org, people


def _get_pages():
    for endpoint in all_endpoints():
        if endpoint.namespace.split(":")[0] in SKIP_NAMESPACES or endpoint.name in ("api:schema",):
            continue
        view = endpoint.view_class
        if endpoint.is_api or (view is not None and not hasattr(view, "get")):
            continue
        if endpoint.name == "logout":
            continue
        yield endpoint


def test_every_page_sends_strict_headers_and_has_no_inline_script_or_style(demo):
    org, people = demo
    clients = {"anonymous": Client()}
    for role in ROLES_TO_TRY:
        clients[role] = Client()
        clients[role].force_login(people[role])
    failures, reached, unreached = [], 0, []
    for endpoint in _get_pages():
        ok = False
        for role in ("anonymous", *ROLES_TO_TRY):
            user = people.get(role)
            candidates = kwarg_candidates(endpoint, org, user) if endpoint.kwarg_names else [{}]
            for kwargs in candidates:
                try:
                    response = clients[role].get(build_path(endpoint, kwargs))
                except Exception as exc:
                    failures.append(f"{endpoint.name} as {role}: {exc.__class__.__name__}: {exc}")
                    continue
                if response.status_code >= 500:
                    failures.append(f"{endpoint.name} as {role}: {response.status_code}")
                if response.status_code != 200:
                    continue
                ok = True
                problems = csp_problems(response)
                if response.get("Content-Type", "").startswith("text/html"):
                    problems += inline_problems(response.content.decode())
                failures += [f"{endpoint.name} ({build_path(endpoint, kwargs)}): {p}" for p in problems]
                break
            if ok:
                break
        reached += ok
        if not ok:
            unreached.append(endpoint.name)
    assert not failures, "\n".join(failures)
    # Pages that answer only to POST (or need a state the demo does not have) are not reached.
    assert reached >= 40, f"only {reached} pages reached; unreached: {unreached}"


def test_inline_checks_catch_violations():
    assert inline_problems("<script>alert(1)</script>") == ["inline <script>"]
    assert inline_problems('<div style="color:red">') and inline_problems("<style>p{}</style>")
    assert inline_problems('<button onclick="x()">')
    assert not inline_problems(
        '<script src="/static/x.js"></script><svg class="qr-code"><path d="M1"/></svg>'
    )


def test_sessions_expire_after_inactivity(client, people, settings):
    settings.SESSION_IDLE_SECONDS = 60
    client.force_login(people["cio"])
    assert client.get("/o/acme/welcome/").status_code == 200
    session = client.session
    session["concord_last_seen"] = int(time.time()) - 61
    session.save()
    response = client.get("/o/acme/welcome/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/o/acme/welcome/")["Location"].startswith("/accounts/login/")


def test_activity_stamp_is_written_at_most_once_a_minute(client, people):
    client.force_login(people["cio"])
    client.get("/o/acme/welcome/")
    first = client.session["concord_last_seen"]
    session = client.session
    session["concord_last_seen"] = first - 30  # a request 30 s ago: no new write needed
    session.save()
    client.get("/o/acme/welcome/")
    assert client.session["concord_last_seen"] == first - 30
    session = client.session
    session["concord_last_seen"] = first - 61  # over a minute: the stamp moves on
    session.save()
    client.get("/o/acme/welcome/")
    assert client.session["concord_last_seen"] >= first


def test_a_repeated_page_view_does_not_write_the_session(client, people):
    """Remembering the current organization must not cost a session save per page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["cio"])
    client.get("/o/acme/welcome/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/o/acme/welcome/").status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert writes == []
    assert client.session["org"] == "acme"


def test_sessions_end_after_the_maximum_age_even_when_active(client, people, settings):
    settings.SESSION_MAX_SECONDS = 3600
    client.force_login(people["cio"])
    client.get("/o/acme/welcome/")
    session = client.session
    session["concord_signed_in_at"] = int(time.time()) - 3601
    session.save()
    assert client.get("/o/acme/welcome/").status_code == 302


def test_session_cookie_is_httponly_and_idle_limited(client, people, settings):
    response = client.post(
        "/accounts/login/", {"username": "board@acme.test", "password": "concord-demo-2026"}
    )
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and int(cookie["max-age"]) == settings.SESSION_IDLE_SECONDS
    assert cookie["samesite"] == "Lax"


def test_idle_limit_comes_from_the_environment():
    import os
    import subprocess
    import sys

    code = "from config.settings import base; print(base.SESSION_IDLE_SECONDS, base.SESSION_COOKIE_AGE)"
    env = {**os.environ, "SESSION_IDLE_SECONDS": "900"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["900", "900"]


def test_production_cookies_and_transport():
    import os
    import subprocess
    import sys

    code = (
        "from config.settings import production as p; print(p.SESSION_COOKIE_SECURE, p.CSRF_COOKIE_SECURE, "
        "p.SESSION_COOKIE_HTTPONLY, p.SECURE_SSL_REDIRECT, p.SECURE_HSTS_SECONDS >= 31536000, p.X_FRAME_OPTIONS)"
    )
    env = {
        **os.environ,
        "SECRET_KEY": "s" * 10 + "-a-long-production-secret-0123456789-abcdefghijkl",
        "ALLOWED_HOSTS": "concord.example.com",
        "SITE_URL": "https://concord.example.com",
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "True", "True", "True", "DENY"]


def test_every_import_view_reads_uploads_through_the_checked_reader():
    """Imports are the one import flow (core.imports.ImportFlowView), which reads
    every upload through core.tabular.read_rows (size and type checks)."""
    import inspect

    from core import imports

    importers = [
        e for e in all_endpoints() if e.name.split(":")[-1].startswith("import") or "import" in e.route
    ]
    assert importers, "no import pages found"
    assert "read_rows(" in inspect.getsource(imports.ImportFlowView)
    for endpoint in importers:
        assert issubclass(endpoint.view_class, imports.ImportFlowView), (
            f"{endpoint.name} does not use the import flow (core.imports.ImportFlowView)"
        )


@pytest.mark.parametrize(
    "name,body,message",
    [
        ("big.csv", b"a,b\n" + b"1,2\n" * 10, "larger than"),
        ("x.exe", b"MZ....", "Only .csv and .xlsx"),
        ("fake.xlsx", b"title\nnot a workbook", "not an Excel workbook"),
    ],
)
def test_uploads_are_size_limited_and_type_checked(settings, name, body, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.errors import DomainError
    from core.tabular import read_rows

    settings.IMPORT_MAX_BYTES = 20
    with pytest.raises(DomainError, match=message):
        read_rows(SimpleUploadedFile(name, body))
