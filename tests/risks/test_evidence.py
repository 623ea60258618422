"""Evidence: rules of the services, who sees what (the board: counts only; a
contributor: their own), the permission-checked download recorded on the
Audit page, the pages and the API, and flat query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError, NotAllowed
from core.models import SecurityEvent
from core.roles import Role
from risks.evidence import expiry, selectors, services
from risks.evidence.models import Evidence

from .evidence_factories import PDF_BYTES, add_file, add_link, control
from .factories import make_risk

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _url(name, org, **kwargs):
    return reverse(f"evidence:{name}", kwargs={"org": org.slug, **kwargs})


def _api(org, suffix=""):
    return f"/api/v1/orgs/{org.slug}/evidence/{suffix}"


# ------------------------------------------------------------- services ----


def test_evidence_needs_something_to_support(org, cio):
    with pytest.raises(DomainError) as refused:
        add_link(org, cio, annex_a_controls=[])
    assert refused.value.field == "annex_a_controls"


def test_links_must_be_web_addresses_and_risks_of_this_org(org, other_org, cio, people):
    with pytest.raises(DomainError) as refused:
        add_link(org, cio, url="javascript:alert(1)")
    assert refused.value.field == "url"
    foreign = make_risk(other_org, people["outsider"], title="Not theirs")
    with pytest.raises(DomainError) as refused:
        add_link(org, cio, risks=[foreign])
    assert refused.value.field == "risks"


def test_the_board_and_the_admin_cannot_add_evidence(org, people):
    for role in (Role.BOARD, Role.ADMIN):
        with pytest.raises(NotAllowed):
            add_link(org, people[role])


def test_a_contributor_changes_only_their_own(org, cio, people):
    contributor = people[Role.CONTRIBUTOR]
    own = add_link(org, contributor, title="My screenshot link")
    theirs = add_link(org, cio, title="The CIO's")
    services.evidence_update(actor=contributor, evidence=own, expected_version=own.version, title="Renamed")
    with pytest.raises(NotAllowed):
        services.evidence_update(actor=contributor, evidence=theirs, expected_version=1, title="Mine now")


def test_changes_are_versioned_and_kept_in_history(org, cio):
    evidence = add_link(org, cio)
    services.evidence_update(
        actor=cio, evidence=evidence, expected_version=1, valid_until=TODAY + timedelta(days=400)
    )
    evidence.refresh_from_db()
    assert evidence.version == 2
    assert evidence.history.count() == 2


# ----------------------------------------------------------- visibility ----


def test_visibility_executives_all_contributor_own_board_none(org, cio, people):
    contributor = people[Role.CONTRIBUTOR]
    add_file(org, cio, title="CIO file")
    add_link(org, contributor, title="Contributor link")
    assert selectors.evidence_base(people[Role.CISO], org).count() == 2
    assert [e.title for e in selectors.evidence_base(contributor, org)] == ["Contributor link"]
    assert not selectors.evidence_base(people[Role.BOARD], org).exists()
    assert not selectors.evidence_base(people[Role.ADMIN], org).exists()
    assert not selectors.evidence_base(people["outsider"], org).exists()


def test_the_board_sees_counts_not_files(org, cio, client_as):
    add_file(org, cio, title="Secret pen test findings")
    add_link(org, cio, title="Expired policy", days=-3)
    response = client_as(Role.BOARD).get(_url("list", org))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-count="total">2<' in body and 'data-count="expired">1<' in body
    assert "Secret pen test findings" not in body and "Expired policy" not in body
    evidence = Evidence.objects.get(title="Secret pen test findings")
    assert client_as(Role.BOARD).get(_url("detail", org, pk=evidence.pk)).status_code == 404
    assert client_as(Role.BOARD).get(_url("download", org, pk=evidence.pk)).status_code == 404
    api = client_as(Role.BOARD, api=True)
    assert api.get(_api(org)).status_code == 403
    assert api.get(_api(org, f"{evidence.pk}/download/")).status_code == 403
    summary = api.get(_api(org, "summary/"))
    assert summary.status_code == 200 and summary.json()["total"] == 2 and summary.json()["expired"] == 1


def test_a_contributor_sees_and_downloads_only_their_own(org, cio, people, client_as):
    contributor = people[Role.CONTRIBUTOR]
    own = add_file(org, contributor, title="My evidence")
    other = add_file(org, cio, title="The CIO's evidence")
    client = client_as(Role.CONTRIBUTOR)
    body = client.get(_url("list", org)).content.decode()
    assert (
        "My evidence" in body and "The CIO&#x27;s evidence" not in body and "The CIO's evidence" not in body
    )
    assert client.get(_url("download", org, pk=own.pk)).status_code == 200
    assert client.get(_url("download", org, pk=other.pk)).status_code == 404
    api = client_as(Role.CONTRIBUTOR, api=True)
    assert [e["title"] for e in api.get(_api(org)).json()["results"]] == ["My evidence"]
    assert api.get(_api(org, f"{other.pk}/")).status_code == 404


# ------------------------------------------------------------- download ----


def test_download_is_permission_checked_and_recorded(org, cio, client_as):
    evidence = add_file(org, cio, name="../../Pen test «2026».pdf")
    response = client_as(Role.CISO).get(_url("download", org, pk=evidence.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "/" not in response["Content-Disposition"].split("filename=")[1].split(";")[0]
    event = SecurityEvent.objects.filter(organization=org, kind="export").latest("pk")
    assert "Evidence file" in event.detail and evidence.file_name in event.detail
    api = client_as(Role.CIO, api=True).get(_api(org, f"{evidence.pk}/download/"))
    assert api.status_code == 200 and b"".join(api.streaming_content) == PDF_BYTES
    assert client_as("outsider").get(_url("download", org, pk=evidence.pk)).status_code == 404


def test_a_link_has_no_download(org, cio, client_as):
    evidence = add_link(org, cio)
    assert client_as(Role.CIO).get(_url("download", org, pk=evidence.pk)).status_code == 404


# ---------------------------------------------------------------- pages ----


def test_add_a_file_through_the_page(org, cio, client_as):
    client = client_as(Role.CIO)
    form = client.get(_url("add", org) + "?control=A.8.8")
    assert form.status_code == 200
    upload = SimpleUploadedFile("scan.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(
        _url("add", org),
        {
            "kind": "file",
            "title": "Vulnerability scan, November",
            "file": upload,
            "owner": cio.pk,
            "valid_until": (TODAY + timedelta(days=30)).isoformat(),
            "annex_a_controls": [control("A.8.8").pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    evidence = Evidence.objects.get(title="Vulnerability scan, November")
    assert evidence.file_name == "scan.pdf" and evidence.file_type == "pdf"


def test_a_wrong_file_is_refused_on_the_form(org, cio, client_as):
    upload = SimpleUploadedFile("notes.pdf", b"#!/bin/sh\nrm -rf /\n", content_type="application/pdf")
    response = client_as(Role.CIO).post(
        _url("add", org),
        {
            "kind": "file",
            "title": "Disguised script",
            "file": upload,
            "owner": cio.pk,
            "valid_until": (TODAY + timedelta(days=30)).isoformat(),
            "annex_a_controls": [control("A.8.8").pk],
        },
    )
    assert response.status_code == 200
    assert "does not contain what its name says" in response.content.decode()
    assert not Evidence.objects.filter(organization=org).exists()


def test_expired_evidence_shows_as_a_to_do(org, cio, client_as):
    add_link(org, cio, title="Old access review", days=-1)
    add_link(org, cio, title="Current access review", days=10)
    body = client_as(Role.CISO).get(_url("list", org)).content.decode()
    todo = body.split("To do: renew expired evidence", 1)[1].split("</section>", 1)[0]
    assert "Old access review" in todo and "Current access review" not in todo


def test_evidence_export_holds_metadata_only(org, cio, client_as):
    add_file(org, cio, title="Exported piece")
    response = client_as(Role.CIO).get(_url("export", org, fmt="csv"))
    text = response.content.decode("utf-8-sig")
    assert "Exported piece" in text and "A.8.8" in text and "%PDF" not in text


def test_evidence_links_import_round_trip(org, cio, ciso, client_as):
    make_risk(org, cio, title="Phishing")
    existing = add_link(org, cio, title="Policy", url="https://intranet.example/policy", days=-2)
    client = client_as(Role.CISO)
    header = "Title,Link,Owner,Valid until,CSF outcomes,Annex A controls,Risks,Description\n"
    future = (TODAY + timedelta(days=200)).isoformat()
    good = header + (
        f"Policy,https://intranet.example/policy,{cio.email},{future},,A.5.1,,Renewed\n"
        f"Phishing drill,https://lms.example/drill,{ciso.email},{future},PR.AT-01,,R-001,\n"
    )
    bad = header + "Upload,file:///etc/passwd,nobody@x.test,tomorrow,XX-1,,,\n"
    refused = client.post(_url("import", org), {"file": SimpleUploadedFile("e.csv", bad.encode())})
    text = refused.content.decode()
    assert refused.status_code == 400
    for field in ("row 2, link", "row 2, owner", "row 2, valid_until", "row 2, csf_outcomes"):
        assert field in text, field
    preview = client.post(_url("import", org), {"file": SimpleUploadedFile("e.csv", good.encode())})
    assert preview.status_code == 200, preview.content.decode()[:3000]
    done = client.post(_url("import", org), {"confirm": "1", "token": preview.context["token"]})
    assert done.status_code == 302
    existing.refresh_from_db()
    assert existing.valid_until.isoformat() == future and existing.description == "Renewed"
    drill = Evidence.objects.get(organization=org, title="Phishing drill")
    assert [s.code for s in drill.csf_subcategories.all()] == ["PR.AT-01"]
    assert [r.reference for r in drill.risks.all()] == ["R-001"]


# ------------------------------------------------------------------ API ----


def test_api_adds_a_file_and_a_link(org, cio, client_as):
    api = client_as(Role.CIO, api=True)
    upload = SimpleUploadedFile("restore.csv", b"system,hours\nEHR,32\n", content_type="text/csv")
    created = api.post(
        _api(org),
        {
            "title": "Restore drill",
            "file": upload,
            "valid_until": (TODAY + timedelta(days=30)).isoformat(),
            "annex_a_controls": ["A.8.13"],
        },
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["file_type"] == "csv" and created.json()["download_url"].endswith("/download/")
    link = api.post(
        _api(org),
        {
            "title": "Policy",
            "url": "https://intranet.example/policy",
            "valid_until": TODAY.isoformat(),
            "annex_a_controls": ["A.5.1"],
        },
        format="json",
    )
    assert link.status_code == 201 and link.json()["download_url"] is None


def test_api_refuses_bad_files_naming_the_field(org, cio, client_as):
    api = client_as(Role.CIO, api=True)
    upload = SimpleUploadedFile("page.html", b"<html></html>", content_type="text/html")
    refused = api.post(
        _api(org),
        {"title": "X", "file": upload, "valid_until": TODAY.isoformat(), "annex_a_controls": ["A.8.8"]},
        format="multipart",
    )
    assert refused.status_code == 400 and "file" in refused.json()["errors"]
    neither = api.post(_api(org), {"title": "X", "valid_until": TODAY.isoformat()}, format="json")
    assert neither.status_code == 400 and "file" in neither.json()["errors"]


def test_api_filters_and_stale_versions(org, cio, client_as):
    old = add_link(org, cio, title="Old", days=-5)
    add_link(org, cio, title="New", days=5)
    api = client_as(Role.CISO, api=True)
    assert [e["title"] for e in api.get(_api(org) + "?validity=expired").json()["results"]] == ["Old"]
    stale = api.patch(_api(org, f"{old.pk}/"), {"title": "Renamed", "version": 99}, format="json")
    assert stale.status_code == 409
    ok = api.patch(
        _api(org, f"{old.pk}/"),
        {"valid_until": (TODAY + timedelta(days=9)).isoformat(), "version": 1},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["expired"] is False


# --------------------------------------------------------- query counts ----


def _grow(org, cio, risk, n):
    for index in range(n):
        add_link(org, cio, title=f"Piece {index}", risks=[risk], days=index - 2)


def test_list_page_and_endpoint_queries_stay_flat(org, cio, client_as, django_assert_max_num_queries):
    risk = make_risk(org, cio)
    _grow(org, cio, risk, 3)
    page, api = client_as(Role.CIO), client_as(Role.CIO, api=True)
    page.get(_url("list", org))
    api.get(_api(org))
    with django_assert_max_num_queries(24):
        assert page.get(_url("list", org)).status_code == 200
    with django_assert_max_num_queries(16):
        assert api.get(_api(org)).status_code == 200
    _grow(org, cio, risk, 20)
    with django_assert_max_num_queries(24):
        assert page.get(_url("list", org)).status_code == 200
    with django_assert_max_num_queries(16):
        assert api.get(_api(org)).status_code == 200


# ------------------------------------------------------------ the rule ----


@pytest.mark.parametrize(
    "level, dates, expected, lowered",
    [
        (3, [], 3, False),  # no evidence: as assessed
        (3, [TODAY - timedelta(days=1)], 2, True),  # its only evidence expired
        (2, [TODAY - timedelta(days=9), TODAY - timedelta(days=1)], 1, True),  # all expired
        (3, [TODAY - timedelta(days=9), TODAY], 3, False),  # one still valid (valid through today)
        (0, [TODAY - timedelta(days=1)], 0, False),  # the lowest stays the lowest
    ],
)
def test_expired_evidence_lowers_the_level_it_supports(level, dates, expected, lowered):
    result = expiry.effective_level(level, dates, TODAY)
    assert (result.level, result.lowered) == (expected, lowered)
    if lowered:
        assert "one step lower" in result.reason and "expired" in result.reason


def test_an_unassessed_level_stays_unassessed():
    assert expiry.effective_level(None, [TODAY - timedelta(days=1)], TODAY) is None


def test_a_contributor_neither_adds_expired_evidence_nor_links_risks_they_cannot_see(org, cio, people):
    contributor = people[Role.CONTRIBUTOR]
    with pytest.raises(DomainError) as caught:
        add_link(org, contributor, title="Old audit", days=-1)
    assert caught.value.field == "valid_until"
    hidden = make_risk(org, cio)  # the register shows a contributor only what they own
    with pytest.raises(DomainError) as caught:
        add_link(org, contributor, title="Screenshot", risks=[hidden])
    assert caught.value.field == "risks"
    assert not Evidence.objects.filter(organization=org, added_by=contributor).exists()
    assert add_link(org, cio, title="2025 audit report", days=-1).valid_until < timezone.localdate()
