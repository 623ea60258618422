"""The one way a file leaves Concord: every CSV, XLSX, PDF and JSON download
of a page or an API endpoint is answered by ``download(request, organization,
file, what=...)``.

It names the file safely (``Content-Disposition`` with an ASCII ``filename``
and, for other characters, an RFC 5987 ``filename*``, as RFC 6266 asks), sets
the content type, forbids caching (``Cache-Control: private, no-store``) and
type sniffing (``X-Content-Type-Options: nosniff``), and records the download
on the organization's Audit page (a ``SecurityEventKind.EXPORT`` event naming
who, what, the format, the row count when known and the file name).

The file itself is an ``ExportFile``, made by one of the shared writers:
``core.tabular.csv_file`` / ``xlsx_file`` (every cell through
``core.tabular.safe_cell``) and ``core.pdf.pdf_file`` (the one PDF pipeline).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import IO
from urllib.parse import quote

from django.http import FileResponse, HttpResponse

from .audit import record_export
from .models import Organization

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
}
_MAX_NAME = 150
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._\- ()]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\"\\/;]")


@dataclass(frozen=True)
class ExportFile:
    """A file ready to be downloaded: ``content`` is bytes (or an open binary
    file, for a file kept on disk); ``rows`` how many data rows it holds, when known."""

    content: bytes | IO[bytes]
    filename: str
    content_type: str
    rows: int | None = None

    @property
    def format(self) -> str:
        extension = self.filename.rsplit(".", 1)[-1].lower() if "." in self.filename else ""
        if extension in FORMATS:
            return extension
        return next((fmt for fmt, mime in FORMATS.items() if self.content_type.startswith(mime)), "file")


def safe_filename(filename: str) -> str:
    """The name without any folder, control character, quote or separator a
    header could trip on; never empty."""
    name = str(filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", _CONTROL.sub("_", name)).strip(" .")
    if len(name) > _MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        name = stem[: _MAX_NAME - len(extension) - 1] + dot + extension if dot else name[:_MAX_NAME]
    return name or "download"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``attachment; filename="..."`` with an ASCII fallback and, when the name
    has other characters, ``filename*=UTF-8''...`` (RFC 6266 / RFC 5987)."""
    name = safe_filename(filename)
    # Accents dropped (é → e); any other character becomes "_".
    letters = (c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    fallback = _UNSAFE_ASCII.sub("_", "".join(c if c.isascii() else "_" for c in letters))
    stem, dot, extension = fallback.rpartition(".")
    if dot and not stem.strip(" ._"):
        fallback = "download." + extension
    fallback = fallback.strip(" ._") or "download"
    header = f'{"inline" if inline else "attachment"}; filename="{fallback}"'
    if fallback != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def audit_detail(what: str, file: ExportFile) -> str:
    """How the Audit page names the download: what, format, rows, file name."""
    parts = [what]
    if file.format.upper() not in what.upper():
        parts.append(file.format.upper())
    if file.rows is not None:
        parts.append(f"{file.rows:,} row{'' if file.rows == 1 else 's'}")
    parts.append(safe_filename(file.filename))
    return " · ".join(parts)


def download(
    request, organization: Organization | None, file: ExportFile, *, what: str, inline: bool = False
) -> HttpResponse:
    """Answer ``request`` with ``file`` and record the download. Permission
    checks have run in the view: this only hands the file over."""
    record_export(request.user, organization, audit_detail(what, file), request=request)
    if isinstance(file.content, bytes | bytearray):
        response = HttpResponse(file.content, content_type=file.content_type)
    else:
        response = FileResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = content_disposition(file.filename, inline=inline)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
