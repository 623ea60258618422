"""A contributor files a project through the intake questionnaire; the CISO
asks a question, the contributor answers, the CIO and the CISO decide jointly
and the contributor sees the decision."""

from governance.models import IntakeRequest

from ..conftest import E2E
from ..journey_helpers import expect_message, path, submit

pytestmark = E2E


def _answer(page, question: str, choice: str) -> None:
    page.get_by_role("group", name=question).get_by_label(choice, exact=True).check()


def test_contributor_files_a_request_and_sees_the_joint_decision(signed_in_page, org):
    contributor = signed_in_page("contributor")
    contributor.goto(path("governance:intake_create", org))
    contributor.get_by_label("Title").fill("Supplier portal for invoices")
    contributor.get_by_label("What is the project?").fill("A SaaS portal where suppliers upload invoices.")
    contributor.get_by_label("Why does the business need it?").fill(
        "Saves two days of manual keying a month."
    )
    contributor.get_by_label("Sponsor").fill("Chief Financial Officer")
    contributor.get_by_label("Estimated cost").fill("18000")
    # internal 1 + basic personal data 2 + supplier 1 = 4 points: medium tier.
    _answer(contributor, "How sensitive is the data it uses?", "Internal")
    _answer(
        contributor,
        "Does it store or process information about people?",
        "Basic personal data (names, contact details)",
    )
    _answer(contributor, "Will it be reachable from the internet?", "No")
    _answer(contributor, "Does a supplier host it, build it, or receive our data?", "Yes")
    _answer(contributor, "Does it change how people sign in?", "No")
    _answer(contributor, "How bad would it be if it stopped working for a day?", "Low")
    submit(contributor, "Submit request")

    request = IntakeRequest.objects.get(organization=org, title="Supplier portal for invoices")
    assert contributor.url.endswith(path("governance:intake_detail", org, pk=request.pk))
    expect_message(contributor, "Medium tier")
    lead = contributor.locator(".page-header .lead").inner_text()
    assert "Medium tier" in lead and "Submitted" in lead
    clock = contributor.locator(".sla-clock").last.inner_text()
    assert f"of {request.sla_days} d" in clock
    assert "4 points" in contributor.locator("#triage-title").locator("..").inner_text()

    ciso = signed_in_page("ciso")
    ciso.goto(path("governance:intake_detail", org, pk=request.pk))
    ciso.get_by_text("Ask the requester for information").click()
    ciso.get_by_label("Question for the requester").fill(
        "Which supplier hosts it, and where is the data kept?"
    )
    submit(ciso, "Ask and pause the clock")
    expect_message(ciso, "clock is paused")
    assert "Needs information" in ciso.locator(".page-header .lead").inner_text()

    contributor.reload()
    assert "Paused" in contributor.locator(".sla-clock").last.inner_text()
    contributor.get_by_label("Your answer").fill("InvoiceHub, hosted in the EU (Frankfurt).")
    submit(contributor, "Send answer")
    assert "InvoiceHub, hosted in the EU" in contributor.locator("#comments").inner_text()
    assert "Needs information" not in contributor.locator(".page-header .lead").inner_text()

    ciso.reload()
    proposal = ciso.locator("form[action$='/propose/']")
    proposal.get_by_label("Approve", exact=True).check()
    proposal.get_by_label("Why").fill("EU hosting and a data processing agreement are in place.")
    submit(ciso, proposal.get_by_role("button", name="Propose"))
    submit(ciso, "Approve as CISO")
    assert "1 of 2 signed" in ciso.locator("#decision").inner_text()

    cio = signed_in_page("cio")
    cio.goto(path("governance:intake_detail", org, pk=request.pk))
    submit(cio, "Approve as CIO")
    expect_message(cio, "Decision taken: Approved")

    contributor.reload()
    decision = contributor.locator(".alert-success", has_text="by the CIO and the CISO jointly").inner_text()
    assert "Approved" in decision and "EU hosting" in decision
    assert "Decided in" in contributor.locator(".sla-clock").last.inner_text()
    contributor.goto(path("governance:intake_list", org))
    row = contributor.locator("tr", has_text="Supplier portal for invoices")
    assert "Approved" in row.inner_text()
