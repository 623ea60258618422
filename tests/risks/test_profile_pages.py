"""Pages of the CSF profile: who sees them, assessing from the page, the target
form, tiers, and a page cost that stays flat as links grow."""

import pytest

from core.roles import Role
from core.selectors import signoff_status
from risks.profile import selectors, services

from .factories import make_risk, profile_outcome

pytestmark = pytest.mark.django_db


def url(org, suffix=""):
    return f"/o/{org.slug}/profile/{suffix}"


@pytest.mark.parametrize(
    ("role", "status"),
    [("cio", 200), ("ciso", 200), ("contributor", 200), ("board", 404), ("admin", 404), ("outsider", 404)],
)
def test_who_sees_the_profile(client_as, org, role, status):
    assert client_as(role).get(url(org)).status_code == status


def test_the_page_shows_the_figure_the_bars_and_every_outcome(client_as, org, people):
    services.outcome_assess(actor=people[Role.CIO], outcome=profile_outcome(org, "PR.AA-01"), level=3)
    page = client_as("cio").get(url(org)).content.decode()
    assert 'data-figure="profile.progress" data-value="1"' in page
    assert "1%</strong> of target outcomes met" in page
    assert page.count('class="profile-bar-row"') == 6 + 22
    assert page.count('data-outcome="') == 106
    assert 'data-figure="profile-functions.PR"' in page
    assert 'class="card signoff-panel"' in page


def test_the_contributor_reads_without_forms(client_as, org):
    page = client_as("contributor").get(url(org)).content.decode()
    assert "profile-assess" not in page and "Save the tiers" not in page
    outcome = profile_outcome(org, "GV.OC-01")
    detail = client_as("contributor").get(url(org, f"{outcome.pk}/")).content.decode()
    assert "My assessment" not in detail and "Risks this gap leaves open" not in detail
    assert client_as("contributor").post(url(org, f"{outcome.pk}/assess/"), {"level": 3}).status_code == 403


def test_assessing_from_the_page_moves_the_figure(client_as, org, people):
    outcome = profile_outcome(org, "PR.AA-01")
    before = selectors.profile_progress(org).met
    response = client_as("cio").post(
        url(org, f"{outcome.pk}/assess/"), {"level": 3, "version": outcome.version, "back": "profile"}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"/profile/#outcome-{outcome.pk}")
    assert selectors.profile_progress(org).met == before + 1


def test_a_stale_or_foreign_assessment_is_refused_with_a_message(client_as, org, people):
    outcome = profile_outcome(org, "PR.AA-01")
    response = client_as("ciso").post(
        url(org, f"{outcome.pk}/assess/"), {"level": 3, "version": outcome.version}, follow=True
    )
    assert "assessed by the CIO" in response.content.decode()
    response = client_as("cio").post(
        url(org, f"{outcome.pk}/assess/"), {"level": 9, "version": outcome.version}, follow=True
    )
    assert "Current level" in response.content.decode()
    outcome.refresh_from_db()
    assert outcome.cio_level is None


def test_the_target_form_voids_the_sign_off_and_requires_a_reason(client_as, org, people):
    profile = services.profile_get_or_create(organization=org)
    services.profile_sign(actor=people[Role.CIO], profile=profile)
    outcome = profile_outcome(org, "PR.PS-06")
    form = {"version": outcome.version, "owner_lens": "it", "target_level": 2, "notes": ""}
    # The "In scope" box left unticked: out of scope, which needs a reason.
    response = client_as("ciso").post(url(org, f"{outcome.pk}/target/"), form, follow=True)
    assert "Say why this outcome is out of scope." in response.content.decode()
    assert signoff_status(profile, services.TARGET_PURPOSE).cio is not None
    response = client_as("ciso").post(
        url(org, f"{outcome.pk}/target/"), {**form, "version": outcome.version}, follow=True
    )
    assert "Say why this outcome is out of scope." in response.content.decode()
    response = client_as("ciso").post(
        url(org, f"{outcome.pk}/target/"),
        {**form, "version": outcome.version, "scope_reason": "We write no software."},
    )
    assert response.status_code == 302
    outcome.refresh_from_db()
    assert not outcome.in_scope and outcome.scope_reason == "We write no software."
    profile.refresh_from_db()
    assert signoff_status(profile, services.TARGET_PURPOSE).cio is None
    page = client_as("cio").get(url(org)).content.decode()
    assert "Out of scope: We write no software." in page


def test_tiers_from_the_page(client_as, org):
    profile = services.profile_get_or_create(organization=org)
    response = client_as("cio").post(
        url(org, "tiers/"), {"version": profile.version, "current_GV": "2", "target_GV": "3"}
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.current_tiers, profile.target_tiers) == ({"GV": 2}, {"GV": 3})


def test_an_outcome_page_shows_the_examples_and_the_linked_risks(client_as, org, people):
    outcome = profile_outcome(org, "DE.CM-01")
    risk = make_risk(org, people[Role.CIO], title="Clinics not monitored")
    response = client_as("ciso").post(url(org, f"{outcome.pk}/risks/"), {"risks": [risk.pk]})
    assert response.status_code == 302
    page = client_as("ciso").get(url(org, f"{outcome.pk}/")).content.decode()
    assert "Monitor DNS, BGP, and other network services" in page
    assert f"{risk.reference}</a> Clinics not monitored" in page
    assert client_as("outsider").get(url(org, f"{outcome.pk}/")).status_code == 404


@pytest.mark.parametrize("links", [0, 30])
def test_the_profile_page_costs_the_same_whatever_the_links(
    client_as, org, people, links, django_assert_max_num_queries
):
    client = client_as("ciso")
    client.get(url(org))  # creates the profile
    risk = make_risk(org, people[Role.CIO])
    for outcome in list(selectors.outcome_list(people[Role.CIO], org))[:links]:
        services.outcome_assess(
            actor=people[Role.CISO], outcome=outcome, level=1
        ) if outcome.owner_lens != "it" else None
        services.outcome_set_risks(actor=people[Role.CISO], outcome=outcome, risks=[risk])
    with django_assert_max_num_queries(22):
        response = client.get(url(org))
    assert response.status_code == 200
