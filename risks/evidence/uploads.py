"""What an evidence file may be: checked by its name *and* its content, before
anything is stored. Pure functions (no database, no storage).

- Only the types in ``ALLOWED`` (documents, spreadsheets, images, plain text):
  the extension must be on the list and the first bytes must be that type's
  (a script renamed ``report.pdf`` is refused).
- At most ``settings.EVIDENCE_MAX_BYTES`` (10 MB by default), never empty.
- The name a person's computer gave the file is only *shown*: folders, dots
  leading upward, control and odd characters are dropped. The storage name is
  made by Concord (``storage_name``), so no upload can choose where it lands.
"""

from __future__ import annotations

import io
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

from core.errors import DomainError

PDF, PNG, JPEG = b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"
ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str


ALLOWED: dict[str, FileType] = {
    "pdf": FileType("PDF document", "application/pdf"),
    "png": FileType("PNG image", "image/png"),
    "jpg": FileType("JPEG image", "image/jpeg"),
    "jpeg": FileType("JPEG image", "image/jpeg"),
    "txt": FileType("Text file", "text/plain; charset=utf-8"),
    "csv": FileType("CSV file", "text/csv; charset=utf-8"),
    "docx": FileType(
        "Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "xlsx": FileType("Excel workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
ALLOWED_TEXT = "PDF, Word (.docx), Excel (.xlsx), PNG, JPEG, plain text or CSV"
_SAFE_CHARS = re.compile(r"[^\w .()\-]+")
_MAX_NAME = 120


@dataclass(frozen=True)
class CheckedFile:
    name: str  # safe to show and to offer as the download's name
    extension: str
    content_type: str


def safe_display_name(raw: str) -> str:
    """The file's own name without folders, traversal, control characters or
    odd punctuation; never empty, never hidden (no leading dot)."""
    name = unicodedata.normalize("NFC", str(raw or "")).replace("\x00", "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _SAFE_CHARS.sub("_", name)
    name = re.sub(r"\.{2,}", ".", name).strip(" ._")
    if len(name) > _MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: _MAX_NAME - len(extension) - 1] + dot + extension) if dot else name[:_MAX_NAME]
    return name or "evidence"


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _office_kind(head: bytes, data) -> str | None:
    """ "docx" or "xlsx" for an Office Open XML package, else None."""
    if not head.startswith(ZIP):
        return None
    try:
        with zipfile.ZipFile(data) as package:
            names = set(package.namelist()[:2000])
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    return None


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    sample = head[:8192]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sample's end is still text.
        if exc.start < len(sample) - 3:
            return False
    lowered = sample.lstrip().lower()
    return not lowered.startswith((b"<!doctype html", b"<html", b"<svg", b"<?xml", b"<script"))


def content_matches(extension: str, head: bytes, data) -> bool:
    if extension == "pdf":
        return head.startswith(PDF)
    if extension == "png":
        return head.startswith(PNG)
    if extension in ("jpg", "jpeg"):
        return head.startswith(JPEG)
    if extension in ("docx", "xlsx"):
        return _office_kind(head, data) == extension
    if extension in ("txt", "csv"):
        return _is_text(head)
    return False


def check_upload(name: str, data: bytes, *, max_bytes: int) -> CheckedFile:
    """Refuse (``DomainError`` on ``file``) a file that is empty, too large, of
    a type not on the list, or whose content is not what its name says."""
    size = len(data)
    if size == 0:
        raise DomainError("The file is empty.", field="file")
    if size > max_bytes:
        raise DomainError(
            f"The file is {size / 1_048_576:.1f} MB; evidence files can be at most "
            f"{max_bytes / 1_048_576:.0f} MB.",
            field="file",
        )
    shown = safe_display_name(name)
    extension = extension_of(shown)
    if extension not in ALLOWED:
        raise DomainError(
            f"“{shown}” is not a type Concord keeps as evidence. Use {ALLOWED_TEXT}.", field="file"
        )
    if not content_matches(extension, data[:65536], io.BytesIO(data)):
        raise DomainError(
            f"“{shown}” does not contain what its name says ({ALLOWED[extension].label}). "
            "Save it again in that format, or give it the right extension.",
            field="file",
        )
    return CheckedFile(name=shown, extension=extension, content_type=ALLOWED[extension].content_type)


def storage_name(organization_id: int, extension: str) -> str:
    """Where the storage keeps a file: a folder per organization and a random
    name Concord makes (never the uploaded name)."""
    return f"evidence/{int(organization_id)}/{uuid.uuid4().hex}.{extension}"
