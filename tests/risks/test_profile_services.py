"""The CSF profile's services: one profile per organization, the target as a joint
decision voided by any change to it, the current level assessed by each outcome's owner."""

import pytest

from core.errors import ConflictError, DomainError, NotAllowed
from core.models import SignOff
from core.roles import Role
from core.selectors import signoff_status
from risks.models import CsfSubcategory
from risks.profile import rules, selectors, services
from risks.profile.models import ProfileOutcome

from .factories import make_risk, profile_outcome

pytestmark = pytest.mark.django_db
TARGET = services.TARGET_PURPOSE


def _signed_profile(org, people):
    profile = services.profile_get_or_create(organization=org)
    services.profile_sign(actor=people[Role.CIO], profile=profile)
    services.profile_sign(actor=people[Role.CISO], profile=profile)
    profile.refresh_from_db()
    assert signoff_status(profile, TARGET).approved
    return profile


def _fresh(outcome):
    return ProfileOutcome.objects.select_related("subcategory", "profile").get(pk=outcome.pk)


def test_the_profile_holds_every_subcategory_once(org, other_org):
    profile = services.profile_get_or_create(organization=org)
    assert services.profile_get_or_create(organization=org).pk == profile.pk
    assert ProfileOutcome.objects.filter(profile=profile).count() == CsfSubcategory.objects.count() == 106
    lenses = dict(
        ProfileOutcome.objects.filter(
            profile=profile, subcategory__code__in=["GV.OC-01", "PR.AA-01", "ID.AM-01"]
        ).values_list("subcategory__code", "owner_lens")
    )
    assert lenses == {"GV.OC-01": "security", "PR.AA-01": "it", "ID.AM-01": "joint"}
    assert services.profile_get_or_create(organization=other_org).pk != profile.pk


def test_a_change_of_target_voids_the_joint_sign_off(org, people):
    profile = _signed_profile(org, people)
    outcome = profile_outcome(org, "PR.AA-01")
    services.outcome_update(
        actor=people[Role.CIO], outcome=outcome, expected_version=outcome.version, target_level=3
    )
    profile.refresh_from_db()
    assert not signoff_status(profile, TARGET).approved
    assert SignOff.objects.filter(object_id=profile.pk, purpose=TARGET, voided_at__isnull=False).count() == 2


@pytest.mark.parametrize(
    "change",
    [{"in_scope": False, "scope_reason": "No such system."}, {"owner_lens": "joint"}],
)
def test_scope_and_owner_are_part_of_the_target(org, people, change):
    profile = _signed_profile(org, people)
    outcome = profile_outcome(org, "PR.AA-01")
    services.outcome_update(actor=people[Role.CISO], outcome=outcome, expected_version=None, **change)
    profile.refresh_from_db()
    assert not signoff_status(profile, TARGET).approved


def test_assessments_notes_and_current_tiers_void_nothing(org, people):
    profile = _signed_profile(org, people)
    outcome = profile_outcome(org, "PR.AA-01")
    services.outcome_assess(actor=people[Role.CIO], outcome=outcome, level=1)
    services.outcome_update(
        actor=people[Role.CIO], outcome=_fresh(outcome), expected_version=None, notes="MFA on VPN."
    )
    services.profile_set_tiers(
        actor=people[Role.CISO], profile=profile, expected_version=None, current_tiers={"PR": 2}
    )
    profile.refresh_from_db()
    assert signoff_status(profile, TARGET).approved
    assert profile.current_tiers == {"PR": 2}
    services.profile_set_tiers(
        actor=people[Role.CISO], profile=profile, expected_version=None, target_tiers={"PR": 3}
    )
    profile.refresh_from_db()
    assert not signoff_status(profile, TARGET).approved


def test_an_unchanged_target_keeps_the_sign_off(org, people):
    profile = _signed_profile(org, people)
    outcome = profile_outcome(org, "PR.AA-01")
    services.outcome_update(
        actor=people[Role.CIO], outcome=outcome, expected_version=None, target_level=outcome.target_level
    )
    profile.refresh_from_db()
    assert signoff_status(profile, TARGET).approved


def test_only_the_owner_assesses(org, people):
    cio_outcome = profile_outcome(org, "PR.AA-01")  # the CIO's
    with pytest.raises(NotAllowed, match="assessed by the CIO"):
        services.outcome_assess(actor=people[Role.CISO], outcome=cio_outcome, level=2)
    ciso_outcome = profile_outcome(org, "GV.OC-01")  # the CISO's
    with pytest.raises(NotAllowed, match="assessed by the CISO"):
        services.outcome_assess(actor=people[Role.CIO], outcome=ciso_outcome, level=2)
    for role in (Role.CONTRIBUTOR, Role.BOARD, Role.ADMIN):
        with pytest.raises(NotAllowed):
            services.outcome_assess(actor=people[role], outcome=ciso_outcome, level=2)
    assessed = services.outcome_assess(actor=people[Role.CISO], outcome=ciso_outcome, level=2)
    assert (assessed.ciso_level, assessed.current_level, assessed.cio_level) == (2, 2, None)


def test_a_joint_outcome_takes_the_lower_level_and_shows_divergence(org, people):
    outcome = profile_outcome(org, "ID.AM-01")
    outcome = services.outcome_assess(actor=people[Role.CIO], outcome=outcome, level=3)
    assert outcome.current_level == 3
    outcome = services.outcome_assess(actor=people[Role.CISO], outcome=outcome, level=1)
    assert (outcome.cio_level, outcome.ciso_level, outcome.current_level) == (3, 1, 1)
    assert rules.diverges(outcome.owner_lens, outcome.cio_level, outcome.ciso_level)
    divergent = selectors.outcome_list(people[Role.CIO], org, filters={"divergent": True})
    assert [o.subcategory.code for o in divergent] == ["ID.AM-01"]


def test_bad_input_names_the_field(org, people):
    outcome = profile_outcome(org, "PR.AA-01")
    cio = people[Role.CIO]
    cases = [
        ({"target_level": 7}, "target_level"),
        ({"owner_lens": "board"}, "owner_lens"),
        ({"in_scope": False}, "scope_reason"),
        ({"scope_reason": "x" * 301}, "scope_reason"),
    ]
    for change, field in cases:
        with pytest.raises(DomainError) as caught:
            services.outcome_update(actor=cio, outcome=outcome, expected_version=None, **change)
        assert caught.value.field == field
    with pytest.raises(DomainError) as caught:
        services.outcome_assess(actor=cio, outcome=outcome, level="fully")
    assert caught.value.field == "level"
    with pytest.raises(ConflictError):
        services.outcome_update(actor=cio, outcome=outcome, expected_version=outcome.version + 5, notes="x")
    with pytest.raises(DomainError) as caught:
        services.profile_set_tiers(
            actor=cio, profile=outcome.profile, expected_version=None, target_tiers={"XX": 1}
        )
    assert caught.value.field == "target_tiers"


def test_out_of_scope_outcomes_leave_the_figure_and_cannot_be_assessed(org, people):
    outcome = profile_outcome(org, "PR.PS-06")
    outcome = services.outcome_update(
        actor=people[Role.CIO],
        outcome=outcome,
        expected_version=None,
        in_scope=False,
        scope_reason="No in-house code.",
    )
    with pytest.raises(DomainError, match="out of scope"):
        services.outcome_assess(actor=people[Role.CIO], outcome=outcome, level=3)
    progress = selectors.profile_progress(org)
    assert (progress.in_scope, progress.met) == (105, 0)
    back = services.outcome_update(
        actor=people[Role.CIO], outcome=_fresh(outcome), expected_version=None, in_scope=True
    )
    assert back.scope_reason == ""


def test_the_progress_figure_is_the_same_everywhere(org, people):
    cio, ciso = people[Role.CIO], people[Role.CISO]
    for code in ("PR.AA-01", "PR.AA-02", "PR.AA-03"):
        services.outcome_assess(actor=cio, outcome=profile_outcome(org, code), level=2)
    services.outcome_assess(actor=ciso, outcome=profile_outcome(org, "GV.OC-01"), level=3)
    figure = selectors.profile_progress(org)
    profile = services.profile_get_or_create(organization=org)
    page = selectors.profile_page(cio, org, profile)
    assert (figure.met, figure.in_scope) == (page.progress.met, page.progress.in_scope) == (4, 106)
    assert figure.percent == 4
    assert page.counts["gaps"] == figure.gaps == 102
    assert selectors.gap_list(cio, org).count() == 102


def test_linked_risks_stay_in_the_organization(org, other_org, people):
    outcome = profile_outcome(org, "DE.CM-01")
    risk = make_risk(org, people[Role.CIO])
    outcome = services.outcome_set_risks(actor=people[Role.CISO], outcome=outcome, risks=[risk])
    assert list(outcome.risks.all()) == [risk]
    foreign = make_risk(other_org, people["outsider"])
    with pytest.raises(DomainError):
        services.outcome_set_risks(actor=people[Role.CISO], outcome=outcome, risks=[foreign])
    with pytest.raises(NotAllowed):
        services.outcome_set_risks(actor=people[Role.CONTRIBUTOR], outcome=outcome, risks=[])


def test_history_records_each_assessment(org, people):
    outcome = profile_outcome(org, "PR.AA-01")
    services.outcome_assess(actor=people[Role.CIO], outcome=outcome, level=1)
    services.outcome_assess(actor=people[Role.CIO], outcome=_fresh(outcome), level=2)
    reasons = list(
        outcome.history.order_by("-history_id").values_list("history_change_reason", flat=True)[:2]
    )
    assert reasons == ["PR.AA-01: CIO assessed largely", "PR.AA-01: CIO assessed partially"]


def test_the_definition_names_the_one_function():
    from pathlib import Path

    from django.conf import settings

    text = (Path(settings.BASE_DIR) / "docs" / "DEFINITIONS.md").read_text()
    assert "## Profile progress" in text and "`risks.profile.selectors.profile_progress`" in text


def test_the_dashboard_shows_the_same_figure(client_as, org, people):
    services.outcome_assess(actor=people[Role.CIO], outcome=profile_outcome(org, "PR.AA-01"), level=3)
    page = client_as("cio").get(f"/o/{org.slug}/dashboard/").content.decode()
    figure = selectors.profile_progress(org)
    assert f'data-figure="profile.progress" data-value="{figure.percent}"' in page
    assert f"{figure.met} of {figure.in_scope} outcomes in scope" in page
