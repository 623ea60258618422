"""Statement of applicability: the rules of a line, versions and approval,
the auditor's XLSX and PDF read back, the import, pages, API and flat queries."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.errors import ConflictError, DomainError, NotAllowed
from core.roles import Role
from risks.evidence.selectors import csf_outcomes
from risks.models import AnnexAControl, SoaEntry
from risks.soa import services
from risks.soa.models import ImplementationStatus, OwnerLens

from .evidence_factories import add_link

pytestmark = pytest.mark.django_db


def _save(org, actor, code="A.8.8", **values):
    defaults = {
        "applicable": True,
        "justification": "Treats the register's vulnerability risks.",
        "status": ImplementationStatus.PARTIAL,
        "owner_lens": OwnerLens.JOINT,
    }
    defaults.update(values)
    return services.soa_entry_save(
        actor=actor, organization=org, control=AnnexAControl.objects.get(code=code), **defaults
    )


def _decide_all(org, actor):
    for control in AnnexAControl.objects.all():
        services.soa_entry_save(
            actor=actor,
            organization=org,
            control=control,
            applicable=True,
            justification="Needed.",
            status=ImplementationStatus.IMPLEMENTED,
            owner_lens=OwnerLens.CIO,
        )


def _url(name, org, **kwargs):
    return reverse(f"soa:{name}", kwargs={"org": org.slug, **kwargs})


# ------------------------------------------------------------- services ----


@pytest.mark.parametrize(
    "values, field",
    [
        ({"justification": ""}, "justification"),
        ({"applicable": False, "justification": ""}, "justification"),
        ({"status": ""}, "status"),
        ({"owner_lens": ""}, "owner_lens"),
        ({"applicable": None, "justification": "Because"}, "applicable"),
    ],
)
def test_a_line_needs_a_justification_status_and_owner(org, cio, values, field):
    with pytest.raises(DomainError) as refused:
        _save(org, cio, **values)
    assert refused.value.field == field


def test_an_excluded_control_has_no_status(org, cio):
    entry = _save(org, cio, applicable=False, justification="No outsourced development.")
    assert entry.status == "" and entry.applicable is False


def test_only_editors_change_the_statement(org, people):
    for role in (Role.BOARD, Role.CONTRIBUTOR, Role.ADMIN):
        with pytest.raises(NotAllowed):
            _save(org, people[role])


def test_history_and_stale_versions(org, cio, ciso):
    entry = _save(org, cio)
    _save(org, ciso, status=ImplementationStatus.IMPLEMENTED, expected_version=entry.version)
    with pytest.raises(ConflictError):
        _save(org, cio, status=ImplementationStatus.PLANNED, expected_version=entry.version)
    assert SoaEntry.objects.get(pk=entry.pk).history.count() == 2


def test_approval_needs_every_control_decided_and_lapses_with_a_change(org, cio, ciso):
    _save(org, cio)
    with pytest.raises(DomainError, match="92 controls are not decided"):
        services.soa_approve(actor=ciso, organization=org)
    _decide_all(org, cio)
    statement = services.soa_approve(actor=ciso, organization=org)
    assert statement.is_approved and statement.approved_by == ciso and statement.version == 1
    _save(org, cio, status=ImplementationStatus.PLANNED)
    statement.refresh_from_db()
    assert not statement.is_approved and statement.version == 2 and statement.approved_version == 1
    _save(org, cio, status=ImplementationStatus.PARTIAL)  # same unapproved version
    statement.refresh_from_db()
    assert statement.version == 2


def test_the_mapping_to_csf_outcomes_is_the_organizations_own(org, cio, client_as):
    outcomes = list(csf_outcomes().filter(code__in=["ID.RA-01", "PR.PS-02"]))
    _save(org, cio, csf_subcategories=outcomes)
    entry = SoaEntry.objects.get(organization=org, control__code="A.8.8")
    assert sorted(s.code for s in entry.csf_subcategories.all()) == ["ID.RA-01", "PR.PS-02"]
    assert not SoaEntry.objects.filter(csf_subcategories__isnull=False).exclude(organization=org).exists()
    body = client_as(Role.CISO).get(_url("control", org, code="A.8.8")).content.decode()
    assert "ID.RA-01" in body and "PR.PS-02" in body
    # Shown on the other side too: the outcome's page names the control.
    from .factories import profile_outcome

    outcome = profile_outcome(org, "ID.RA-01")
    page = client_as(Role.CISO).get(reverse("profile:outcome", kwargs={"org": org.slug, "pk": outcome.pk}))
    assert "controls mapped to it" in page.content.decode() and "A.8.8" in page.content.decode()


# -------------------------------------------------------------- exports ----


def test_the_xlsx_reads_back_in_the_auditors_format(org, cio, ciso, client_as):
    from openpyxl import load_workbook

    _decide_all(org, cio)
    _save(org, cio, code="A.8.30", applicable=False, justification="No outsourced development.")
    add_link(org, cio, title="Scan report", annex_a_controls=[AnnexAControl.objects.get(code="A.8.8")])
    services.soa_approve(actor=ciso, organization=org)
    response = client_as(Role.CIO).get(_url("export", org, fmt="xlsx"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Statement of applicability"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:8] == (
        "Control",
        "Title",
        "Theme",
        "Applicable",
        "Justification",
        "Implementation status",
        "Owner",
        "Evidence references",
    )
    assert len(rows) == 94  # header + 93 controls
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["A.8.30"][3] == "No" and by_code["A.8.30"][4] == "No outsourced development."
    assert by_code["A.8.8"][3] == "Yes" and "Scan report (valid until" in by_code["A.8.8"][7]
    document = dict(workbook["Document"].iter_rows(min_row=2, values_only=True))
    assert document["Organization"] == org.name
    assert document["Version"] == "1"
    assert document["Approval"].startswith(f"Approved by {ciso}")


def test_the_pdf_reads_back(org, cio, client_as):
    from pypdf import PdfReader

    _save(org, cio, code="A.5.1", justification="Board-approved policy set.")
    response = client_as(Role.CISO).get(_url("export", org, fmt="pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in (
        "Statement of applicability",
        org.name,
        "A.5.1",
        "Board-approved policy set",
        "Not approved yet",
        "A.8.34",
    ):
        assert expected in text, expected


# --------------------------------------------------------------- import ----


def test_import_previews_and_writes_all_or_nothing(org, cio, client_as):
    client = client_as(Role.CIO)
    good = (
        "Control,Applicable,Justification,Implementation status,Owner\n"
        "A.5.1,yes,Policies approved by the board.,Implemented,CISO\n"
        "A.8.30,no,No outsourced development.,,\n"
    )
    bad = good + "A.9.9,yes,Unknown,Implemented,CIO\nA.5.2,yes,,Implemented,CIO\n"
    refused = client.post(_url("import", org), {"file": SimpleUploadedFile("soa.csv", bad.encode())})
    body = refused.content.decode()
    assert refused.status_code == 400 and "row 4, control" in body and "row 5, justification" in body
    preview = client.post(_url("import", org), {"file": SimpleUploadedFile("soa.csv", good.encode())})
    assert preview.status_code == 200
    token = preview.context["token"]
    done = client.post(_url("import", org), {"confirm": "1", "token": token})
    assert done.status_code == 302
    lines = {e.control.code: e for e in SoaEntry.objects.filter(organization=org)}
    assert lines["A.5.1"].owner_lens == OwnerLens.CISO and lines["A.8.30"].applicable is False


# ---------------------------------------------------------- pages & API ----


def test_the_page_saves_a_line(org, cio, client_as):
    response = client_as(Role.CIO).post(
        _url("control", org, code="A.5.15"),
        {
            "applicable": "yes",
            "justification": "Access is role based.",
            "status": "planned",
            "owner_lens": "joint",
        },
    )
    assert response.status_code == 302
    assert SoaEntry.objects.get(organization=org, control__code="A.5.15").status == "planned"
    refused = client_as(Role.CIO).post(_url("control", org, code="A.5.16"), {"applicable": "yes"})
    assert refused.status_code == 200 and "auditors ask for it" in refused.content.decode()


def test_unknown_controls_are_404(org, client_as):
    assert client_as(Role.CIO).get(_url("control", org, code="A.99.1")).status_code == 404
    assert client_as(Role.CIO, api=True).get(f"/api/v1/orgs/{org.slug}/soa/lines/A.99.1/").status_code == 404


def test_api_lines_update_statement_and_export(org, cio, client_as):
    api = client_as(Role.CIO, api=True)
    base = f"/api/v1/orgs/{org.slug}/soa/lines/"
    listing = api.get(base + "?page_size=100")
    assert listing.status_code == 200 and listing.json()["count"] == 93
    changed = api.patch(
        base + "A.8.8/",
        {
            "applicable": True,
            "justification": "Patching",
            "status": "partial",
            "owner_lens": "it",
            "csf_subcategories": ["ID.RA-01"],
        },
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["csf_subcategories"] == ["ID.RA-01"] and changed.json()["version"] == 1
    unversioned = api.patch(base + "A.8.8/", {"status": "implemented"}, format="json")
    assert unversioned.status_code == 400 and "version" in unversioned.json()["errors"]
    refused = api.patch(base + "A.8.9/", {"applicable": True}, format="json")
    assert refused.status_code == 400 and "justification" in refused.json()["errors"]
    unknown = api.patch(base + "A.8.9/", {"csf_subcategories": ["XX.YY-99"]}, format="json")
    assert unknown.status_code == 400 and "csf_subcategories" in unknown.json()["errors"]
    assert api.get(base + "?applicable=yes").json()["count"] == 1
    statement = api.get(base + "statement/").json()
    assert statement["applicable"] == 1 and statement["undecided"] == 92 and statement["approved"] is False
    xlsx = api.get(base + "export/?type=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert api.get(base + "export/?type=doc").status_code == 400


def test_the_board_and_contributors_do_not_see_the_statement(org, client_as):
    for role in (Role.BOARD, Role.CONTRIBUTOR, Role.ADMIN):
        assert client_as(role).get(_url("statement", org)).status_code == 404
        assert client_as(role, api=True).get(f"/api/v1/orgs/{org.slug}/soa/lines/").status_code == 404


def test_statement_page_and_endpoint_queries_stay_flat(org, cio, client_as, django_assert_max_num_queries):
    page, api = client_as(Role.CIO), client_as(Role.CIO, api=True)
    page.get(_url("statement", org))
    with django_assert_max_num_queries(22):
        assert page.get(_url("statement", org)).status_code == 200
    with django_assert_max_num_queries(14):
        assert api.get(f"/api/v1/orgs/{org.slug}/soa/lines/").status_code == 200
    _decide_all(org, cio)
    for code in ("A.5.1", "A.8.8", "A.8.13"):
        add_link(
            org, cio, title=f"Evidence for {code}", annex_a_controls=[AnnexAControl.objects.get(code=code)]
        )
    with django_assert_max_num_queries(22):
        assert page.get(_url("statement", org)).status_code == 200
    with django_assert_max_num_queries(14):
        assert api.get(f"/api/v1/orgs/{org.slug}/soa/lines/").status_code == 200
