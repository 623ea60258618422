"""Expired evidence lowers the current level it supports: the CSF profile's
counted level, gaps, progress figure and bars, on the page and in the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from risks.evidence import expiry, services
from risks.evidence.levels import with_counted_level
from risks.profile import selectors
from risks.profile import services as profile_services
from risks.profile.models import ProfileOutcome

from .evidence_factories import add_link
from .factories import profile_outcome

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _assessed(org, cio, ciso, code="PR.AA-01", level=3, target=3):
    outcome = profile_outcome(org, code)
    if outcome.owner_lens != "joint":
        outcome = profile_services.outcome_update(
            actor=cio, outcome=outcome, expected_version=outcome.version, owner_lens="joint"
        )
    outcome = (
        profile_services.outcome_update(
            actor=cio, outcome=outcome, expected_version=outcome.version, target_level=target
        )
        if outcome.target_level != target
        else outcome
    )
    for actor in (cio, ciso):
        outcome.refresh_from_db()
        outcome = profile_services.outcome_assess(
            actor=actor, outcome=outcome, level=level, expected_version=outcome.version
        )
    return ProfileOutcome.objects.select_related("subcategory").get(pk=outcome.pk)


def _counted(outcome):
    return with_counted_level(ProfileOutcome.objects.filter(pk=outcome.pk)).get().counted_level


def test_all_evidence_expired_lowers_the_level_one_step(org, cio, ciso):
    outcome = _assessed(org, cio, ciso)
    assert _counted(outcome) == 3  # no evidence: as assessed
    old = add_link(
        org, cio, title="Last year's access review", days=-10, csf_subcategories=[outcome.subcategory]
    )
    assert _counted(outcome) == 2
    add_link(org, cio, title="This year's access review", days=30, csf_subcategories=[outcome.subcategory])
    assert _counted(outcome) == 3  # one piece valid again
    services.evidence_update(
        actor=cio, evidence=old, expected_version=old.version, valid_until=TODAY + timedelta(days=5)
    )
    assert _counted(outcome) == 3


def test_the_database_rule_agrees_with_the_pure_rule(org, cio, ciso):
    outcome = _assessed(org, cio, ciso, level=2)
    dates = [TODAY - timedelta(days=3), TODAY - timedelta(days=40)]
    for index, valid_until in enumerate(dates):
        add_link(
            org,
            cio,
            title=f"Piece {index}",
            days=(valid_until - TODAY).days,
            csf_subcategories=[outcome.subcategory],
        )
    assert _counted(outcome) == expiry.effective_level(2, dates, TODAY).level == 1


def test_evidence_of_another_organization_does_not_count(org, other_org, cio, ciso, people):
    outcome = _assessed(org, cio, ciso)
    add_link(other_org, people["outsider"], title="Theirs", days=-5, csf_subcategories=[outcome.subcategory])
    assert _counted(outcome) == 3


def test_a_lowered_level_becomes_a_gap_and_moves_the_progress_figure(org, cio, ciso, client_as):
    outcome = _assessed(org, cio, ciso, level=3, target=3)
    before = selectors.profile_progress(org)
    add_link(org, cio, title="Expired pen test", days=-1, csf_subcategories=[outcome.subcategory])
    after = selectors.profile_progress(org)
    assert after.met == before.met - 1
    assert outcome.pk in {o.pk for o in selectors.gap_list(cio, org)}
    page = client_as(Role.CIO).get(reverse("profile:outcome", kwargs={"org": org.slug, "pk": outcome.pk}))
    body = page.content.decode()
    assert "Counted one step lower than assessed" in body and "Expired pen test" in body
    assert "Gap: Largely implemented against a target of fully implemented" in body  # the counted level
    api = client_as(Role.CISO, api=True).get(
        f"/api/v1/orgs/{org.slug}/profile/outcomes/?gap=true&category=PR.AA"
    )
    row = next(r for r in api.json()["results"] if r["subcategory"] == "PR.AA-01")
    assert (row["current_level"], row["counted_level"], row["is_gap"]) == (3, 2, True)
    assert "one step lower" in row["counted_level_note"]


def test_the_frozen_report_summary_reads_the_counted_level(org, cio, ciso):
    outcome = _assessed(org, cio, ciso, level=3, target=3)
    before = selectors.profile_summary(org)
    add_link(org, cio, title="Expired review", days=-1, csf_subcategories=[outcome.subcategory])
    after = selectors.profile_summary(org)
    protect = {f["code"]: f for f in after["functions"]}["PR"]
    was = {f["code"]: f for f in before["functions"]}["PR"]
    assert protect["current"] < was["current"] and after["met"] == before["met"] - 1
