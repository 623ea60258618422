"""A new organization's CSF profile from a template (core.org_templates) and the
profile's figure in a person's portfolio (core.portfolio)."""

import pytest
from django.test import Client
from django.urls import reverse

from core import organizations
from core.models import Membership
from core.permissions import forget_memberships
from core.roles import Role
from risks.models import CsfSubcategory
from risks.profile import selectors, services
from risks.profile.models import CsfProfile, ProfileOutcome
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _create(actor, **fields):
    return organizations.organization_create(
        actor=actor, name="Harbor Freight", slug="harbor-freight", **fields
    )


def test_the_starter_template_lays_the_whole_profile():
    org = _create(UserFactory(), template="starter")
    assert ProfileOutcome.objects.filter(organization=org).count() == CsfSubcategory.objects.count() == 106


def test_the_empty_template_lays_no_profile():
    org = _create(UserFactory(), template="empty")
    assert not CsfProfile.objects.filter(organization=org).exists()


def test_a_copy_takes_scope_owners_and_targets_never_assessments_or_signatures(org, people):
    cio = people[Role.CIO]
    profile = services.profile_get_or_create(organization=org)
    first, second = ProfileOutcome.objects.filter(profile=profile)[:2]
    services.outcome_update(
        actor=cio,
        outcome=first,
        expected_version=None,
        in_scope=False,
        scope_reason="No cloud",
        owner_lens="it",
        target_level=3,
    )
    second = ProfileOutcome.objects.get(pk=second.pk)
    services.outcome_update(actor=cio, outcome=second, expected_version=None, target_level=3, owner_lens="it")
    services.outcome_assess(actor=cio, outcome=ProfileOutcome.objects.get(pk=second.pk), level=2)
    forget_memberships(cio)
    new = _create(cio, founder_role=Role.CIO, template="copy", source=org)
    copied = {o.subcategory_id: o for o in ProfileOutcome.objects.filter(organization=new)}
    assert len(copied) == 106
    twin = copied[first.subcategory_id]
    assert (twin.in_scope, twin.scope_reason, twin.owner_lens, twin.target_level) == (
        False,
        "No cloud",
        "it",
        3,
    )
    other = copied[second.subcategory_id]
    assert (other.target_level, other.cio_level, other.current_level) == (3, None, None)  # not assessed
    assert not CsfProfile.objects.get(organization=new).history.filter(
        history_change_reason__icontains=org.name
    )


def test_the_portfolio_shows_the_profiles_progress(org, people, other_org):
    ciso = people[Role.CISO]
    Membership.objects.create(user=ciso, organization=other_org, role=Role.CISO)
    services.profile_get_or_create(organization=org)
    client = Client()
    client.force_login(ciso)
    rows = {r["slug"]: r for r in client.get(reverse("portfolio:portfolio")).context["rows"]}
    [figure] = rows[org.slug]["extras"]
    percent = selectors.profile_progress(org).percent
    assert figure["text"] == f"{percent}% of target met" and figure["url"] == f"/o/{org.slug}/profile/"
    assert rows[other_org.slug]["extras"] == []  # no profile there yet
