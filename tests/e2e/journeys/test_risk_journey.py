"""The CIO and the CISO take one risk from creation to a joint acceptance, each
in their own browser, and the heat map places it."""

from datetime import timedelta

from django.utils import timezone

from risks.models import Risk

from ..conftest import E2E
from ..journey_helpers import path, submit

pytestmark = E2E


def _assess(page, likelihood: str, impact: str, rationale: str) -> None:
    page.locator("details.lens-form summary", has_text="Assess this risk").click()
    form = page.locator("form[action$='/assess/']")
    form.get_by_label("Likelihood", exact=True).select_option(likelihood)
    form.get_by_label("Impact", exact=True).select_option(impact)
    form.get_by_label("Target residual likelihood").select_option("2")
    form.get_by_label("Target residual impact").select_option("3")
    form.get_by_label("Rationale").fill(rationale)
    submit(page, form.get_by_role("button", name="Save my"))


def test_cio_and_ciso_assess_agree_and_jointly_accept_a_risk(signed_in_page, people, org):
    cio = signed_in_page("cio")
    cio.goto(path("risks:create", org))
    cio.get_by_label("Title").fill("Ransomware on the billing platform")
    cio.get_by_label("Business impact").fill("Invoices stop for a week; cash flow suffers.")
    cio.get_by_label("Category").select_option(label="Cyber attack")
    cio.get_by_label("Origin").select_option(label="Joint")
    cio.get_by_label("Owner").select_option(str(people["cio"].pk))
    submit(cio, "Add to the register")
    risk = Risk.objects.get(organization=org, title="Ransomware on the billing platform")
    assert cio.url.endswith(path("risks:detail", org, pk=risk.pk))
    assert cio.get_by_role("heading", level=1).inner_text().endswith("Ransomware on the billing platform")

    _assess(cio, "4", "4", "Backups are old and untested.")
    assert "4 × 4 = 16" in cio.locator(".lens-cio").inner_text()

    ciso = signed_in_page("ciso")
    ciso.goto(path("risks:detail", org, pk=risk.pk))
    _assess(ciso, "2", "3", "EDR is deployed everywhere.")
    badge = ciso.locator(".badge-divergence")
    assert badge.is_visible() and "apart" in badge.inner_text()
    assert "2 × 3 = 6" in ciso.locator(".lens-ciso").inner_text()

    # The CISO proposes the agreed view, the CIO confirms it.
    ciso.locator("#agreement summary", has_text="Propose").click()
    proposal = ciso.locator("form[action$='/agreement/propose/']")
    proposal.get_by_label("Likelihood", exact=True).select_option("4")
    proposal.get_by_label("Impact", exact=True).select_option("3")
    proposal.get_by_label("Target residual likelihood").select_option("2")
    proposal.get_by_label("Target residual impact").select_option("3")
    proposal.get_by_label("What you agree on").fill("Likely, serious: backups need a test.")
    submit(ciso, proposal.get_by_role("button", name="Propose"))
    assert "Proposed by the CISO" in ciso.locator("#agreement").inner_text()

    cio.reload()
    submit(cio, "Confirm as CIO")
    assert "Agreed assessment" in cio.locator(".risk-badges").inner_text()
    assert cio.locator(".badge-divergence").count() == 0
    assert "4 × 3 = 12" in cio.locator("#agreement").inner_text()

    # While open, the heat map counts it in likelihood 4 × impact 3 and links to it
    # (accepted risks are counted apart: docs/DEFINITIONS.md).
    ciso.goto(path("risks:heatmap", org))
    cell = ciso.locator("figure.heatmap").first.get_by_role("link", name="Likelihood 4 × impact 3")
    assert cell.inner_text().strip() == "1"
    with ciso.expect_navigation():
        cell.click()
    register = ciso.locator("main").inner_text()
    assert "Ransomware on the billing platform" in register, register

    # Above the appetite (12 > 9): the CIO requests a joint acceptance, both sign.
    assert "Above appetite" in cio.locator(".risk-badges").inner_text()
    acceptance = cio.locator("form[action$='/acceptance/request/']")
    acceptance.get_by_label("Justification").fill(
        "The platform is replaced in Q3; restores are tested monthly."
    )
    expiry = timezone.localdate() + timedelta(days=90)
    acceptance.get_by_label("Acceptance expires on").fill(expiry.isoformat())
    submit(cio, acceptance.get_by_role("button", name="Request joint acceptance"))
    assert "waiting for both signatures" in cio.locator("#acceptance").inner_text()
    submit(cio, "Approve as CIO")
    assert "1 of 2 signed" in cio.locator("#acceptance").inner_text()

    ciso.goto(path("risks:detail", org, pk=risk.pk))
    submit(ciso, "Approve as CISO")
    panel = ciso.locator("#acceptance").inner_text()
    assert "Jointly approved" in panel
    assert f"Accepted by the CIO and the CISO until {expiry.day} {expiry:%b %Y}" in panel
    assert "Accepted" in ciso.locator(".risk-badges").inner_text()
    risk.refresh_from_db()
    assert risk.status == "accepted"
