"""core.cache: per-organization data versions, bumped by every change of the
organization's data, and values cached under them."""

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction

from core import cache as org_cache
from core.models import Membership, Organization, OrgScopedModel, SignOff
from core.services import record_creation
from governance.models import RaciParty
from tests.factories import member
from tests.testapp.models import Document

pytestmark = pytest.mark.django_db


class BrokenCache(LocMemCache):
    """A cache server that is down."""

    def _fail(self, *args, **kwargs):
        raise ConnectionError("cache server unreachable")

    get = set = add = incr = _fail


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_version_is_created_on_first_use_and_stays_until_a_change(org):
    first = org_cache.org_version(org.pk)
    assert first is not None and org_cache.org_version(org.pk) == first


def test_every_change_of_org_data_bumps_only_that_organization(org, other_org, cio):
    mine, theirs = org_cache.org_version(org.pk), org_cache.org_version(other_org.pk)
    document = Document.objects.create(organization=org, title="Plan")
    assert org_cache.org_version(org.pk) > mine
    mine = org_cache.org_version(org.pk)
    document.title = "Plan B"
    document.save()
    assert org_cache.org_version(org.pk) > mine
    mine = org_cache.org_version(org.pk)
    document.delete()
    assert org_cache.org_version(org.pk) > mine
    assert org_cache.org_version(other_org.pk) == theirs


@pytest.mark.parametrize("change", ["organization", "membership", "signoff"])
def test_organization_membership_and_signoff_changes_bump(org, people, change):
    before = org_cache.org_version(org.pk)
    if change == "organization":
        org.risk_appetite = 12
        org.save()
    elif change == "membership":
        member(org, "board", email="new.member@acme.test")
    else:
        document = Document(organization=org, title="Plan")
        record_creation(document, actor=people["cio"])
        before = org_cache.org_version(org.pk)
        SignOff.objects.create(
            organization=org,
            subject=document,
            purpose="approval",
            subject_version=1,
            role="cio",
            signer=people["cio"],
            decision="approve",
        )
    assert org_cache.org_version(org.pk) > before


def test_many_to_many_changes_bump_from_either_side(org, people):
    party = RaciParty.objects.create(organization=org, name="Service desk")
    before = org_cache.org_version(org.pk)
    party.members.add(people["contributor"])
    after_forward = org_cache.org_version(org.pk)
    assert after_forward > before
    people["ciso"].raci_parties.add(party)  # from the user's side: the party's organization
    assert org_cache.org_version(org.pk) > after_forward


def test_every_org_scoped_model_is_tracked():
    tracked = set(org_cache.tracked_models())
    scoped = {m for m in apps.get_models() if issubclass(m, OrgScopedModel)}
    assert scoped and scoped <= tracked
    assert {SignOff, Membership, Organization} <= tracked


def test_a_bump_inside_a_transaction_repeats_on_commit(org, django_capture_on_commit_callbacks):
    before = org_cache.org_version(org.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        org_cache.bump_org_version(org.pk)
        assert org_cache.org_version(org.pk) == before + 1  # at once: the writer reads its own change
    assert len(callbacks) == 1
    assert org_cache.org_version(org.pk) == before + 2  # and again once committed


def test_a_lost_counter_restarts_past_every_earlier_version(org):
    before = org_cache.org_version(org.pk)
    cache.delete(org_cache.VERSION_KEY.format(org.pk))
    assert org_cache.org_version(org.pk) > before
    cache.delete(org_cache.VERSION_KEY.format(org.pk))
    org_cache.bump_org_version(org.pk)  # a bump without a counter starts a new one
    assert org_cache.org_version(org.pk) > before


def test_cached_values_are_reused_until_the_organization_changes(org):
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    assert org_cache.cached_for_org(org.pk, "figures", compute) == {"n": 1}
    assert org_cache.cached_for_org(org.pk, "figures", compute) == {"n": 1}
    assert org_cache.cached_for_org(org.pk, "other-figures", compute) == {"n": 2}
    Document.objects.create(organization=org, title="Plan")
    assert org_cache.cached_for_org(org.pk, "figures", compute) == {"n": 3}


def test_without_a_cache_server_reads_compute_and_writes_go_on(org, settings):
    settings.CACHES = {"default": {"BACKEND": "tests.core.test_cache.BrokenCache"}}
    assert org_cache.org_version(org.pk) is None
    assert org_cache.cached_for_org(org.pk, "figures", lambda: 42) == 42
    Document.objects.create(organization=org, title="Saved all the same")
    assert Document.objects.filter(title="Saved all the same").exists()
