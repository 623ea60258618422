"""Defects an outside tester found in the board pack (issue 20), each pinned."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import DomainError
from governance.alignment import services
from governance.models import AlignmentReport, AskKind, BuildStatus

from .factories_reports import populate


@pytest.fixture
def draft(org, people):
    populate(org, people)
    report = services.report_request(actor=people["cio"], organization=org, enqueue=False)
    return services.report_build(report_id=report.pk)


def _propose(people, report, role="cio", **changes):
    data = dict(
        kind=AskKind.BUDGET,
        title="Approve the FY2027 budget",
        recommendation="Approve it as proposed.",
        deadline=timezone.localdate() + timedelta(days=40),
        amount=Decimal("1000000"),
    )
    return services.board_ask_propose(actor=people[role], report=report, **(data | changes))


# 1. Rebuilds that finish never add up to a failure; a crash loop still does.


@pytest.mark.django_db
def test_many_successful_rebuilds_never_fail_the_draft(org, people, draft):
    for n in range(services.MAX_BUILD_ATTEMPTS + 3):
        ask = _propose(people, draft, title=f"Decision {n}")
        services.board_ask_sign(actor=people["ciso"], ask=ask)
        report = services.report_build(report_id=draft.pk)
        assert report.build_status == BuildStatus.READY, report.failure_reason
        assert AlignmentReport.objects.get(pk=draft.pk).build_attempts == 0


@pytest.mark.django_db
def test_a_build_that_keeps_crashing_is_given_up(org, people, draft, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "build_snapshot", crash)
    for _ in range(services.MAX_BUILD_ATTEMPTS):
        with pytest.raises(RuntimeError):
            services.report_build(report_id=draft.pk)
    services.report_build(report_id=draft.pk)
    report = AlignmentReport.objects.get(pk=draft.pk)
    assert report.build_status == BuildStatus.FAILED and "without finishing" in report.failure_reason


# 2. One very long word in an ask's title wraps in the tables of the page and the PDF.


@pytest.mark.django_db
def test_a_long_word_in_an_ask_title_wraps_in_the_pdf_and_on_the_page(client_as, org, people, draft):
    import io
    import re

    from pypdf import PdfReader

    from core.pdf import render_pdf
    from governance.alignment.views.reports import pdf_context, pdf_template

    word = "X" * 200
    ask = _propose(people, draft, title=word, amount=Decimal("4321987"))
    services.board_ask_sign(actor=people["ciso"], ask=ask)
    report = services.report_build(report_id=draft.pk)
    pdf = render_pdf(pdf_template(report), pdf_context(report))
    reader = PdfReader(io.BytesIO(pdf))
    one = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    assert "4,321,987 USD" in one
    assert f"{ask.deadline:%-d %b %Y}" in one
    # Every page stays within its width: the text of the page is there, not cut off.
    assert "X" * 20 in one
    html = client_as("cio").get(f"/o/{org.slug}/reports/{draft.pk}/").content.decode()
    tables = re.findall(r'<table class="([^"]*pack-table[^"]*)"', html)
    assert tables and all("pack-wrap" in classes.split() for classes in tables)
    from pathlib import Path

    from django.conf import settings

    css = Path(settings.BASE_DIR, "static/css/board_pack.css").read_text()
    pdf_css = Path(settings.BASE_DIR, "static/css/pdf.css").read_text()
    assert re.search(r"\.pack-wrap td, \.pack-wrap th \{ overflow-wrap: break-word; word-break: normal;", css)
    assert "overflow-wrap: anywhere" in pdf_css


# 3. Amounts with more than two decimals, or too large, are refused naming the field.


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["0.001", "12.345", "1000000000000000"])
def test_an_amount_that_does_not_fit_is_refused_naming_the_field(org, people, draft, amount):
    with pytest.raises(DomainError) as error:
        _propose(people, draft, amount=Decimal(amount))
    assert error.value.field == "amount"


@pytest.mark.django_db
def test_an_amount_with_three_decimals_on_the_page_is_a_message_not_a_500(client_as, org, people, draft):
    from governance.models import BoardAsk

    url = f"/o/{org.slug}/reports/{draft.pk}/asks/"
    data = {
        "kind": "budget",
        "title": "Approve the tools budget",
        "recommendation": "Approve it.",
        "deadline": f"{timezone.localdate() + timedelta(days=30):%Y-%m-%d}",
        "amount": "12.345",
    }
    response = client_as("cio").post(url, data, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The decision was not added" in page and "Amount at stake" in page
    assert not BoardAsk.objects.filter(report=draft).exists()


# 4. A published report's running header names the organization as it was then.


@pytest.mark.django_db
def test_published_pdf_header_keeps_the_name_at_publication(org, people, draft):
    import io

    from pypdf import PdfReader

    from core.models import Organization
    from core.pdf import render_pdf
    from governance.alignment.views.reports import pdf_context, pdf_template

    report = services.report_publish(actor=people["cio"], report=draft)
    name = report.snapshot["organization"]["name"]

    def header():
        report.organization.refresh_from_db()
        pdf = render_pdf(pdf_template(report), pdf_context(report))
        return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]

    before = header()
    Organization.objects.filter(pk=org.pk).update(name="Harbor RENAMED")
    after = header()
    assert after == before and all("RENAMED" not in page for page in after)
    assert name in after[-1]


# 5. The demo's published reports count the accepted risks they list.


@pytest.mark.django_db
def test_demo_reports_count_the_accepted_risks_they_list():
    from django.core.management import call_command

    from core.models import Organization

    call_command("seed_demo", verbosity=0)
    org = Organization.objects.get(slug="northwind-health")
    reports = AlignmentReport.objects.filter(organization=org)
    assert reports.filter(status="published").count() == 4
    for report in reports:
        snapshot = report.snapshot
        assert snapshot["risks"]["accepted"] == len(snapshot["pack"]["accepted"]), report.period_label


# 6. What an ask must say: a deadline ahead (not too far), the amount of a budget,
#    an open risk above appetite to tolerate, a recommendation of reasonable length,
#    and no bidirectional control characters in its title.


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"deadline": date(2020, 1, 1)}, "deadline", "The deadline has passed"),
        ({"deadline_days": -1}, "deadline", "The deadline has passed"),
        ({"deadline_days": 3 * 365}, "deadline", "more than 2 years"),
        ({"amount": None}, "amount", "amount"),
        ({"recommendation": "x" * 2001}, "recommendation", "2,000"),
        ({"title": "Approve \u202ebudget"}, "title", "reading direction"),
        ({"title": "Approve \u2067budget\u2069"}, "title", "reading direction"),
    ],
)
def test_asks_refuse_what_the_board_cannot_decide_on(org, people, draft, changes, field, words):
    if "deadline_days" in changes:
        changes = {"deadline": timezone.localdate() + timedelta(days=changes.pop("deadline_days"))}
    with pytest.raises(DomainError) as error:
        _propose(people, draft, **changes)
    assert error.value.field == field and words in error.value.message


@pytest.mark.django_db
def test_only_an_open_risk_above_appetite_can_be_tolerated(org, people, draft):
    from governance.alignment.forms import BoardAskForm
    from risks.models import Risk, RiskStatus

    tolerance = dict(kind=AskKind.TOLERANCE, amount=None)
    risks = {r.number: r for r in Risk.objects.filter(organization=org)}
    above = [r for r in risks.values() if r.inherent_score > org.risk_appetite and r.status != "closed"]
    within = [r for r in risks.values() if r.inherent_score <= org.risk_appetite]
    assert above and within
    for risk in (None, within[0], risks[4]):  # none, within appetite, closed
        with pytest.raises(DomainError) as error:
            _propose(people, draft, risk=risk, **tolerance)
        assert error.value.field == "risk"
    form = BoardAskForm(organization=org)
    assert set(form.fields["risk"].queryset) == set(above)
    assert "2,000 characters" in str(form["recommendation"].help_text)
    Risk.objects.filter(pk=above[0].pk).update(status=RiskStatus.ACCEPTED)
    with pytest.raises(DomainError) as error:
        _propose(people, draft, risk=above[0], **tolerance)
    assert error.value.field == "risk"
    Risk.objects.filter(pk=above[0].pk).update(status=RiskStatus.ASSESSED)
    assert _propose(people, draft, risk=above[0], **tolerance).risk == above[0]


@pytest.mark.django_db
def test_a_past_deadline_on_the_page_is_a_message(client_as, org, people, draft):
    from governance.models import BoardAsk

    data = {
        "kind": "exception",
        "title": "Keep the old lab system a year",
        "recommendation": "Grant it.",
        "deadline": "2020-01-01",
    }
    response = client_as("cio").post(f"/o/{org.slug}/reports/{draft.pk}/asks/", data, follow=True)
    assert response.status_code == 200 and "The deadline has passed" in response.content.decode()
    assert not BoardAsk.objects.filter(report=draft).exists()


def test_one_line_text_refuses_bidirectional_controls():
    from core.validation import text_problem

    for char in [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]:
        assert text_problem(f"a{char}b", one_line=True)
    assert text_problem("Plain title – with a dash", one_line=True) is None


# 7. Publishing leaves out the asks not confirmed by both, says so first, and tells the proposer.


@pytest.mark.django_db
def test_publishing_leaves_out_half_signed_asks(client_as, org, people, draft):
    from core.models_notifications import Notification
    from core.selectors import signoff_status
    from governance.models import ASK_PURPOSE, BoardAsk

    confirmed = _propose(people, draft, title="Approve the confirmed one")
    services.board_ask_sign(actor=people["ciso"], ask=confirmed)
    half = _propose(people, draft, title="Approve the half-signed one", role="ciso")
    report = services.report_build(report_id=draft.pk)
    page = client_as("cio").get(f"/o/{org.slug}/reports/{draft.pk}/").content.decode()
    assert "1 decision not confirmed by both will be left out of the report." in page

    services.report_publish(actor=people["cio"], report=report)
    assert list(BoardAsk.objects.filter(report=draft)) == [confirmed]
    assert not BoardAsk.objects.filter(pk=half.pk).exists()
    assert signoff_status(confirmed, ASK_PURPOSE).approved
    removed = BoardAsk.history.filter(id=half.pk, history_type="-").get()
    assert "not confirmed by both" in removed.history_change_reason
    told = Notification.objects.filter(recipient=people["ciso"], event="report.ask_left_out")
    assert told.count() == 1 and "Approve the half-signed one" in told.get().title
    assert [a["title"] for a in AlignmentReport.objects.get(pk=draft.pk).snapshot["pack"]["asks"]] == [
        "Approve the confirmed one"
    ]
    from governance.alignment.selectors.dashboard import decisions_section

    waiting = decisions_section(organization=org, user=people["cio"])["waiting"]
    assert not any("half-signed" in str(row) for row in waiting)


# 8. Publishing a period that is still running says so plainly first.


@pytest.mark.django_db
def test_publish_confirmation_warns_when_the_period_is_still_running(client_as, org, people, draft):
    from governance.alignment.selectors.reports import publish_notes

    assert draft.period_end >= timezone.localdate()
    page = client_as("cio").get(f"/o/{org.slug}/reports/{draft.pk}/").content.decode()
    assert f"{draft.period_label} is still running" in page
    assert f"this will be the report for {draft.period_label}" in page
    assert publish_notes(draft, today=draft.period_end + timedelta(days=1)) == []


# 9. "Taken since the last report": the real actor and date, after the last report's period.


@pytest.mark.django_db
def test_decisions_taken_carry_their_real_actor_and_date():
    from django.core.management import call_command

    from core.models import Organization

    call_command("seed_demo", verbosity=0)
    org = Organization.objects.get(slug="northwind-health")
    reports = list(AlignmentReport.objects.filter(organization=org).order_by("period_end"))
    draft, previous = reports[-1], reports[-2]
    taken = draft.snapshot["pack"]["taken"]
    assert all(t["on"] > previous.period_end.isoformat() for t in taken), taken
    for t in taken:
        if "board" in (t["outcome"] or "").lower() and t["outcome"] != "Submitted to the board":
            assert t["who"] == "The board", t
    assert not any(t["title"].endswith("FY2026") or "FY2026" in t["title"] for t in taken), taken


# 11. "Ready to publish" is said once per report, not once per rebuild.


@pytest.mark.django_db
def test_ready_to_publish_is_said_once_per_report(org, people, draft):
    from core.models_notifications import Notification

    for n in range(3):
        ask = _propose(people, draft, title=f"Decision {n}")
        services.board_ask_sign(actor=people["ciso"], ask=ask)
        services.report_build(report_id=draft.pk)
    for role in ("cio", "ciso"):
        ready = Notification.objects.filter(recipient=people[role], event="report.ready")
        assert ready.count() == 1


# 12. Plain wording: an empty organization, a risk with no loss estimate, the budget's state once.


def test_pack_sentences_for_an_organization_without_risks():
    from governance.alignment.selectors.board_pack import pack_sentences

    picture = {
        "alignment": {"score": None, "band": ""},
        "risks": {"open": 0, "levels": {"critical": 0, "high": 0}, "above_appetite_count": 0},
        "kpis": {"total": 0},
    }
    lines = pack_sentences(picture, {"accepted": [], "asks": []})
    assert "No open risks are recorded yet." in lines
    assert not any("Of 0" in line for line in lines)
    picture["risks"] = {"open": 1, "levels": {"critical": 1, "high": 0}, "above_appetite_count": 1}
    lines = pack_sentences(picture, {"accepted": [], "asks": []})
    assert "Of 1 open risk, 1 is high or critical and 1 exceeds" in lines[0]


@pytest.mark.django_db
def test_pack_page_words_for_missing_estimates_and_the_budget_state(client_as, org, people, draft):
    from risks.models import Risk

    Risk.objects.filter(organization=org).update(expected_annual_loss=None)
    report = services.report_build(report_id=draft.pk)
    html = client_as("cio").get(f"/o/{org.slug}/reports/{report.pk}/").content.decode()
    if report.snapshot["pack"]["top_risks"]:
        assert "not estimated" in html
    assert "None a year" not in html and "— a year" not in html
    assert "(approved by the board on" not in html and "(submitted to the board on" not in html


# 10. On a phone the charts scroll sideways in their frame rather than shrink their text.


@pytest.mark.django_db
def test_pack_charts_keep_readable_text_on_phones(client_as, org, people, draft):
    import re
    from pathlib import Path

    from django.conf import settings

    report = services.report_publish(actor=people["cio"], report=draft)
    html = client_as("board").get(f"/o/{org.slug}/reports/{report.pk}/").content.decode()
    frames = re.findall(r'<div class="pack-chart[^"]*"[^>]*>', html)
    assert frames and all('tabindex="0"' in f and 'role="region"' in f for f in frames)
    css = Path(settings.BASE_DIR, "static/css/board_pack.css").read_text()
    assert ".pack-web .pack-chart { overflow-x: auto;" in css
    # The trend chart's text is 11 units of a 720-unit box: drawn at least 720 px wide.
    assert ".pack-web .pack-chart svg { min-width: 720px; }" in css
