"""Words for the board pack's templates: status, trend and dates for people."""

from __future__ import annotations

from django import template
from django.utils.dateformat import format as date_format

from core.templatetags.concord import isodate

register = template.Library()

STATUS_WORDS = {
    "green": "On target",
    "amber": "Near target",
    "red": "Off target",
    "stale": "No recent value",
}
TREND_WORDS = {
    "improving": "↑ better",
    "worsening": "↓ worse",
    "flat": "→ steady",
}


@register.filter
def status_words(status: str) -> str:
    """A KPI status in words (with its shape in the page's badge, never colour alone)."""
    return STATUS_WORDS.get(status or "", "Unknown")


@register.filter
def trend_words(trend: str | None) -> str:
    """A KPI's trend over its last periods as an arrow and a word."""
    return TREND_WORDS.get(trend or "", "– too new to tell")


@register.filter
def human_date(value, fmt: str = "j M Y") -> str:
    """'2026-12-06' or a stored moment → '6 Dec 2026'; empty → '—'."""
    if value in (None, ""):
        return "—"
    parsed = isodate(value)
    if isinstance(parsed, str):
        return parsed
    return date_format(parsed, fmt)
