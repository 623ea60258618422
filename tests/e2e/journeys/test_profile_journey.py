"""The CIO assesses a few outcomes of the CSF profile from the profile page: the
progress figure and the Protect bar move; the page reads well on a phone."""

from core.roles import Role
from risks.profile import services

from ..conftest import E2E, PHONE
from ..journey_helpers import (
    assert_accessible,
    axe_serious,
    expect_message,
    no_horizontal_overflow,
    path,
    submit,
)

pytestmark = E2E


def _progress(page) -> str:
    return page.locator('.profile-progress[data-figure="profile.progress"]').get_attribute("data-value")


def _protect_current(page) -> float:
    return float(page.locator('[data-figure="profile-functions.PR"]').get_attribute("data-current"))


def test_cio_assesses_outcomes_and_sees_the_figure_and_bars_move(signed_in_page, org, people):
    profile = services.profile_get_or_create(organization=org)
    services.profile_sign(actor=people[Role.CISO], profile=profile)
    page = signed_in_page("cio")
    page.goto(path("profile:page", org))
    assert _progress(page) == "0"
    assert "0%" in page.locator(".profile-progress-figure").inner_text()
    before = _protect_current(page)

    for code in ("PR.AA-01", "PR.AA-02", "PR.AA-03"):
        row = page.locator(f'tr[data-outcome="{code}"]')
        row.get_by_label(f"My assessment of {code}").select_option(label="Fully implemented")
        submit(page, row.get_by_role("button", name="Save"))
        expect_message(page, f"{code} assessed: fully implemented now.")
        assert page.locator(f'tr[data-outcome="{code}"]').get_attribute("data-current") == "3"

    assert _progress(page) == "3"  # 3 of the 106 outcomes in scope meet their target
    assert "3%" in page.locator(".profile-progress-figure").inner_text()
    assert _protect_current(page) > before
    assert "Current" in page.locator('[data-figure="profile-functions.PR"]').inner_text()

    # The joint sign-off of the target still stands: assessing is not changing the target.
    assert "Approved" in page.locator(".signoff-panel").inner_text()

    findings = [{**f, "page": "profile"} for f in axe_serious(page)]
    assert_accessible(findings)

    # A contributor reads the same figure on a phone, without the assessment forms.
    phone = signed_in_page("contributor", viewport=PHONE)
    phone.goto(path("profile:page", org))
    assert _progress(phone) == "3"
    assert phone.locator(".profile-bar-row").count() == 6 + 22
    assert phone.locator(".profile-assess").count() == 0
    no_horizontal_overflow(phone, PHONE["width"])
