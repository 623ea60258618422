"""Evidence for tests, made through the services (files go through the
storage API: in memory under the test settings)."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from django.utils import timezone

from risks.evidence import services
from risks.models import AnnexAControl

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def office_bytes(kind: str = "docx") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return buffer.getvalue()


def control(code="A.8.8"):
    return AnnexAControl.objects.get(code=code)


def add_file(org, actor, *, title="Pen test report", name="report.pdf", data=PDF_BYTES, days=90, **links):
    links.setdefault("annex_a_controls", [control()])
    return services.evidence_add_file(
        actor=actor,
        organization=org,
        title=title,
        upload_name=name,
        data=data,
        owner=actor,
        valid_until=timezone.localdate() + timedelta(days=days),
        **links,
    )


def add_link(
    org, actor, *, title="Policy on the intranet", url="https://intranet.example/policy", days=90, **links
):
    links.setdefault("annex_a_controls", [control("A.5.1")])
    return services.evidence_add_link(
        actor=actor,
        organization=org,
        title=title,
        url=url,
        owner=actor,
        valid_until=timezone.localdate() + timedelta(days=days),
        **links,
    )
