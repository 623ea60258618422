"""The profile in and out of spreadsheets (core/downloads.py, core/imports.py)."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from core.roles import Role
from core.selectors import signoff_status
from risks.profile import importing, services
from risks.profile.models import ProfileOutcome

from .factories import profile_outcome

pytestmark = pytest.mark.django_db


def _csv(rows: list[dict]) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(dict.fromkeys(k for row in rows for k in row)), restval=""
    )
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile("profile.csv", buffer.getvalue().encode(), content_type="text/csv")


def test_export_reads_back(client_as, org, people):
    services.outcome_assess(actor=people[Role.CIO], outcome=profile_outcome(org, "PR.AA-01"), level=2)
    response = client_as("contributor").get(f"/o/{org.slug}/profile/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == importing.EXPORT_HEADERS and len(rows) == 107
    pr = next(r for r in rows if r[0] == "PR.AA-01")
    assert pr[6] == "CIO" and pr[8] == "Largely implemented" and pr[10] == "Largely implemented"
    text = client_as("cio").get(f"/o/{org.slug}/profile/export.csv").content.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(importing.EXPORT_HEADERS) and len(text.splitlines()) == 107


def test_import_previews_then_writes_all_rows(client_as, org, people):
    profile = services.profile_get_or_create(organization=org)
    services.profile_sign(actor=people[Role.CIO], profile=profile)
    client = client_as("cio")
    upload = _csv(
        [
            {"subcategory": "PR.AA-01", "target_level": "Fully", "cio_level": "2", "notes": "SSO everywhere"},
            {
                "subcategory": "pr.ps-06",
                "in_scope": "no",
                "scope_reason": "No in-house code",
                "target_level": "",
                "cio_level": "",
                "notes": "",
            },
        ]
    )
    preview = client.post(f"/o/{org.slug}/profile/import/", {"file": upload})
    assert preview.status_code == 200
    token = preview.context["token"]
    done = client.post(f"/o/{org.slug}/profile/import/", {"confirm": "1", "token": token})
    assert done.status_code == 302
    aa = ProfileOutcome.objects.get(organization=org, subcategory__code="PR.AA-01")
    assert (aa.target_level, aa.cio_level, aa.current_level, aa.notes) == (3, 2, 2, "SSO everywhere")
    ps = ProfileOutcome.objects.get(organization=org, subcategory__code="PR.PS-06")
    assert not ps.in_scope and ps.scope_reason == "No in-house code"
    profile.refresh_from_db()
    assert signoff_status(profile, services.TARGET_PURPOSE).cio is None  # the target changed


def test_import_errors_name_row_and_column_and_write_nothing(client_as, org):
    services.profile_get_or_create(organization=org)
    upload = _csv(
        [
            {"subcategory": "XX.YY-01", "owner": "", "target_level": "", "ciso_level": ""},
            {"subcategory": "GV.OC-01", "owner": "board", "target_level": "sometimes", "ciso_level": ""},
            {"subcategory": "PR.AA-01", "owner": "", "target_level": "", "ciso_level": "3"},
            {"subcategory": "GV.OC-01", "owner": "", "target_level": "", "ciso_level": ""},
        ]
    )
    response = client_as("ciso").post(f"/o/{org.slug}/profile/import/", {"file": upload})
    assert response.status_code == 400
    errors = response.context["errors"]
    assert "Row 2, subcategory: 'XX.YY-01' is not a CSF 2.0 subcategory such as GV.OC-01." in errors
    assert "Row 3, owner: write CIO, CISO or Joint." in errors
    assert any(e.startswith("Row 3, target_level:") for e in errors)
    assert "Row 4, ciso_level: this outcome is assessed by its owner, not by you." in errors
    assert "Row 5, subcategory: GV.OC-01 appears twice in the file." in errors
    assert not ProfileOutcome.objects.filter(organization=org, ciso_level__isnull=False).exists()


def test_only_editors_import(client_as, org):
    assert client_as("contributor").get(f"/o/{org.slug}/profile/import/").status_code == 404
