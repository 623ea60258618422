"""Upload safety: type (by extension and content), size, names, path
traversal; and files kept only through the storage API (a second backend)."""

from __future__ import annotations

import pytest
from django.core.files.storage import storages
from django.test import override_settings

from core.errors import DomainError
from risks.evidence import uploads
from risks.evidence.models import Evidence
from risks.evidence.storage import evidence_storage

from .evidence_factories import PDF_BYTES, PNG_BYTES, add_file, office_bytes

LIMIT = 1000


# ------------------------------------------------------------ pure checks ----


@pytest.mark.parametrize(
    "name, data, extension",
    [
        ("report.pdf", PDF_BYTES, "pdf"),
        ("chart.PNG", PNG_BYTES, "png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 10, "jpg"),
        ("notes.txt", "Café opening hours\n".encode(), "txt"),
        ("drill.csv", b"system,hours\nEHR,32\n", "csv"),
        ("policy.docx", office_bytes("docx"), "docx"),
        ("access-review.xlsx", office_bytes("xlsx"), "xlsx"),
    ],
)
def test_allowed_types_pass(name, data, extension):
    checked = uploads.check_upload(name, data, max_bytes=100_000)
    assert checked.extension == extension
    assert checked.content_type == uploads.ALLOWED[extension].content_type


@pytest.mark.parametrize(
    "name, data, words",
    [
        ("script.exe", b"MZ\x90\x00", "not a type"),
        ("page.html", b"<html><script>alert(1)</script></html>", "not a type"),
        ("image.svg", b"<svg onload=alert(1)>", "not a type"),
        ("noextension", PDF_BYTES, "not a type"),
        ("fake.pdf", b"MZ\x90\x00 this is a program", "does not contain"),
        ("fake.png", PDF_BYTES, "does not contain"),
        ("fake.docx", office_bytes("xlsx"), "does not contain"),
        ("fake.xlsx", b"PK\x03\x04 not really a zip", "does not contain"),
        ("page.txt", b"<!DOCTYPE html><html></html>", "does not contain"),
        ("binary.csv", b"a,b\n\x00\x01\x02", "does not contain"),
    ],
)
def test_wrong_types_are_refused_naming_the_file_field(name, data, words):
    with pytest.raises(DomainError) as refused:
        uploads.check_upload(name, data, max_bytes=100_000)
    assert refused.value.field == "file"
    assert words in refused.value.message


def test_size_limit_and_empty_files():
    uploads.check_upload("a.txt", b"x" * LIMIT, max_bytes=LIMIT)
    with pytest.raises(DomainError, match="at most"):
        uploads.check_upload("a.txt", b"x" * (LIMIT + 1), max_bytes=LIMIT)
    with pytest.raises(DomainError, match="empty"):
        uploads.check_upload("a.txt", b"", max_bytes=LIMIT)


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
        ("/absolute/path/report.pdf", "report.pdf"),
        ("..pdf", "pdf"),
        ("report\x00.pdf", "report.pdf"),
        ("rapport d'audit «final».pdf", "rapport d_audit _final_.pdf"),
        ('quote"and;semi.pdf', "quote_and_semi.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("", "evidence"),
        ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
    ],
)
def test_shown_names_are_safe(raw, shown):
    assert uploads.safe_display_name(raw) == shown


def test_storage_names_are_made_by_concord():
    name = uploads.storage_name(7, "pdf")
    assert name.startswith("evidence/7/") and name.endswith(".pdf")
    assert ".." not in name and len(name.rsplit("/", 1)[-1]) == 36


# ------------------------------------------------------- through services ----


def test_traversal_in_the_uploaded_name_never_reaches_the_storage_name(org, cio):
    evidence = add_file(org, cio, name="../../../../etc/cron.d/job.pdf")
    assert evidence.file_name == "job.pdf"
    assert evidence.stored_name.startswith(f"evidence/{org.pk}/")
    assert ".." not in evidence.stored_name and "cron" not in evidence.stored_name
    assert evidence_storage().exists(evidence.stored_name)


@override_settings(EVIDENCE_MAX_BYTES=64)
def test_a_refused_file_stores_nothing_and_records_nothing(org, cio):
    before = (
        set(evidence_storage().listdir(f"evidence/{org.pk}")[1])
        if evidence_storage().exists(f"evidence/{org.pk}")
        else set()
    )
    with pytest.raises(DomainError, match="at most"):
        add_file(org, cio, data=PDF_BYTES + b" " * 100)
    with pytest.raises(DomainError, match="does not contain"):
        add_file(org, cio, name="x.pdf", data=b"MZ")
    assert not Evidence.objects.filter(organization=org).exists()
    after = (
        set(evidence_storage().listdir(f"evidence/{org.pk}")[1])
        if evidence_storage().exists(f"evidence/{org.pk}")
        else set()
    )
    assert after == before


def test_a_second_storage_backend_gets_the_files(org, cio, tmp_path, settings):
    """Evidence goes only through the storage API: swap the ``evidence`` backend
    for a temporary folder and the file lands there, and is read back from there."""
    folder = tmp_path / "evidence-store"
    backends = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    with override_settings(STORAGES=backends):
        assert type(storages["evidence"]).__name__ == "FileSystemStorage"
        evidence = add_file(org, cio)
        on_disk = folder / evidence.stored_name
        assert on_disk.read_bytes() == PDF_BYTES
        with evidence_storage().open(evidence.stored_name) as handle:
            assert handle.read() == PDF_BYTES
    # Back on the in-memory backend of the test settings, that file is not there.
    assert not evidence_storage().exists(evidence.stored_name)


def test_deleting_evidence_deletes_its_file(org, cio, django_capture_on_commit_callbacks):
    from risks.evidence import services

    evidence = add_file(org, cio)
    name = evidence.stored_name
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_delete(actor=cio, evidence=evidence, expected_version=evidence.version)
    assert not evidence_storage().exists(name)
