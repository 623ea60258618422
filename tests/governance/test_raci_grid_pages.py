"""The RACI grid at scale: one page of activities at a time, filters and counters
over the whole matrix, a fixed number of queries, complete exports."""

import io
import re

import pytest
from django.urls import reverse

from core.models import SignOff
from governance.models import RaciAssignment
from governance.raci import selectors, services

from .factories_raci import RaciActivityFactory, RaciPartyFactory, cell, standard_parties

PER_PAGE = selectors.PAGE_SIZE


def url(name, org, *args):
    return reverse(f"governance:{name}", args=[org.slug, *args])


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr id="activity-(\d+)"', html)


def _matrix(org, n_ok: int, n_gaps: int) -> dict:
    """``n_ok`` activities that pass every rule ("Sound …") and ``n_gaps`` with no A ("Gap …")."""
    parties = standard_parties(org)
    for i in range(n_ok):
        activity = RaciActivityFactory(organization=org, name=f"Sound {i:03}", position=i)
        cell(activity, parties["cio"], "A")
        cell(activity, parties["ops"], "R")
    for i in range(n_gaps):
        activity = RaciActivityFactory(
            organization=org, name=f"Gap {i:03}", position=1000 + i, process_area="third_parties"
        )
        cell(activity, parties["ciso"], "R")
    return parties


def test_the_grid_shows_one_page_and_says_which(client_as, org):
    _matrix(org, 40, 20)
    client = client_as("cio")
    html = client.get(url("raci", org)).content.decode()
    assert len(_rows(html)) == PER_PAGE
    assert f"Showing 1–{PER_PAGE} of 60 activities" in html
    assert "page=2" in html and "page=3" in html  # next and last page links
    html = client.get(url("raci", org), {"page": 3}).content.decode()
    assert len(_rows(html)) == 60 - 2 * PER_PAGE
    assert f"Showing {2 * PER_PAGE + 1}–60 of 60 activities" in html
    assert "Gap 019" in html and "Sound 000" not in html


def test_counters_cover_every_activity_on_every_page(client_as, org):
    _matrix(org, 40, 20)
    html = client_as("cio").get(url("raci", org), {"page": 2}).content.decode()
    tiles = re.sub(r"\s+", " ", html)
    assert re.search(r'Activities</div><div class="tile-value">60</div><div class="tile-note">40 pass', tiles)
    assert re.search(r'Gaps</div><div class="tile-value">20</div>', tiles)


def test_a_problem_filter_works_across_pages_and_stays_in_the_page_links(client_as, org):
    _matrix(org, 10, 40)
    client = client_as("cio")
    html = client.get(url("raci", org), {"problem": "gap"}).content.decode()
    assert len(_rows(html)) == PER_PAGE
    assert f"Showing 1–{PER_PAGE} of 40 activities matching the filters (50 in the matrix)" in html
    assert "problem=gap&amp;page=2" in html
    html = client.get(url("raci", org), {"problem": "gap", "page": 2}).content.decode()
    assert len(_rows(html)) == 40 - PER_PAGE
    assert "Sound" not in html and "Gap 039" in html
    html = client.get(url("raci", org), {"problem": "any", "q": "gap 03"}).content.decode()
    assert len(_rows(html)) == 10


def test_area_filter_and_empty_result(client_as, org):
    _matrix(org, 30, 5)
    client = client_as("cio")
    html = client.get(url("raci", org), {"area": "third_parties"}).content.decode()
    assert len(_rows(html)) == 5 and "Showing 1–5 of 5 activities matching the filters" in html
    html = client.get(url("raci", org), {"q": "nothing like this"}).content.decode()
    assert _rows(html) == [] and "No activity matches these filters" in html


def test_a_page_past_the_end_shows_the_last_one(client_as, org):
    _matrix(org, 30, 0)
    html = client_as("cio").get(url("raci", org), {"page": 99}).content.decode()
    assert len(_rows(html)) == 30 - PER_PAGE


@pytest.mark.parametrize("n_ok,n_gaps", [(2, 1), (60, 30)])
def test_grid_query_count_does_not_grow_with_filters_and_pages(
    client_as, org, n_ok, n_gaps, django_assert_num_queries
):
    _matrix(org, n_ok, n_gaps)
    client = client_as("cio")
    client.get(url("raci", org))
    with django_assert_num_queries(7):  # as test_raci_views.GRID_QUERIES
        client.get(url("raci", org), {"problem": "any", "page": 2})


@pytest.mark.parametrize("n_ok,n_gaps", [(2, 1), (60, 30)])
def test_exports_cover_every_row_in_a_fixed_number_of_queries(
    client_as, org, n_ok, n_gaps, django_assert_num_queries
):
    from openpyxl import load_workbook

    _matrix(org, n_ok, n_gaps)
    client = client_as("cio")
    client.get(url("raci_export_xlsx", org))
    # session, user, membership, the size check (core/exports.py), parties (the matrix state is
    # cached), and the download's audit record (core/downloads.py)
    with django_assert_num_queries(6):
        response = client.get(url("raci_export_xlsx", org))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + n_ok + n_gaps
    response = client.get(url("raci_export_xlsx", org), {"problem": "gap"})
    assert len(list(load_workbook(io.BytesIO(response.content)).active.iter_rows())) == 1 + n_gaps


def test_export_links_keep_the_filters_but_not_the_page(client_as, org):
    _matrix(org, 30, 0)
    html = client_as("cio").get(url("raci", org), {"area": "governance", "page": 2}).content.decode()
    assert f'{url("raci_export_pdf", org)}?area=governance"' in html


def test_pdf_export_has_every_party_and_row(client_as, org, monkeypatch):
    from core import pdf

    parties = _matrix(org, 30, 3)
    for i in range(12):
        RaciPartyFactory(organization=org, name=f"Extra party {i}")
    captured = {}
    real = pdf.render_to_string

    def spy(template_name, context):
        captured["grid"], captured["html"] = context["grid"], real(template_name, context)
        return captured["html"]

    monkeypatch.setattr(pdf, "render_to_string", spy)
    response = client_as("cio").get(url("raci_export_pdf", org))
    assert response.content.startswith(b"%PDF")
    assert "Extra party 11" in captured["html"] and "Gap 002" in captured["html"]
    grid = captured["grid"]
    assert len(grid.rows) == 33 and len(grid.parties) == len(parties) + 12
    assert all(len(row.cells) == len(grid.parties) for row in grid.rows)


def test_editing_an_activity_returns_to_its_page(client_as, org):
    _matrix(org, 30, 0)
    activity = selectors.raci_activity_list(organization=org).last()
    response = client_as("cio").post(
        url("raci_activity_edit", org, activity.pk),
        {
            "name": activity.name,
            "process_area": "governance",
            "csf_category": "GV.RR",
            "version": activity.version,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url('raci', org)}?page=2#activity-{activity.pk}"


def test_cells_escape_party_and_activity_names(client_as, org):
    party = RaciPartyFactory(organization=org, name='R&D "core" <team>')
    activity = RaciActivityFactory(organization=org, name="Patch <b>everything</b>")
    cell(activity, party, "A")
    for role in ("cio", "contributor"):
        html = client_as(role).get(url("raci", org)).content.decode()
        assert "<team>" not in html and "<b>everything" not in html
        assert "R&amp;D &quot;core&quot; &lt;team&gt;" in html


def test_a_cell_click_on_a_later_page_returns_its_row(client_as, org):
    parties = _matrix(org, 30, 0)
    activity = selectors.raci_activity_list(organization=org).last()
    response = client_as("cio").post(
        url("raci_cell", org, activity.pk, parties["ciso"].pk), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert _rows(html) == [str(activity.pk)] and 'hx-target="this"' in html
    assert RaciAssignment.objects.get(activity=activity, party=parties["ciso"]).letter == "R"
    assert url("raci_cell", org, activity.pk, parties["ciso"].pk) in html


@pytest.mark.parametrize("n_ok", [3, 60])
def test_summary_fragment_query_count_is_flat(client_as, org, n_ok, django_assert_num_queries):
    _matrix(org, n_ok, 2)
    services.raci_matrix_get_or_create(organization=org)
    client = client_as("cio")
    client.get(url("raci_summary", org))
    with django_assert_num_queries(5):  # session, user, membership, the matrix, its sign-offs
        html = client.get(url("raci_summary", org)).content.decode()
    assert f'<div class="tile-value">{n_ok + 2}</div>' in html


def test_approval_status_survives_a_long_sign_off_log(client_as, org, cio, ciso):
    _matrix(org, 1, 0)
    services.raci_sign(actor=cio, organization=org)
    for _ in range(
        selectors.SIGNOFF_LOG_LENGTH + 3
    ):  # the CISO's void sign-offs push the CIO's out of the log
        services.raci_sign(actor=ciso, organization=org, decision="reject", comment="Not yet")
        services.raci_withdraw(actor=ciso, organization=org)
    matrix = services.raci_matrix_get_or_create(organization=org)
    status, log = selectors.raci_signoffs(matrix)
    assert status.cio is not None and status.cio.signer == cio and status.ciso is None
    assert len(log) == selectors.SIGNOFF_LOG_LENGTH
    assert all(s.signer == ciso and s.voided_at for s in log)  # the newest, the CIO's active one is older
    assert (
        SignOff.objects.filter(purpose=services.APPROVAL_PURPOSE).count() == selectors.SIGNOFF_LOG_LENGTH + 4
    )
    services.raci_sign(actor=ciso, organization=org)
    status, _ = selectors.raci_signoffs(matrix)
    assert status.approved
    html = client_as("cio").get(url("raci", org)).content.decode()
    assert "Jointly approved" in html and "Approved" in html


def test_the_grids_fast_check_agrees_with_the_rules():
    """The grid counts each row's letters in bulk (selectors._check); it must
    find exactly what raci_rules.check_activity finds cell by cell."""
    import random

    from governance.raci import rules as raci_rules

    rng = random.Random(10)
    kinds = {1: "cio", 2: "ciso", 3: "it_operations", 4: "development", 5: "cio", 6: "other"}
    executives = {pk: kind for pk, kind in kinds.items() if kind in ("cio", "ciso")}
    for _ in range(2000):
        letters = {pk: rng.choice("RACI") for pk in kinds if rng.random() < 0.5}
        expected = raci_rules.check_activity((kinds[pk], letter) for pk, letter in letters.items())
        assert selectors._check(letters, executives) == expected, letters


def test_the_cached_matrix_follows_every_change(client_as, org, cio):
    """The grid's matrix state is cached under the organization's data version:
    a change through the services, or a row saved directly (as the admin does),
    shows at once; a change in another organization does not touch it."""
    from governance.models import RaciActivity

    parties = _matrix(org, 3, 0)
    client = client_as("cio")

    def gaps():
        html = re.sub(r"\s+", " ", client.get(url("raci", org)).content.decode())
        return int(re.search(r'Gaps</div><div class="tile-value">(\d+)</div>', html).group(1))

    assert gaps() == 0
    activity = RaciActivity.objects.get(organization=org, name="Sound 000")
    services.raci_cell_set(actor=cio, activity=activity, party=parties["cio"], letter="")
    assert gaps() == 1
    RaciAssignment(organization=org, activity=activity, party=parties["ciso"], letter="A").save()
    assert gaps() == 0
    RaciActivityFactory(organization=org, name="New and empty")
    assert gaps() == 1
    assert "New and empty" in client.get(url("raci", org), {"problem": "gap"}).content.decode()


def test_the_grid_selector_shows_nothing_to_a_role_without_the_matrix(org, people):
    _matrix(org, 3, 1)
    assert selectors.raci_grid(organization=org, user=people["cio"], page=1).total == 4
    grid = selectors.raci_grid(organization=org, user=people["board"], page=1)
    assert (grid.total, grid.rows, grid.parties) == (0, [], [])
