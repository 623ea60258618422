"""Demo evidence for Northwind Health: a few small files made here (a PDF, a
CSV, a PNG) and links, each supporting CSF outcomes, Annex A controls and
risks; one has expired (the penetration test report), so the evidence page
shows a to-do and the profile counts that outcome one step lower. Safe to run
twice: a piece whose title exists is left alone."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta

from django.utils import timezone

from core.roles import Role

from ..models import AnnexAControl, Risk
from . import services
from .models import Evidence
from .selectors import csf_outcomes


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a few lines of text (Helvetica), built by hand."""
    text = (
        "BT /F1 11 Tf 56 780 Td 15 TL "
        + " ".join(
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for line in lines
        )
        + " ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text.encode("latin-1") + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _png(width: int = 120, height: int = 40) -> bytes:
    """A small bar chart-like PNG (green bars on white)."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            bar = (x // 20) % 2 == 0 and y > height - 8 - (x // 20) * 5
            row += bytes((40, 150, 90) if bar else (255, 255, 255))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def _risks(organization, *titles):
    return list(Risk.objects.filter(organization=organization, title__in=titles))


def seed_evidence(organization, people) -> None:
    cio, ciso = people[Role.CIO], people[Role.CISO]
    today = timezone.localdate()
    existing = set(Evidence.objects.filter(organization=organization).values_list("title", flat=True))
    outcomes = {s.code: s for s in csf_outcomes()}
    controls = {c.code: c for c in AnnexAControl.objects.all()}

    def links(csf="", annex="", risks=()):
        return {
            "csf_subcategories": [outcomes[c] for c in csf.split() if c in outcomes],
            "annex_a_controls": [controls[c] for c in annex.split() if c in controls],
            "risks": _risks(organization, *risks),
        }

    files = [
        (
            "Information security policy, signed 2026 edition",
            "information-security-policy-2026.pdf",
            _pdf(["Northwind Health", "Information security policy", "Approved by the board, 2026 edition"]),
            ciso,
            today + timedelta(days=300),
            links("GV.PO-01 GV.PO-02", "A.5.1 A.5.4"),
        ),
        (
            "EHR restore drill results, last quarter",
            "ehr-restore-drill.csv",
            b"system,backup date,restore started,restore finished,hours,result\n"
            b"EHR,2026-09-12,2026-09-13 08:00,2026-09-14 16:00,32,passed\n"
            b"Billing,2026-09-12,2026-09-13 09:00,2026-09-13 15:30,6.5,passed\n",
            cio,
            today + timedelta(days=60),
            links("PR.DS-11 RC.RP-03", "A.8.13", ["Ransomware encrypts clinical and billing systems"]),
        ),
        (
            "EDR coverage dashboard snapshot",
            "edr-coverage.png",
            _png(),
            ciso,
            today + timedelta(days=20),
            links("DE.CM-09", "A.8.7"),
        ),
        (
            "External penetration test report 2025",
            "penetration-test-2025.pdf",
            _pdf(["Northwind Health", "External penetration test", "Summary of findings and retest, 2025"]),
            ciso,
            today - timedelta(days=25),
            links("ID.RA-01", "A.8.8"),
        ),
    ]
    for title, name, data, owner, valid_until, supports in files:
        if title in existing:
            continue
        services.evidence_add_file(
            actor=owner,
            organization=organization,
            title=title,
            upload_name=name,
            data=data,
            owner=owner,
            valid_until=valid_until,
            **supports,
        )
    pages = [
        (
            "Security awareness training completion (HR system)",
            "https://hr.northwind.example/reports/security-awareness-2026",
            cio,
            today + timedelta(days=120),
            links("PR.AT-01", "A.6.3"),
        ),
        (
            "Incident response plan on the intranet",
            "https://intranet.northwind.example/policies/incident-response-plan",
            ciso,
            today + timedelta(days=200),
            links("RS.MA-01", "A.5.24 A.5.26"),
        ),
    ]
    for title, url, owner, valid_until, supports in pages:
        if title in existing:
            continue
        services.evidence_add_link(
            actor=owner,
            organization=organization,
            title=title,
            url=url,
            owner=owner,
            valid_until=valid_until,
            **supports,
        )
