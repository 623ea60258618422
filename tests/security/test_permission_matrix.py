"""The permission matrix: EVERY URL pattern and EVERY OpenAPI operation, for
every role (anonymous, contributor, board, admin, CIO, CISO, and the CIO of
another organization), against the expected-access table in
``permission_table.py`` (derived from core.roles).

- A role without the permission never reads anything (404, or 403 on the API
  when it may see the resource but not do that action).
- A role without the write permission never writes (403/404), the board least of all.
- Another organization's member gets 404 everywhere in this organization.
- A page or operation missing from the table FAILS this test: add a rule.

Discovery is generic (tests/security/endpoints.py): new pages and operations
are found as the apps add them; their URL arguments come from the demo data.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve
from rest_framework.test import APIClient

from core.demo import DEMO_ORG
from core.models import Organization
from core.roles import Role, role_has
from tests.factories import OrganizationFactory, member

from .endpoints import all_endpoints, build_path, kwarg_candidates
from .permission_table import (
    API_OPERATIONS,
    AUTHENTICATED,
    MEMBER,
    PAGES,
    PUBLIC,
    ROW_LEVEL,
    STAFF,
)

ROLES = [r.value for r in Role]
OUTSIDER = "outsider"
DENIED = (403, 404)
MISSING_RULE = (
    "{kind} {name!r} has no rule in tests/security/permission_table.py. Add one: which permission of "
    "core.roles.Perm does a role need to {what}? (or PUBLIC / AUTHENTICATED / MEMBER / STAFF)"
)


@pytest.fixture
def world(db):
    call_command("seed_demo", stdout=io.StringIO())
    org = Organization.objects.get(slug=DEMO_ORG["slug"])
    people = {m.role: m.user for m in org.memberships.select_related("user")}
    people[OUTSIDER] = member(
        OrganizationFactory(name="Globex", slug="globex"), Role.CIO, email="cio@globex.test"
    )
    return org, people


def _client(people, role, api=False):
    client = APIClient() if api else Client()
    if role != "anonymous":
        client.force_login(people[role])
    return client


def _allowed(rule, role) -> bool:
    if rule in (PUBLIC, AUTHENTICATED):
        return role != "anonymous"
    if rule == MEMBER:
        return role in ROLES
    if rule == STAFF:
        return False
    return role in ROLES and role_has(role, rule)


# ------------------------------------------------------------------ pages ----


def _page_endpoints():
    for endpoint in all_endpoints():
        if endpoint.is_api or not endpoint.name:
            continue
        yield endpoint


def test_every_page_has_a_rule():
    missing = [
        MISSING_RULE.format(kind="Page", name=e.name, what="open it (and to submit it)")
        for e in _page_endpoints()
        if e.name not in PAGES and not e.name.startswith("admin:")
    ]
    assert not missing, "\n".join(missing)


def _pick_kwargs(endpoint, org, people, clients, rule):
    if not endpoint.kwarg_names:
        return {}
    viewer = next((r for r in ("cio", "ciso", "admin", "contributor", "board") if _allowed(rule, r)), "cio")
    candidates = kwarg_candidates(endpoint, org, people[viewer])
    for kwargs in candidates:
        response = clients[viewer].get(build_path(endpoint, kwargs))
        if response.status_code not in (404, 500):
            return kwargs
    return candidates[0] if candidates else None


def _check_page(endpoint, org, people, clients, problems):
    get_rule, post_rule = PAGES[endpoint.name]
    kwargs = _pick_kwargs(endpoint, org, people, clients, get_rule)
    if kwargs is None:
        return False  # no data to build this URL in the demo: nothing to check
    path = build_path(endpoint, kwargs)
    for role in ["anonymous", OUTSIDER, *ROLES]:
        response = clients[role].get(path)
        status = response.status_code
        if status >= 500:
            problems.append(f"GET {path} as {role}: {status}")
        elif get_rule == PUBLIC:
            continue
        elif role == "anonymous":
            if not (status == 302 and "/login/" in response.get("Location", "")):
                problems.append(f"GET {path} as anonymous: {status}, expected a sign-in redirect")
        elif get_rule == STAFF:
            if status == 200:
                problems.append(f"GET {path} as {role} (not staff): 200")
        elif role == OUTSIDER and get_rule not in (AUTHENTICATED,):
            if status != 404:
                problems.append(f"GET {path} as the CIO of another organization: {status}, expected 404")
        elif _allowed(get_rule, role):
            if status in DENIED and not (status == 404 and endpoint.name in ROW_LEVEL):
                problems.append(f"GET {path} as {role}: {status}, but the role holds {get_rule}")
        elif status not in DENIED:
            problems.append(f"READ LEAK: GET {path} as {role}: {status}, the role lacks {get_rule}")
    _check_page_writes(path, post_rule, get_rule, clients, problems)
    return True


def _check_page_writes(path, post_rule, get_rule, clients, problems):
    rule = post_rule or get_rule
    if rule in (PUBLIC, AUTHENTICATED):
        return
    for role in ["anonymous", OUTSIDER, *ROLES]:
        if _allowed(rule, role):
            continue  # only refusals are exercised: the demo data stays as seeded
        response = clients[role].post(path, {})
        status = response.status_code
        if status >= 500:
            problems.append(f"POST {path} as {role}: {status}")
        elif role == "anonymous":
            if status not in (302, 403, 405):
                problems.append(f"WRITE BY ANONYMOUS: POST {path}: {status}")
        elif status not in (*DENIED, 405):
            label = "WRITE BY BOARD" if role == Role.BOARD else "WRITE WITHOUT PERMISSION"
            problems.append(
                f"{label}: POST {path} as {role}: {status}, needs {post_rule or 'no POST at all'}"
            )


def test_every_page_keeps_the_role_table(world):
    org, people = world
    clients = {role: _client(people, role) for role in ["anonymous", OUTSIDER, *ROLES]}
    problems, checked, skipped = [], 0, []
    for endpoint in _page_endpoints():
        if endpoint.name not in PAGES or endpoint.name == "logout":
            continue
        if _check_page(endpoint, org, people, clients, problems):
            checked += 1
        else:
            skipped.append(endpoint.name)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
    assert checked >= 40, f"only {checked} pages checked; no demo data for {skipped}"


# -------------------------------------------------------------------- API ----


def _operations():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation["operationId"]


def test_every_api_operation_has_a_rule():
    missing = [
        MISSING_RULE.format(kind="API operation", name=op, what=f"call {method} {path}")
        for method, path, op in _operations()
        if op not in API_OPERATIONS
    ]
    assert not missing, "\n".join(missing)


def test_every_api_url_is_in_the_schema():
    schema_paths = [re.sub(r"\{[^}]+\}", "1", path) for _m, path, _op in _operations()]
    resolved = set()
    for path in schema_paths:
        try:
            resolved.add(resolve(path).url_name)
        except Resolver404:
            continue
    undocumented = [
        e.name
        for e in all_endpoints()
        if e.route.startswith("api/v1/") and e.name.split(":")[-1] not in resolved
    ]
    assert not undocumented, f"API URLs missing from the OpenAPI schema: {undocumented}"


def _api_path(path, org, people, clients, rule):
    if "{" not in path.replace("{org_slug}", ""):
        return path.replace("{org_slug}", org.slug)
    probe = re.sub(r"\{[^}]+\}", "1", path)
    try:
        match = resolve(probe)
    except Resolver404:
        return None
    endpoint = next((e for e in all_endpoints() if e.name == f"api:{match.url_name}"), None)
    if endpoint is None:
        return None
    viewer = next((r for r in ("cio", "ciso", "admin", "contributor", "board") if _allowed(rule, r)), "cio")
    for kwargs in kwarg_candidates(endpoint, org, people[viewer]):
        candidate = path
        for key, value in kwargs.items():
            candidate = candidate.replace("{" + key + "}", str(value))
        candidate = re.sub(r"\{(id|pk)\}", str(kwargs.get("pk", kwargs.get("id", ""))), candidate)
        if "{" in candidate:
            continue
        if clients[viewer].get(candidate).status_code not in (404, 500):
            return candidate
    return None


def _check_operation(method, path, op, org, people, clients, problems):
    rule = API_OPERATIONS[op]
    url = _api_path(path, org, people, clients, rule)
    if url is None:
        return False
    for role in ["anonymous", OUTSIDER, *ROLES]:
        allowed = _allowed(rule, role)
        if method != "GET" and allowed:
            continue  # only refusals are exercised for writes: the data stays as seeded
        call = getattr(clients[role], method.lower())
        response = call(url, {}, format="json") if method != "GET" else call(url)
        status = response.status_code
        if status >= 500:
            problems.append(f"{method} {url} as {role}: {status}")
        elif rule == PUBLIC:
            continue
        elif role == "anonymous":
            if status not in (401, 403):
                problems.append(f"{method} {url} as anonymous: {status}, expected 401/403")
        elif role == OUTSIDER and "{org_slug}" in path:
            if status != 404:
                problems.append(f"{method} {url} as the CIO of another organization: {status}, expected 404")
        elif allowed:
            if status in DENIED and not (status == 404 and op in ROW_LEVEL):
                problems.append(f"{method} {url} as {role}: {status}, but the role holds {rule}")
        elif status not in DENIED:
            label = "READ LEAK" if method == "GET" else ("WRITE BY BOARD" if role == Role.BOARD else "WRITE")
            problems.append(f"{label}: {method} {url} as {role}: {status}, the role lacks {rule}")
    return True


def test_every_api_operation_keeps_the_role_table(world):
    org, people = world
    clients = {role: _client(people, role, api=True) for role in ["anonymous", OUTSIDER, *ROLES]}
    problems, checked, skipped = [], 0, []
    for method, path, op in _operations():
        if op not in API_OPERATIONS:
            continue
        if _check_operation(method, path, op, org, people, clients, problems):
            checked += 1
        else:
            skipped.append(op)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
    assert checked >= 20, f"only {checked} operations checked; no demo data for {skipped}"
