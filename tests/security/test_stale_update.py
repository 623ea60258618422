"""Nothing lost: every editable resource refuses a stale update.

Discovered from the OpenAPI schema: every PATCH / PUT operation whose request
body carries ``version`` is called on a real demo row with a version that is
not the row's current one, and must answer 409 without changing the row. The
organization settings page (the one core page form) is checked the same way.
"""

import io

import pytest
from django.core.management import call_command
from django.urls import resolve
from rest_framework.test import APIClient

from core.demo import DEMO_ORG
from core.models import Organization, User

from .endpoints import all_endpoints, kwarg_candidates


def _versioned_operations():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method not in ("patch", "put"):
                continue
            content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            ref = content.get("schema", {}).get("$ref", "")
            body = components.get(ref.rsplit("/", 1)[-1], content.get("schema", {}))
            if "version" in body.get("properties", {}):
                yield method, path, operation["operationId"]


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    return Organization.objects.get(slug=DEMO_ORG["slug"]), User.objects.get(email="cio@northwind.example")


def _row_urls(path, org, user, client):
    if "{" not in path.replace("{org_slug}", ""):
        yield path.replace("{org_slug}", org.slug)
        return
    match = resolve(path.replace("{org_slug}", org.slug).replace("{id}", "1").replace("{pk}", "1"))
    endpoint = next(e for e in all_endpoints() if e.name == f"api:{match.url_name}")
    for kwargs in kwarg_candidates(endpoint, org, user, limit=6):
        pk = kwargs.get("pk", kwargs.get("id"))
        url = path.replace("{org_slug}", org.slug).replace("{id}", str(pk)).replace("{pk}", str(pk))
        if client.get(url).status_code == 200:
            yield url


def _stale_update(client, method, url):
    before = client.get(url).json()
    current = before.get("version")
    if current is None:
        return None, f"GET {url} does not return the version to send back"
    body = {"version": current + 7} if method == "patch" else {**before, "version": current + 7}
    response = getattr(client, method)(url, body, format="json")
    if response.status_code == 409:
        if client.get(url).json() != before:
            return False, f"the refused update of {url} changed the row"
        return True, ""
    return (
        None,
        f"{method.upper()} {url} with a stale version answered {response.status_code}: {response.content[:200]!r}",
    )


def test_every_versioned_resource_refuses_a_stale_update(demo):
    org, cio = demo
    client = APIClient()
    client.force_login(cio)
    operations = list(_versioned_operations())
    assert operations, "no API operation takes a version: stale updates cannot be detected"
    patched = {path for method, path, _op in operations if method == "patch"}
    problems, checked = [], 0
    for method, path, op in operations:
        if method == "put" and path in patched:
            continue  # PATCH on the same resource runs the same version check with less to get right
        last = "no demo row to update"
        for url in _row_urls(path, org, cio, client):
            ok, message = _stale_update(client, method, url)
            if ok:
                checked += 1
                break
            last = message
            if ok is False:
                break
        else:
            problems.append(f"{op}: {last}")
    # Rows that refuse every change for another reason (e.g. an approved budget) are not stale-update failures.
    problems = [p for p in problems if "read-only" not in p and "no demo row" not in p]
    assert not problems, "\n".join(problems)
    assert checked >= 3, f"only {checked} resources checked"


def test_settings_page_refuses_a_stale_save(client, org, people):
    client.force_login(people["cio"])
    data = {
        "name": "Acme",
        "currency": "EUR",
        "fiscal_year_start_month": 1,
        "risk_appetite": 9,
        "medium_from": 5,
        "high_from": 10,
        "critical_from": 17,
        "report_schedule": "monthly",
        "version": org.version + 3,
    }
    page = client.post("/o/acme/settings/", data).content.decode()
    assert "Someone else changed this record" in page
    org.refresh_from_db()
    assert org.currency == "USD"
