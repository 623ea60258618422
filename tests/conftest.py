"""Shared fixtures: an organization with one person per role, a second
organization (for isolation checks), and ``client_as(role)``."""
import pytest
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
