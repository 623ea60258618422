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


def render(text: str, *, shift: int = 1) -> str:
    """The Markdown subset as HTML, headings ``shift`` levels down (the page
    has its own h1; the board pack's appendix puts them under its h3)."""
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
                level = min(len(heading.group(1)) + shift, 6)
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


# References to code (`risks.selectors.open_q`, `includes/heatmap.html`) are
# for developers: the board's copy leaves them out.
_CODE_REFERENCE = re.compile(
    r"(?:[:,;]?\s*(?:and\s+|by\s+)?(?:the template |the filters )?"
    r"`(?:[a-z_]+(?:\.[a-z_]+)+|[a-z_/]+\.(?:html|py|md))`)+"
)
_DEVELOPER_BULLETS = ("- Function", "- One drawing everywhere", "- Functions", "- Amounts are exact decimals")
# Developer wording inside a bullet the board keeps, and what the board reads instead.
_BOARD_WORDING = (
    (", from the same summary as the RACI page and its API", ", exactly as on the RACI page"),
    ("The computed KPI", "The KPI computed by Concord"),
    ("the computed KPI", "the KPI computed by Concord"),
)
READERS_INTRO = (
    "Every figure in this report is defined once, below, and counted the same way on every page "
    "of Concord, in its exports and in this report."
)


def for_readers(text: str) -> str:
    """The definitions as the board reads them: what each figure means, without
    the names of the functions that compute it (those are for developers)."""
    lines = text.splitlines()
    first_section = next((i for i, line in enumerate(lines) if line.startswith("## ")), len(lines))
    kept: list[str] = [lines[0], "", READERS_INTRO, ""] if lines else []
    skipping = False
    for raw in lines[first_section:]:
        line = raw.strip()
        if line.startswith("- "):
            skipping = line.startswith(_DEVELOPER_BULLETS)
        elif not (raw.startswith("  ") and skipping):
            skipping = False
        if skipping:
            continue
        cleaned = _CODE_REFERENCE.sub("", raw).rstrip()
        for developer, plain in _BOARD_WORDING:
            cleaned = cleaned.replace(developer, plain)
        if cleaned.endswith(("(", ":")) or cleaned.strip() in ("-", ""):
            cleaned = cleaned if cleaned.strip() == "" else cleaned.rstrip("(:").rstrip()
        kept.append(cleaned if cleaned.strip() != "-" else "")
    return "\n".join(kept)


@functools.cache
def board_definitions_html() -> SafeString:
    return mark_safe(render(for_readers(PATH.read_text(encoding="utf-8")), shift=3))  # noqa: S308 (escaped in render)
