"""CSV and XLSX in and out, shared by every import and export.

Reading checks size and type and returns plain rows (dicts keyed by header);
each app validates rows itself and imports all-or-nothing. Writing takes plain
values: numbers stay numbers (no formulas), money gets a currency format.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.utils.functional import Promise

from .downloads import FORMATS, ExportFile
from .errors import DomainError

XLSX_MIME = FORMATS["xlsx"]
_XLSX_MAGIC = b"PK\x03\x04"
MAX_COLUMNS = 200
_CHUNK = 64 * 1024
# Recognisable files that are not spreadsheets, named by what they are.
_SIGNATURES = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel (.xls) or Office file"),
    (b"\x1f\x8b", "a compressed (gzip) file"),
)


class FileRefused(DomainError):
    """An upload refused while reading it; ``rows_read`` says how far the reader got."""

    def __init__(self, message: str, *, rows_read: int = 0):
        super().__init__(message, field="file")
        self.rows_read = rows_read


def read_rows(
    upload, *, required_headers: Sequence[str] = (), max_rows: int | None = None
) -> list[dict[str, str]]:
    """Rows of an uploaded CSV or XLSX file as dicts (header → text), headers
    normalised to lower case. Refuses, with a message naming the problem, files
    that are too large, of another type, not UTF-8, with NUL bytes, zip bombs,
    empty, or missing required columns. Reading streams and stops at the first
    row past ``max_rows`` (default ``IMPORT_MAX_ROWS``): a hostile file costs
    bounded work, never a full parse."""
    max_bytes = settings.IMPORT_MAX_BYTES
    max_rows = max_rows or settings.IMPORT_MAX_ROWS
    if upload is None:
        raise DomainError("Choose a CSV or Excel (.xlsx) file to import.", field="file")
    if upload.size is None or upload.size > max_bytes:
        raise FileRefused(f"The file is larger than {_megabytes(max_bytes)}. Split it and import the parts.")
    name = (upload.name or "").lower()
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if name.endswith(".xlsx"):
        if head[:4] != _XLSX_MAGIC:
            kind = _sniff(head)
            raise FileRefused(
                f"The file is named .xlsx but is {kind or 'not an Excel workbook'}"
                f"{', not an Excel workbook' if kind else ''}. Save it as .xlsx and try again."
            )
        rows = _read_xlsx(upload, max_rows=max_rows)
    elif name.endswith(".csv"):
        if head[:4] == _XLSX_MAGIC:
            raise FileRefused("The file is named .csv but is an Excel workbook. Rename it to .xlsx.")
        kind = _sniff(head)
        if kind:
            raise FileRefused(f"The file is named .csv but is {kind}, not a CSV file.")
        rows = _read_csv(upload, max_rows=max_rows, max_bytes=max_bytes)
    else:
        raise FileRefused("Only .csv and .xlsx files can be imported.")
    if not rows:
        raise FileRefused("The file has no rows below its header.")
    missing = [h for h in required_headers if h not in rows[0]]
    if missing:
        raise FileRefused(f"Missing column(s): {', '.join(missing)}.")
    return rows


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _sniff(head: bytes) -> str | None:
    return next((kind for magic, kind in _SIGNATURES if head.startswith(magic)), None)


def _too_many_rows(max_rows: int, rows_read: int) -> FileRefused:
    return FileRefused(
        f"The file has more than {max_rows:,} rows; import at most {max_rows:,} at a time.",
        rows_read=rows_read,
    )


def _clean_header(value) -> str:
    return str(value or "").strip().lower().replace(" ", "_")


def _column_letter(index: int) -> str:
    letters, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _headers(values) -> list[str]:
    values = list(values)
    headers = [_clean_header(h) for h in values]
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > MAX_COLUMNS:
        raise FileRefused(f"The file has more than {MAX_COLUMNS} columns.")
    seen: dict[str, int] = {}
    for index, header in enumerate(headers):
        if not header:
            continue
        if header in seen:  # one of the two would silently win: refuse, naming it
            first = seen[header]
            raise FileRefused(
                f"The column “{str(values[index]).strip()}” appears twice (columns {_column_letter(first)} "
                f"and {_column_letter(index)}). Keep one of them and import the file again."
            )
        seen[header] = index
    return headers


def _text_lines(upload, max_bytes: int):
    """The upload's lines as text, decoded as UTF-8 while reading: refuses NUL
    bytes, other encodings and anything past ``max_bytes`` as soon as it sees them."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending, total, first = "", 0, True
    while chunk := upload.read(_CHUNK):
        total += len(chunk)
        if total > max_bytes:
            raise FileRefused(
                f"The file is larger than {_megabytes(max_bytes)}. Split it and import the parts."
            )
        if first and chunk[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            raise FileRefused("The CSV file is UTF-16 text, not UTF-8. Save it as 'CSV UTF-8' and try again.")
        first = False
        if b"\x00" in chunk:
            raise FileRefused(
                "The file contains NUL bytes: it is not a text CSV file. Save it as 'CSV UTF-8'."
            )
        try:
            pending += decoder.decode(chunk)
        except UnicodeDecodeError:
            raise FileRefused(
                "The CSV file is not UTF-8 text. Save it as 'CSV UTF-8' and try again."
            ) from None
        *lines, pending = pending.split("\n")
        for line in lines:
            yield line + "\n"
    try:
        pending += decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise FileRefused("The CSV file is not UTF-8 text. Save it as 'CSV UTF-8' and try again.") from None
    if pending:
        yield pending


def _read_csv(upload, *, max_rows: int, max_bytes: int) -> list[dict[str, str]]:
    reader = csv.reader(_text_lines(upload, max_bytes))
    headers: list[str] | None = None
    rows: list[dict[str, str]] = []
    try:
        for line in reader:
            if not any(cell.strip() for cell in line):
                continue
            if headers is None:
                headers = _headers(line)
                continue
            if len(rows) >= max_rows:
                raise _too_many_rows(max_rows, reader.line_num)
            rows.append({h: (line[i].strip() if i < len(line) else "") for i, h in enumerate(headers) if h})
    except csv.Error as exc:
        raise FileRefused(
            f"The CSV file could not be read near line {reader.line_num}: {exc}.", rows_read=reader.line_num
        ) from None
    return rows


def _check_zip(upload) -> None:
    """Refuse, before any parsing, a workbook that is not a valid zip of an
    Excel workbook or whose declared content is too large or too compressed."""
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    ratio = settings.IMPORT_MAX_COMPRESSION_RATIO
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise FileRefused(
            "The file is named .xlsx but is not a valid Excel workbook (a damaged or other "
            "kind of file). Save it again as .xlsx and retry."
        ) from None
    finally:
        upload.seek(0)
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names or len(members) > 10_000:
        raise FileRefused(
            "The file is named .xlsx but is not an Excel workbook. Save it again as .xlsx and retry."
        )
    total = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    too_packed = any(
        m.file_size > 1024 * 1024 and m.file_size > ratio * max(m.compress_size, 1) for m in members
    )
    if total > limit or too_packed or (total > 1024 * 1024 and total > ratio * max(packed, 1)):
        raise FileRefused(
            f"The workbook unpacks to {_megabytes(total)}, more than Concord reads "
            f"({_megabytes(limit)}, at most {ratio}× its file size). Remove unused sheets "
            "or formatting, or import it as CSV."
        )


def _read_xlsx(upload, *, max_rows: int) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    _check_zip(upload)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception:
        raise FileRefused("The Excel file could not be read. Save it again as .xlsx and retry.") from None
    try:
        return _xlsx_rows(workbook, max_rows)
    except FileRefused:
        raise
    except Exception:
        raise FileRefused("The Excel file could not be read. Save it again as .xlsx and retry.") from None
    finally:
        workbook.close()


def _xlsx_rows(workbook, max_rows: int) -> list[dict[str, str]]:
    if not workbook.worksheets:
        return []
    rows_iter = workbook.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
    headers: list[str] | None = None
    rows: list[dict[str, str]] = []
    # Blank rows cost reading too (a sheet can declare a million of them): they count
    # toward a budget of their own, so the reader stops early whatever the sheet holds.
    read = 0
    for values in rows_iter:
        read += 1
        if read > 2 * max_rows + 1:
            raise _too_many_rows(max_rows, read)
        if values is None or all(v in (None, "") for v in values):
            continue
        if headers is None:
            headers = _headers(values)
            continue
        if len(rows) >= max_rows:
            raise _too_many_rows(max_rows, read)
        rows.append(
            {h: ("" if v is None else _cell_text(v)) for h, v in zip(headers, values, strict=False) if h}
        )
    return rows


def _cell_text(value) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if getattr(value, "hour", 0) == 0 else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ----------------------------------------------------------------- export ----

# A spreadsheet program runs text starting with one of these as a formula (or a
# DDE command): OWASP "CSV injection". Such text is exported with a leading
# single quote, which the spreadsheet shows as plain text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters an XLSX cell cannot hold


def safe_cell(value):
    """The value as an export cell: text that a spreadsheet would run as a
    formula is neutralised (prefixed with ``'``); numbers, dates and booleans
    are returned unchanged (a negative number stays a number). Every CSV and
    XLSX export goes through this."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _xlsx_value(value):
    value = safe_cell(value)
    if isinstance(value, str):
        return _XLSX_ILLEGAL.sub("", value)
    return value


def _write_row(ws, row: int, values) -> None:
    """Write one row; text cells are typed as text, so that no cell can ever
    be read back as a formula whatever it contains."""
    for column, raw in enumerate(values, start=1):
        value = _xlsx_value(raw)
        cell = ws.cell(row=row, column=column)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    money_columns: Sequence[int] = field(default_factory=tuple)  # indexes formatted as currency
    widths: Sequence[int] = field(default_factory=tuple)


def xlsx_bytes(sheets: Sequence[Sheet], *, currency: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook(write_only=False)
    workbook.remove(workbook.active)
    money_format = f'#,##0.00 "{currency}"' if currency else "#,##0.00"
    for spec in sheets:
        ws = workbook.create_sheet(spec.title[:31])
        _write_row(ws, 1, spec.headers)
        for cell in ws[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="1D3F72")
        for row_number, row in enumerate(spec.rows, start=2):
            _write_row(ws, row_number, row)  # Decimals are written exactly, never as floats
        for col in spec.money_columns:
            for (cell,) in ws.iter_rows(min_row=2, min_col=col + 1, max_col=col + 1):
                cell.number_format = money_format
        for index, header in enumerate(spec.headers):
            width = spec.widths[index] if index < len(spec.widths) else max(12, min(48, len(str(header)) + 4))
            ws.column_dimensions[ws.cell(row=1, column=index + 1).column_letter].width = width
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_file(sheets: Sequence[Sheet], filename: str, *, currency: str = "") -> ExportFile:
    """A workbook to hand to ``core.downloads.download`` (row count included)."""
    sheets = [replace(spec, rows=list(spec.rows)) for spec in sheets]
    rows = sum(len(spec.rows) for spec in sheets)
    return ExportFile(xlsx_bytes(sheets, currency=currency), filename, XLSX_MIME, rows=rows)


def csv_file(headers: Sequence[str], rows: Iterable[Sequence], filename: str) -> ExportFile:
    """A CSV file (UTF-8 with a byte-order mark, so spreadsheet programs read it
    as UTF-8) to hand to ``core.downloads.download``; every cell through ``safe_cell``."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in headers])
    count = 0
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
        count += 1
    return ExportFile(buffer.getvalue().encode("utf-8"), filename, FORMATS["csv"], rows=count)
