"""API fuzzing: schemathesis generates requests for every operation of the
OpenAPI schema and sends them, authenticated as the demo CIO (API token), to
the Django WSGI app. No answer may be a 5xx; every documented answer must
match the schema.

Bounded: FUZZ_EXAMPLES valid-input examples per operation (default 6) and half
as many invalid-input ones,
so the whole schema runs in a few minutes on two cores.
"""

import io
import os

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from core import services
from core.demo import DEMO_ORG
from core.models import Organization, User

pytestmark = [pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def fuzz_target(db):
    # Requests through the raw WSGI handler would close the test's database
    # connection at the end of each request (Django's test client avoids this the
    # same way): inside the test transaction that drops it on PostgreSQL.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        call_command("seed_demo", stdout=io.StringIO())
        cio = User.objects.get(email="cio@northwind.example")
        _, key = services.api_token_create(
            actor=cio, name="schemathesis", scopes=["write", "sign", "security"]
        )
        schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())
        yield schema, {"Authorization": f"Bearer {key}"}, Organization.objects.get(slug=DEMO_ORG["slug"])
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _fuzz(operation, mode, headers, slug, failures):
    examples = EXAMPLES if mode == GenerationMode.POSITIVE else max(2, EXAMPLES // 2)

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        if case.path_parameters and "org_slug" in case.path_parameters:
            # Aim at the demo organization, where the data is; other slugs only ever 404.
            case.path_parameters = {**case.path_parameters, "org_slug": slug}
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:
        failures.append(f"{operation.label} [{mode.value}]: {_summary(exc)}")


def _summary(exc) -> str:
    text = str(exc)
    for sub in getattr(exc, "exceptions", ()):
        text += "\n  - " + str(sub)[:400]
    curl = [line.strip() for line in repr(getattr(exc, "__notes__", "")).split("\\n") if "curl" in line]
    return (text + ("\n  " + curl[0] if curl else ""))[:1500]


def test_every_api_operation_survives_generated_input(fuzz_target):
    schema, headers, org = fuzz_target
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, headers, org.slug, failures)
    assert operations >= 5, "the schema lists almost no operations"
    assert not failures, f"{len(failures)} finding(s):\n\n" + "\n\n".join(failures)
