"""Charts, PDF and tabular helpers shared by the apps."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from pypdf import PdfReader

from core import charts, tabular
from core.errors import DomainError
from core.pdf import render_pdf


def test_sparkline_handles_gaps_and_short_series():
    assert "polyline" in charts.sparkline([1, None, 3, 2])
    assert "polyline" not in charts.sparkline([5])


def test_line_chart_draws_reference_lines():
    svg = charts.line_chart(["Jan", "Feb"], {"Value": [1, 2]}, reference_lines=[("Target", 3, "#1f9d6b")])
    assert "Target 3" in svg and "style=" not in svg


def test_bar_donut_gauge_render():
    assert "<rect" in charts.bar_chart([("IT", 10), ("Security", 5)])
    assert charts.donut([("a", 1), ("b", 0)]).count("<circle") == 3
    assert ">72<" in charts.gauge(72.4, label="Alignment")


def test_xlsx_round_trip_keeps_numbers():
    data = tabular.xlsx_bytes(
        [tabular.Sheet("Items", ["Title", "Amount"], [["EDR", Decimal("1200.50")]], money_columns=[1])],
        currency="USD",
    )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["B2"].value == 1200.5 and "USD" in sheet["B2"].number_format
    rows = tabular.read_rows(SimpleUploadedFile("x.xlsx", data))
    assert rows == [{"title": "EDR", "amount": "1200.5"}]


def test_csv_read_normalises_headers():
    upload = SimpleUploadedFile("x.csv", "\ufeffTitle,Due Date\nA,2026-01-01\n\n".encode())
    assert tabular.read_rows(upload, required_headers=["title"]) == [{"title": "A", "due_date": "2026-01-01"}]


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("x.txt", b"a,b", "Only .csv and .xlsx"),
        ("x.xlsx", b"not a zip", "not an Excel workbook"),
        ("x.csv", b"PK\x03\x04rest", "is an Excel workbook"),
        ("x.csv", b"title\n", "no rows"),
        ("x.csv", "t\n\xe9".encode("latin-1"), "not UTF-8"),
        ("x.csv", b"name\nA\n", "Missing column(s): title"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(name, content, message):
    with pytest.raises(DomainError, match=message.replace("(", r"\(").replace(")", r"\)")) as error:
        tabular.read_rows(SimpleUploadedFile(name, content), required_headers=["title"])
    assert error.value.field == "file"


def test_oversized_file_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 10
    with pytest.raises(DomainError, match="larger than"):
        tabular.read_rows(SimpleUploadedFile("x.csv", b"title\n" + b"a\n" * 20))


def test_pdf_renders_text():
    pdf = render_pdf("pdf/base.html", {})
    assert pdf.startswith(b"%PDF")
    assert PdfReader(io.BytesIO(pdf)).pages


def test_styled_form_marks_errors_after_validation_only():
    from django import forms

    from core.forms import StyledFormMixin

    class PickForm(StyledFormMixin, forms.Form):
        colour = forms.ChoiceField(choices=[], widget=forms.RadioSelect)
        name = forms.CharField()

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["colour"].choices = [("red", "Red")]  # set after the mixin ran

    form = PickForm(data={"colour": "red", "name": ""})
    assert "is-invalid" not in form.fields["name"].widget.attrs["class"]
    assert not form.is_valid() and set(form.errors) == {"name"}
    assert "is-invalid" in form.fields["name"].widget.attrs["class"]
    bad = PickForm(data={"colour": "blue", "name": "x"})
    assert not bad.is_valid() and "colour" in bad.errors  # radio errors do not crash
