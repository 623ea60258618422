"""The board report's appendix shows the CSF profile's progress figure, frozen in
the snapshot (risks.profile.selectors.profile_summary): web page and PDF alike,
and it does not move when the profile changes after the build."""

import pytest

from core.pdf import render_pdf
from core.roles import Role
from governance.alignment import services
from governance.alignment.views.reports import pdf_context, pdf_template
from risks.profile import selectors as profile_selectors
from risks.profile import services as profile_services
from tests.governance import one_truth
from tests.risks.factories import profile_outcome

pytestmark = pytest.mark.django_db


def test_the_appendix_shows_the_frozen_profile_figure(client_as, org, people):
    cio = people[Role.CIO]
    for code in ("PR.AA-01", "PR.AA-02"):
        profile_services.outcome_assess(actor=cio, outcome=profile_outcome(org, code), level=3)
    report = services.report_request(actor=cio, organization=org, enqueue=False)
    report = services.report_build(report_id=report.pk)
    frozen = report.snapshot["profile"]
    live = profile_selectors.profile_progress(org)
    assert (frozen["percent"], frozen["met"], frozen["in_scope"]) == (live.percent, 2, 106)
    assert [f["code"] for f in frozen["functions"]] == ["GV", "ID", "PR", "DE", "RS", "RC"]
    protect = next(f for f in frozen["functions"] if f["code"] == "PR")
    assert protect["met"] == 2 and protect["outcomes"] == 22

    # The profile moves on; the report does not.
    profile_services.outcome_assess(actor=cio, outcome=profile_outcome(org, "PR.AA-03"), level=3)
    page = client_as("cio").get(f"/o/{org.slug}/reports/{report.pk}/").content.decode()
    assert f'data-figure="profile.progress" data-value="{frozen["percent"]}"' in page
    assert f"{frozen['percent']}% of target outcomes met" in page
    assert "Cybersecurity profile: where we stand against our target" in page

    text = one_truth.pdf_text(render_pdf(pdf_template(report), pdf_context(report)))
    assert f"{frozen['percent']}% of target outcomes met" in text
    assert "2 of 22" in text


def test_a_report_without_a_profile_shows_no_section(client_as, org, people):
    report = services.report_request(actor=people[Role.CIO], organization=org, enqueue=False)
    report = services.report_build(report_id=report.pk)
    assert report.snapshot["profile"] is None
    page = client_as("cio").get(f"/o/{org.slug}/reports/{report.pk}/").content.decode()
    assert "Cybersecurity profile: where we stand" not in page
