"""One PDF pipeline: every PDF template extends templates/pdf/base.html, is
styled by static/css/pdf.css alone (no template has its own <style> or
stylesheet link), and every rendered PDF carries the running header and
"Page N of M" on each page after its cover (read back with pypdf)."""

import io
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from budgets.models import ProposalStatus
from core.exports import export_kind
from governance.alignment import services as report_services
from tests.budgets.factories import ItemFactory, ProposalFactory
from tests.governance.factories_raci import RaciActivityFactory, RaciPartyFactory, cell
from tests.governance.factories_reports import populate

TEMPLATES = Path(settings.BASE_DIR) / "templates"
SOURCES = [
    path
    for app in ("core", "kpis", "risks", "budgets", "governance")
    for path in (Path(settings.BASE_DIR) / app).rglob("*.py")
]
PDF_CALL = re.compile(r"""(?:render_pdf|pdf_file)\(\s*["']([^"']+\.html)["']""")


def pdf_templates() -> set[str]:
    """Every template the code renders to PDF."""
    return {name for path in SOURCES for name in PDF_CALL.findall(path.read_text(encoding="utf-8"))}


def test_the_pdf_templates_are_found():
    assert pdf_templates() >= {
        "budgets/proposal_pdf.html",
        "governance/raci/matrix_pdf.html",
        "governance/alignment/pdf.html",
    }


@pytest.mark.parametrize("name", sorted(pdf_templates()))
def test_every_pdf_template_extends_the_one_base(name):
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    assert text.lstrip().startswith('{% extends "pdf/base.html" %}'), name
    assert 'rel="stylesheet"' not in text, f"{name} links its own stylesheet: put the rules in css/pdf.css"


def test_no_template_defines_its_own_style():
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if re.search(r"<style[\s>]", path.read_text(encoding="utf-8"), re.IGNORECASE)
    ]
    assert offenders == []


def test_the_pdf_stylesheet_is_the_only_one_core_pdf_adds():
    source = (Path(settings.BASE_DIR) / "core" / "pdf.py").read_text(encoding="utf-8")
    assert '("css/pdf.css", "css/heatmap.css")' in source  # the heat map is shared with the pages


# ---------------------------------------------------------- rendering ----


@pytest.fixture
def documents(org, people):
    """Render every PDF of Concord through its registered export."""
    proposal = ProposalFactory(organization=org, fiscal_year=2026, status=ProposalStatus.SUBMITTED)
    ItemFactory(proposal=proposal, title="EDR rollout")
    cell(RaciActivityFactory(organization=org, name="Patch servers"), RaciPartyFactory(organization=org), "A")
    populate(org, people)
    report = report_services.report_request(
        actor=people["cio"],
        organization=org,
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        period_label="Q3 2026",
        enqueue=False,
    )
    report = report_services.report_build(report_id=report.pk)
    exports = {
        "budgets.proposal_pdf": {"proposal": proposal.pk},
        "governance.raci_pdf": {},
        "governance.report_pdf": {"report": report.pk},
    }

    def render(key):
        kind = export_kind(key)
        return kind.render(people["cio"], org, exports[key], lambda percent, step="": None)

    return {key: render(key) for key in exports}


@pytest.mark.django_db
def test_every_pdf_has_a_running_header_and_page_numbers(documents, org):
    for key, file in documents.items():
        assert file.content_type == "application/pdf" and file.filename.endswith(".pdf"), key
        pages = PdfReader(io.BytesIO(file.content)).pages
        total = len(pages)
        texts = [page.extract_text() for page in pages]
        has_cover = "Page 1 of" not in texts[0]
        numbered = texts[1:] if has_cover else texts
        assert numbered, key
        first = 2 if has_cover else 1
        for number, text in enumerate(numbered, start=first):
            assert f"Page {number} of {total}" in text, (key, number, text[-200:])
            assert org.name in text and "Concord" in text, (key, number)  # the running header


@pytest.mark.django_db
def test_the_raci_matrix_is_laid_out_landscape_and_others_portrait(documents):
    def landscape(key):
        page = PdfReader(io.BytesIO(documents[key].content)).pages[-1]
        return float(page.mediabox.width) > float(page.mediabox.height)

    assert landscape("governance.raci_pdf")
    assert not landscape("budgets.proposal_pdf") and not landscape("governance.report_pdf")
