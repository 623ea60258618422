"""CSV and XLSX in and out, shared by every import and export.

Reading checks size and type and returns plain rows (dicts keyed by header);
each app validates rows itself and imports all-or-nothing. Writing takes plain
values: numbers stay numbers (no formulas), money gets a currency format.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpResponse

from .errors import DomainError

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_XLSX_MAGIC = b"PK\x03\x04"


def read_rows(upload, *, required_headers: Sequence[str] = ()) -> list[dict[str, str]]:
    """Rows of an uploaded CSV or XLSX file as dicts (header → text), headers
    normalised to lower case. Refuses files that are too large, of another type,
    empty, or missing required columns, with a message naming the problem."""
    max_bytes = settings.IMPORT_MAX_BYTES
    if upload is None:
        raise DomainError("Choose a CSV or Excel (.xlsx) file to import.", field="file")
    if upload.size > max_bytes:
        raise DomainError(f"The file is larger than {max_bytes // (1024 * 1024)} MB. Split it and import the parts.",
                          field="file")
    name = (upload.name or "").lower()
    head = upload.read(4)
    upload.seek(0)
    if name.endswith(".xlsx"):
        if head != _XLSX_MAGIC:
            raise DomainError("The file is named .xlsx but is not an Excel workbook.", field="file")
        rows = _read_xlsx(upload)
    elif name.endswith(".csv"):
        if head == _XLSX_MAGIC:
            raise DomainError("The file is named .csv but is an Excel workbook. Rename it to .xlsx.", field="file")
        rows = _read_csv(upload)
    else:
        raise DomainError("Only .csv and .xlsx files can be imported.", field="file")
    if not rows:
        raise DomainError("The file has no rows below its header.", field="file")
    missing = [h for h in required_headers if h not in rows[0]]
    if missing:
        raise DomainError(f"Missing column(s): {', '.join(missing)}.", field="file")
    return rows


def _clean_header(value) -> str:
    return str(value or "").strip().lower().replace(" ", "_")


def _read_csv(upload) -> list[dict[str, str]]:
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("The CSV file is not UTF-8 text. Save it as 'CSV UTF-8' and try again.", field="file")
    reader = csv.reader(io.StringIO(text))
    lines = [row for row in reader if any(cell.strip() for cell in row)]
    if not lines:
        return []
    headers = [_clean_header(h) for h in lines[0]]
    return [{h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(headers) if h} for row in lines[1:]]


def _read_xlsx(upload) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any parse failure is a bad file for the user
        raise DomainError("The Excel file could not be read. Save it again as .xlsx and retry.", field="file")
    sheet = workbook.worksheets[0]
    rows_iter = sheet.iter_rows(values_only=True)
    try:
        headers = [_clean_header(h) for h in next(rows_iter)]
    except StopIteration:
        return []
    rows = []
    for values in rows_iter:
        if values is None or all(v in (None, "") for v in values):
            continue
        rows.append({h: ("" if v is None else _cell_text(v)) for h, v in zip(headers, values, strict=False) if h})
    workbook.close()
    return rows


def _cell_text(value) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if getattr(value, "hour", 0) == 0 else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


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
        ws.append(list(spec.headers))
        for cell in ws[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="1D3F72")
        for row in spec.rows:
            ws.append(list(row))  # Decimals are written exactly (openpyxl stores their text), never as floats
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


def xlsx_response(sheets: Sequence[Sheet], filename: str, *, currency: str = "") -> HttpResponse:
    response = HttpResponse(xlsx_bytes(sheets, currency=currency), content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(headers: Sequence[str], rows: Iterable[Sequence], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer = csv.writer(response)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return response
