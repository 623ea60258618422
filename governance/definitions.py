"""docs/DEFINITIONS.md on the method page and in the report's appendix.

The file is the one written statement of what each shared figure means; the
pages show its very text. It uses a small subset of Markdown (``#`` headings,
paragraphs, ``-`` bullets, ``**bold**`` and ``code``), drawn here without a
Markdown library: everything else is escaped text."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PATH = Path(settings.BASE_DIR) / "docs" / "DEFINITIONS.md"
_INLINE = [
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"`(.+?)`"), r"<code>\1</code>"),
]


def _inline(text: str) -> str:
    html = escape(text)
    for pattern, replacement in _INLINE:
        html = pattern.sub(replacement, html)
    return html


def render(text: str) -> str:
    """The Markdown subset as HTML (headings one level down: the page has its own h1)."""
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in items) + "</ul>")
            items.clear()

    for raw in text.splitlines():
        line = raw.strip()
        heading = re.match(r"^(#{1,4})\s+(.*)$", line)
        if not line or heading:
            flush()
            if heading:
                level = min(len(heading.group(1)) + 1, 5)
                out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif line.startswith("- "):
            if paragraph:
                flush()
            items.append(line[2:])
        elif items and raw.startswith("  "):
            items[-1] += " " + line
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return "\n".join(out)


@functools.cache
def definitions_html() -> SafeString:
    return mark_safe(render(PATH.read_text(encoding="utf-8")))  # noqa: S308 (every text is escaped in render)
