"""The board pack (issue 20): the demo organization's published report read
back from its PDF section by section, the page and the PDF carrying the same
figures, the snapshot frozen after later edits, the reasons the score moved,
the glossary, decisions asked of the board and the headline KPIs."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.dateformat import format as date_format
from pypdf import PdfReader

from core.errors import DomainError, NotAllowed
from core.formatting import score_change_text
from core.headline import MAX_HEADLINE_KPIS, headline_kpis_choose
from core.models import Organization, OutboxJob, User
from core.pdf import render_pdf
from core.selectors import is_jointly_approved
from governance.alignment import rules as alignment
from governance.alignment import services
from governance.alignment import services as board_asks
from governance.alignment.glossary import GLOSSARY, developer_jargon, glossary_entries, unexplained_codes
from governance.alignment.reasons import reasons_rest, score_reasons, tenths
from governance.alignment.views.reports import pdf_context, pdf_template
from governance.definitions import PATH as DEFINITIONS_PATH
from governance.definitions import for_readers
from governance.models import ASK_PURPOSE, AlignmentReport, AskKind, BoardAsk
from governance.templatetags.board_pack import kpi_as_of, trend_words, with_unit
from kpis.models import KPI, Measurement
from risks.models import Risk

from .factories_reports import make_kpi, populate

SECTIONS = (
    "Decisions",
    "Top risks in business terms",
    "Risk appetite",
    "Money",
    "Headline KPIs",
    "Where the CIO and CISO disagree",
    "Appendix",
)


def human(iso: str) -> str:
    return date_format(date.fromisoformat(iso[:10]), "j M Y")


def pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Text with every run of white space as one space (the PDF wraps lines)."""
    return re.sub(r"\s+", " ", text)


class _PackFigures(HTMLParser):
    """Text of the page's figures: ``data-figure`` elements and headline KPI values."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        key = attrs.get("data-figure") or (
            f"kpi {attrs['data-pack-kpi']}" if "data-pack-kpi" in attrs else None
        )
        if key:
            self._open.append(key)

    def handle_data(self, data):
        if self._open and data.strip():
            self.found.append((self._open.pop(), data.strip()))


def page_figures(html: str) -> list[tuple[str, str]]:
    parser = _PackFigures()
    parser.feed(html[html.index('class="pack pack-web"') :])
    return parser.found


# ------------------------------------------------------------ pure rules ----


def _alignment(**inputs):
    return alignment.compute(**inputs).as_dict() | {"inputs": inputs}


BEFORE = dict(
    agreement={"open_risks": 10, "divergent": 5, "not_assessed": 1},
    accountability={"activities": 20, "gaps": 6, "overlaps": 0},
    kpis={"green": 4, "amber": 2, "red": 4, "stale": 2},
    latency={"decided": 10, "decided_on_time": 8, "pending": 2, "pending_overdue": 0},
    linkage={"security_budget": "100.00", "linked_budget": "50.00"},
)


def test_reasons_name_the_parts_that_moved_most_with_their_counts():
    after = {**BEFORE, "kpis": {"green": 9, "amber": 1, "red": 1, "stale": 1}}
    after["agreement"] = {"open_risks": 10, "divergent": 3, "not_assessed": 1}
    after["latency"] = {"decided": 10, "decided_on_time": 7, "pending": 2, "pending_overdue": 0}
    reasons = score_reasons(_alignment(**BEFORE), _alignment(**after))
    assert [r["key"] for r in reasons] == [alignment.KPI_HEALTH, alignment.AGREEMENT, alignment.LATENCY]
    assert [r["direction"] for r in reasons] == ["up", "up", "down"]
    assert "5 more KPIs on target: 9 of 12, was 4" in reasons[0]["text"]
    assert "risks they assess differently: 3, was 5" in reasons[1]["text"]
    assert reasons[2]["points"] < 0 and "weakened" in reasons[2]["text"]


def test_no_reasons_without_a_previous_report_or_without_a_move():
    now = _alignment(**BEFORE)
    assert score_reasons(None, now) == []
    assert score_reasons(now, now) == []


def test_the_glossary_check_finds_codes_nobody_explained():
    assert unexplained_codes("R-012 is above appetite; the SLA was met; KPI green.") == set()
    assert unexplained_codes("QX-7 and the ZZQ board") == {"QX-", "ZZQ"}
    assert unexplained_codes("ZZQ", [{"term": "ZZQ", "meaning": "A made-up code."}]) == set()
    # Codes with capitals inside a word (SaaS) are codes too; plurals go with their singular.
    assert unexplained_codes("A ZaaZ outage", []) == {"ZaaZ"}
    assert unexplained_codes("Third-party SaaS provider breach; 5 KPIs", glossary_entries("SaaS")) == set()
    # Both status vocabularies and the trend arrows are glossed.
    glossed = " ".join(term for term, _ in GLOSSARY)
    assert all(word in glossed for word in ("On target", "Near target", "Off target", "▲ better", "▼ worse"))
    assert "green, amber and red" in dict(GLOSSARY)["On target / Near target / Off target"]


def test_board_facing_words_have_no_developer_jargon():
    assert developer_jargon("the snapshot schema of a selector, field risk_level") == {
        "schema",
        "selector",
        "risk_level",
    }
    assert developer_jargon(" ".join(f"{t} {m}" for t, m in GLOSSARY)) == set()
    assert developer_jargon(for_readers(DEFINITIONS_PATH.read_text(encoding="utf-8"))) == set()


def test_changes_round_half_up_to_one_decimal_and_add_up():
    assert tenths(1.25) == 1.3 and tenths(-1.25) == -1.3 and tenths(1.04) == 1.0
    assert score_change_text(1.5) == "+1.5 points" and score_change_text(2) == "+2 points"
    assert score_change_text(-1) == "−1 point"
    reasons = [{"points": 1.3}, {"points": 1.3}, {"points": 1.2}]
    assert reasons_rest(5, reasons) == 1.2
    # A reason of +1.5 points is printed as such, never as "+1".
    after = {**BEFORE, "kpis": {"green": 5, "amber": 2, "red": 3, "stale": 2}}
    reason = score_reasons(_alignment(**BEFORE), _alignment(**after))[0]
    assert reason["points"] == tenths(reason["points"]) and reason["points"] != round(reason["points"])


def test_kpi_figures_read_for_people():
    assert with_unit("3", "count") == "3" and with_unit("99.9", "percent") == "99.9%"
    assert with_unit("3.1", "days") == "3.1 days" and with_unit(None, "days") == "—"
    assert kpi_as_of({"as_of": "2026-11-30", "status": "green"}) == "as of 30 Nov 2026"
    assert "out of date" in kpi_as_of({"as_of": "2026-09-30", "status": "stale"})
    assert trend_words("improving") == "▲ better" and trend_words("worsening") == "▼ worse"


# ------------------------------------------------ the demo's board pack ----


@pytest.mark.django_db
def test_demo_board_pack_pdf_reads_in_order_and_matches_the_page(client):
    call_command("seed_demo", verbosity=0)
    org = Organization.objects.get(slug="northwind-health")
    cio = User.objects.get(email="cio@northwind.example")
    report = AlignmentReport.objects.get(organization=org, status="draft")
    report = services.report_publish(actor=cio, report=report)
    pack = report.snapshot["pack"]
    pdf = render_pdf(pdf_template(report), pdf_context(report))
    pages = pdf_pages(pdf)
    text = "\n".join(pages)
    assert len(pages) <= 12

    # Page 1: who and when, the score with its change and reasons, a few sentences, the asks.
    one = flat(pages[0])
    assert f"{org.name} — {report.period_label}" in one
    assert "to date" in one and f"figures as of {human(pack['as_of'])}" in one
    assert f"Published {date_format(timezone.localtime(report.published_at), 'j M Y')} by Maya Chen" in one
    assert f"{report.score} / 100" in one and "on the previous report" in one
    assert pack["previous"] and len(pack["reasons"]) == 3
    assert "Why it moved" in one and all(flat(r["text"]) in one for r in pack["reasons"])
    assert "In short" in one and 3 <= len(pack["sentences"]) <= 5
    assert len(pack["asks"]) == 2 and "What we ask of the board" in one
    for ask in pack["asks"]:
        assert flat(ask["title"]) in one and human(ask["deadline"]) in one
        assert f"{Decimal(ask['amount']):,.0f} USD" in one
        assert ask["cio"] and ask["ciso"] and ask["cio"] != ask["ciso"]

    # The sections in their order after page 1, as the PDF's bookmarks list them.
    reader = PdfReader(io.BytesIO(pdf))
    top = [item for item in reader.outline if isinstance(item, list)][0]
    sections = [
        (item.title, reader.get_destination_page_number(item) + 1)
        for item in top
        if not isinstance(item, list)
    ]
    assert [title for title, _ in sections] == ["In short", "What we ask of the board", *SECTIONS]
    assert [page for _, page in sections[:2]] == [1, 1] and all(page > 1 for _, page in sections[2:])
    assert "Contents" in one and "Page 1 of" in pages[0] and f"Page {len(pages)} of {len(pages)}" in text
    rest = flat("\n".join(pages[1:]))

    # Every accepted risk names both signers, when and until when.
    assert pack["accepted"], "the demo accepts risks jointly"
    start = rest.index("Accepted risks")
    appetite = rest[start : rest.index("Money", start)]
    for risk in pack["accepted"]:
        assert risk["cio"] and risk["ciso"]
        row = appetite[appetite.index(flat(risk["title"])) :][:400]
        assert f"{risk['cio']} (CIO) and {risk['ciso']} (CISO)" in row
        assert human(risk["until"]) in row and human(risk["accepted_on"]) in row

    # Every risk above appetite, with its treatment.
    above = pack["above_appetite"]
    assert len(above) == report.snapshot["risks"]["above_appetite_count"] > 8
    table = rest[rest.index("Above appetite") : start]
    assert all(flat(r["title"]) in table and r["treatment"] for r in above)

    # Top risks in business terms, and at most eight headline KPIs with trend words.
    for risk in pack["top_risks"]:
        assert flat(risk["title"]) in rest and risk["in_words"].capitalize() in rest
    assert 0 < len(pack["headline_kpis"]["items"]) <= 8 and pack["headline_kpis"]["chosen_jointly"]

    # Written for people: no raw dates or ids, no code left unexplained, no unit
    # "count", no developer words, a legend for the trend arrows.
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b|#\d+|\bT\d{2}:\d{2}", text)
    assert unexplained_codes(text, pack["glossary"]) == set()
    assert not re.search(r"\d count\b", text) and developer_jargon(text) == set()
    assert "▲ better means it moved towards its target" in flat(text)

    # Every KPI, computed ones included, has its value and its "as of" date.
    computed = [
        k for k in report.snapshot["kpis"]["items"] if k["name"] == "Intake time to decision (median)"
    ]
    assert computed and computed[0]["value"] is not None and computed[0]["as_of"]
    headline = pack["headline_kpis"]["items"]
    assert all(k["value"] is not None and f"as of {human(k['as_of'])}" in flat(text) for k in headline)
    # Meanings are whole sentences, never cut.
    assert all(not k["meaning"].endswith("…") for k in headline)
    # The ROSI's basis in words, next to the figure and in the method.
    budget = report.snapshot["budget"]
    basis = f"{Decimal(budget['rosi_cost']):,.0f} USD a year those items cost"
    assert basis in flat(text) and "How the return on security investment is computed" in text

    # The page and the PDF carry the same figures.
    client.force_login(cio)
    html = client.get(f"/o/{org.slug}/reports/{report.pk}/").content.decode()
    figures = page_figures(html)
    keys = {key for key, _ in figures}
    assert {"alignment.score", "alignment.change", "budget.total", "risks.accepted", "shown.rosi"} <= keys
    assert sum(key.startswith("kpi ") for key in keys) == len(pack["headline_kpis"]["items"])
    pdf_flat = flat(text)
    for key, shown in figures:
        assert flat(shown) in pdf_flat, f"{key}: the page shows {shown!r}, the PDF does not"
    for ask in pack["asks"]:
        assert flat(ask["title"]) in flat(re.sub(r"<[^>]+>", " ", html).replace("&ldquo;", "“"))
    # The full scorecard on the page too, in the same order, with the PDF's values.
    items = report.snapshot["kpis"]["items"]
    assert html.count("data-all-kpi=") == len(items) == report.snapshot["kpis"]["total"] > 8
    for k in items:
        assert f'data-all-kpi="{k["id"]}"' in html
    assert "The PDF lists all" not in html


@pytest.mark.django_db
def test_demo_earlier_reports_are_built_from_the_data_of_their_time():
    call_command("seed_demo", verbosity=0)
    org = Organization.objects.get(slug="northwind-health")
    reports = list(AlignmentReport.objects.filter(organization=org).order_by("period_end"))
    assert [r.status for r in reports] == ["published"] * 4 + ["draft"]
    draft = reports[-1].snapshot
    for report in reports[:-1]:
        snapshot, end = report.snapshot, report.period_end.isoformat()
        pack = snapshot["pack"]
        # KPI values of that time: every one speaks for a day by the quarter's end.
        assert all(k["as_of"] is None or k["as_of"] <= end for k in snapshot["kpis"]["items"])
        assert all(k["as_of"] is None or k["as_of"] <= end for k in pack["headline_kpis"]["items"])
        values = {k["id"]: k["value"] for k in snapshot["kpis"]["items"]}
        assert values != {k["id"]: k["value"] for k in draft["kpis"]["items"]}
        # Counted from the scorecard it shows, and the score computed from those inputs.
        shown = snapshot["kpis"]
        assert snapshot["alignment"]["inputs"]["kpis"] == {
            s: shown[s] for s in ("green", "amber", "red", "stale")
        }
        assert report.score == alignment.compute(**snapshot["alignment"]["inputs"]).score
        # Nothing decided, accepted or asked after the quarter ended.
        assert pack["asks"] == [] and pack["as_of"] == end and not pack["to_date"]
        assert all(t["on"] <= end for t in pack["taken"])
        assert all(r["accepted_on"] <= end for r in pack["accepted"])
        # The budget of that time: no proposal for a later fiscal year, decided by then.
        proposal = snapshot["budget"]["proposal"]
        assert proposal is None or proposal["fiscal_year"] <= report.period_end.year + 1
        assert proposal is None or (proposal["state_date"] or "")[:10] <= end
    # Each score change is the difference of two real scores, and its reasons add up to it.
    for before, after in zip(reports, reports[1:], strict=False):
        change = after.snapshot["alignment"]["change"]
        assert change == after.score - before.score
        reasons = after.snapshot["pack"]["reasons"]
        total = sum(Decimal(str(r["points"])) for r in reasons) + Decimal(
            str(after.snapshot["pack"]["reasons_rest"])
        )
        assert total == change


# ------------------------------------------------------------- frozen ----


@pytest.mark.django_db
def test_published_pack_does_not_change_after_later_edits(client_as, org, people):
    populate(org, people)
    kpis = list(KPI.objects.filter(organization=org).values_list("pk", flat=True))
    headline_kpis_choose(actor=people["cio"], organization=org, kpi_ids=kpis[:2])
    headline_kpis_choose(actor=people["ciso"], organization=org, kpi_ids=kpis[:2])
    report = services.report_request(actor=people["cio"], organization=org, enqueue=False)
    report = services.report_build(report_id=report.pk)
    report = services.report_publish(actor=people["cio"], report=report)
    url = f"/o/{org.slug}/reports/{report.pk}/"
    board = client_as("board")
    before_html = board.get(url).content.decode()
    before_pdf = flat("\n".join(pdf_pages(render_pdf(pdf_template(report), pdf_context(report)))))
    before_snapshot = AlignmentReport.objects.get(pk=report.pk).snapshot

    # Later: a risk renamed, a KPI measured again, other headline KPIs chosen.
    Risk.objects.filter(organization=org).update(title="Something else entirely")
    first = KPI.objects.get(pk=kpis[0])
    Measurement.objects.filter(kpi=first).update(value=Decimal("1"))
    headline_kpis_choose(actor=people["cio"], organization=org, kpi_ids=kpis[2:4])
    headline_kpis_choose(actor=people["ciso"], organization=org, kpi_ids=kpis[2:4])

    report = AlignmentReport.objects.get(pk=report.pk)
    assert report.snapshot == before_snapshot
    assert page_figures(board.get(url).content.decode()) == page_figures(before_html)
    after_pdf = flat("\n".join(pdf_pages(render_pdf(pdf_template(report), pdf_context(report)))))
    assert after_pdf == before_pdf and "Something else entirely" not in after_pdf


# ------------------------------------------------ asks of the board ----


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
        deadline=date(2027, 1, 15),
        amount=Decimal("1000000"),
    )
    return board_asks.board_ask_propose(actor=people[role], report=report, **(data | changes))


@pytest.mark.django_db
def test_an_ask_enters_the_report_once_the_other_executive_confirms(org, people, draft):
    ask = _propose(people, draft)
    assert not is_jointly_approved(ask, ASK_PURPOSE)
    assert services.report_build(report_id=draft.pk).snapshot["pack"]["asks"] == []
    with pytest.raises(DomainError):  # the proposer cannot confirm their own ask
        board_asks.board_ask_sign(actor=people["cio"], ask=ask)
    board_asks.board_ask_sign(actor=people["ciso"], ask=ask)
    assert OutboxJob.objects.filter(key=f"report-build:{draft.pk}").exists()
    asks = services.report_build(report_id=draft.pk).snapshot["pack"]["asks"]
    assert [(a["title"], a["amount"], a["deadline"]) for a in asks] == [
        ("Approve the FY2027 budget", "1000000.00", "2027-01-15")
    ]
    assert asks[0]["cio"] == people["cio"].display_name and asks[0]["ciso"] == people["ciso"].display_name


@pytest.mark.django_db
def test_asks_refuse_bad_input_other_roles_and_published_reports(org, people, draft):
    with pytest.raises(DomainError) as error:
        _propose(people, draft, recommendation="  ")
    assert error.value.field == "recommendation"
    with pytest.raises(DomainError) as error:
        _propose(people, draft, kind="whatever")
    assert error.value.field == "kind"
    with pytest.raises(NotAllowed):
        _propose(people, draft, role="board")
    ask = _propose(people, draft)
    services.report_publish(actor=people["cio"], report=draft)
    with pytest.raises(DomainError):
        board_asks.board_ask_sign(actor=people["ciso"], ask=ask)
    with pytest.raises(DomainError):
        _propose(people, draft)


@pytest.mark.django_db
def test_asks_from_the_report_page(client_as, org, people, draft):
    url = f"/o/{org.slug}/reports/{draft.pk}/"
    data = {"kind": "exception", "title": "Keep the old lab system a year", "recommendation": "Grant it."}
    response = client_as("cio").post(url + "asks/", data | {"deadline": "2027-02-01"}, follow=True)
    assert "Proposed." in response.content.decode()
    ask = BoardAsk.objects.get(report=draft)
    response = client_as("cio").post(url + "asks/", data | {"deadline": "soon"}, follow=True)
    assert "Decide by" in response.content.decode() and BoardAsk.objects.count() == 1
    assert client_as("board").post(url + f"asks/{ask.pk}/sign/").status_code == 404
    response = client_as("ciso").post(url + f"asks/{ask.pk}/sign/", follow=True)
    assert "Your decision is recorded." in response.content.decode() and is_jointly_approved(ask, ASK_PURPOSE)
    # Withdrawing one's part leaves the ask on the draft, waiting again; removing takes it off.
    client_as("ciso").post(url + f"asks/{ask.pk}/withdraw/")
    assert BoardAsk.objects.filter(pk=ask.pk).exists() and not is_jointly_approved(ask, ASK_PURPOSE)
    assert client_as("admin").post(url + f"asks/{ask.pk}/remove/").status_code in (403, 404)
    client_as("ciso").post(url + f"asks/{ask.pk}/remove/")
    assert not BoardAsk.objects.filter(pk=ask.pk).exists()


# --------------------------------------------------- headline KPIs ----


@pytest.mark.django_db
def test_headline_kpis_are_chosen_jointly_and_at_most_eight(client_as, org, people):
    kpis = [make_kpi(org, name=f"KPI {n}", value=90).pk for n in range(MAX_HEADLINE_KPIS + 1)]
    with pytest.raises(DomainError) as error:
        headline_kpis_choose(actor=people["cio"], organization=org, kpi_ids=kpis)
    assert error.value.field == "headline_kpis"
    assert headline_kpis_choose(actor=people["cio"], organization=org, kpi_ids=kpis[:3]) == "proposed"
    org.refresh_from_db()
    assert org.headline_kpis == []
    with pytest.raises(DomainError):  # the proposer cannot confirm their own choice
        headline_kpis_choose(actor=people["cio"], organization=org, kpi_ids=kpis[:3])
    with pytest.raises(NotAllowed):
        headline_kpis_choose(actor=people["admin"], organization=org, kpi_ids=kpis[:3])
    # Through the settings page, as the CISO: the same selection puts it in force.
    settings_url = f"/o/{org.slug}/settings/"
    page = client_as("ciso").get(settings_url).content.decode()
    assert "Proposed by" in page and "KPI 0" in page
    org.refresh_from_db()
    response = client_as("ciso").post(
        settings_url + "headline-kpis/", {"version": org.version, "headline_kpis": kpis[:3]}, follow=True
    )
    assert "Headline KPIs confirmed" in response.content.decode()
    org.refresh_from_db()
    assert org.headline_kpis == sorted(kpis[:3]) and org.headline_kpis_proposal == {}
    with pytest.raises(DomainError) as error:  # a KPI that is not this organization's
        headline_kpis_choose(actor=people["cio"], organization=org, kpi_ids=[kpis[0], 10**6])
    assert error.value.field == "headline_kpis"
