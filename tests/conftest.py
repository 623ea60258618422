"""Shared fixtures: an organization with one person per role, a second
organization (for isolation checks), and ``client_as(role)``."""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from core.roles import Role

from .factories import OrganizationFactory, member

ALL_ROLES = [r.value for r in Role]
OUTSIDER = "outsider"  # a CIO of another organization


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Acme Corp", slug="acme")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(name="Globex", slug="globex")


@pytest.fixture
def people(org, other_org):
    """One person per role in ``org``, plus ``outsider``: the CIO of ``other_org``."""
    users = {role: member(org, role, email=f"{role}@acme.test") for role in ALL_ROLES}
    users[OUTSIDER] = member(other_org, Role.CIO, email="cio@globex.test")
    return users


@pytest.fixture
def cio(people):
    return people[Role.CIO]


@pytest.fixture
def ciso(people):
    return people[Role.CISO]


@pytest.fixture
def client_as(people):
    """``client_as("ciso")`` → a page client signed in as that role ("anonymous" for nobody).
    ``client_as("ciso", api=True)`` → a DRF APIClient signed in the same way."""

    def make(role: str, *, api: bool = False):
        client = APIClient() if api else Client()
        if role != "anonymous":
            client.force_login(people[role])
        return client

    return make


# ------------------------------------------------------------------ layers ---
# Each test gets one layer marker, so `make test-fast` can pick unit and
# integration tests and leave the slow sweeps, scale, worker and browser runs to
# `make test`. A module may set its own marker (pytestmark); otherwise the layer
# follows from what the test uses.
_LAYER_MARKERS = ("sweep", "fuzz", "scale", "worker", "faults", "e2e")
_SWEEP_MODULES = ("test_permission_matrix", "test_schemathesis")
_SCALE_MODULES = ("test_scale", "test_seed_scale", "test_reports_page_scale")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if any(item.get_closest_marker(name) for name in _LAYER_MARKERS):
            continue
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if module in _SWEEP_MODULES:
            item.add_marker(pytest.mark.sweep)
        elif module in _SCALE_MODULES:
            item.add_marker(pytest.mark.scale)
        elif item.get_closest_marker("django_db") or {"db", "transactional_db"} & set(item.fixturenames):
            item.add_marker(pytest.mark.integration)
        else:
            item.add_marker(pytest.mark.unit)


_BROWSER_SKIP_MARK = "chromium is not installed"


def pytest_terminal_summary(terminalreporter):
    """Say loudly when the browser journeys did not run: a green run without
    them has not checked the pages a person actually clicks through."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if _BROWSER_SKIP_MARK in str(getattr(report, "longrepr", ""))
    ]
    if not skipped:
        return
    terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED", red=True, bold=True)
    terminalreporter.write_line(
        f"{len(skipped)} browser journey tests did not run because Chromium is missing. "
        "Install it with `sudo apt-get install chromium` (Debian/Ubuntu) and run "
        "`make test` again; CI (.ci/run) installs it and always runs them."
    )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts and ends with an empty cache, so cached figures never
    leak from one test into the next (results must not depend on order)."""
    cache.clear()
    yield
    cache.clear()
