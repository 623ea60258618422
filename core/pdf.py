"""PDF rendering with WeasyPrint: HTML templates (extending templates/pdf/base.html)
in, PDF bytes out. Charts are the same SVG as on the pages."""
from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict) -> bytes:
    from weasyprint import CSS, HTML  # imported lazily: heavy, and only PDFs need it

    html = render_to_string(template_name, context)
    # pdf.css, then the components shared with the pages (the one heat map).
    sheets = [CSS(filename=finders.find(name)) for name in ("css/pdf.css", "css/heatmap.css")]
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=sheets)


def pdf_response(pdf: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
