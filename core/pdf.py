"""PDF rendering with WeasyPrint: HTML templates (extending templates/pdf/base.html)
in, PDF bytes out. Charts are the same SVG as on the pages.

WeasyPrint would fetch any URL a document names (an ``<img src>`` typed into a
title, a stylesheet on another server, ``file:///etc/passwd``). Rendering uses
``StaticFilesFetcher``, which serves the app's own static files and refuses
everything else, so a PDF can neither reach the network nor read the disk."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string

from .downloads import FORMATS, ExportFile


class FetchRefused(ValueError):
    """A PDF asked for a resource outside the app's static files."""


def _static_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT)] if settings.STATIC_ROOT else []
    roots += [Path(d if isinstance(d, str | Path) else d[1]) for d in settings.STATICFILES_DIRS]
    return [root.resolve() for root in roots]


def static_file_for(url: str) -> Path:
    """The static file ``url`` names, or FetchRefused. Accepted: ``file:`` URLs
    inside STATIC_ROOT or a STATICFILES_DIRS folder, and ``file:`` URLs of the
    form ``/static/<path>`` (what a relative ``/static/...`` link resolves to)."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        raise FetchRefused(f"PDF rendering fetches only the app's static files, not {url[:200]!r}.")
    path = unquote(parts.path)
    static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if path.startswith(static_prefix):
        try:
            found = finders.find(path[len(static_prefix) :])
        except SuspiciousFileOperation:
            found = None
        if found:
            path = found
    resolved = Path(path).resolve()
    for root in _static_roots():
        if resolved.is_relative_to(root) and resolved.is_file():
            return resolved
    raise FetchRefused(f"PDF rendering fetches only the app's static files, not {url[:200]!r}.")


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        """WeasyPrint's fetcher restricted to the app's static files."""

        def fetch(self, url, headers=None):
            path = static_file_for(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticFilesFetcher(allowed_protocols=("file",), allow_redirects=False)


def render_pdf(template_name: str, context: dict) -> bytes:
    from weasyprint import CSS, HTML  # imported lazily: heavy, and only PDFs need it

    html = render_to_string(template_name, context)
    fetcher = _fetcher()
    # pdf.css, then the components shared with the pages (the one heat map).
    sheets = [
        CSS(filename=finders.find(name), url_fetcher=fetcher) for name in ("css/pdf.css", "css/heatmap.css")
    ]
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).write_pdf(
        stylesheets=sheets
    )


def pdf_file(template_name: str, context: dict, filename: str, *, rows: int | None = None) -> ExportFile:
    """A rendered PDF to hand to ``core.downloads.download``."""
    return ExportFile(render_pdf(template_name, context), filename, FORMATS["pdf"], rows=rows)
