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
# The arrow and the word say whether the KPI moved towards its target (better)
# or away from it (worse), whichever way its value went: readable in greyscale.
TREND_WORDS = {
    "improving": "▲ better",
    "worsening": "▼ worse",
    "flat": "► steady",
}
TREND_LEGEND = (
    "Trend compares the latest value with the periods before it: ▲ better means it moved towards "
    "its target (up for a KPI where higher is better, down where lower is better), ▼ worse means "
    "it moved away from it, ► steady means no clear move."
)
# Units as people read them after a number; a count needs no unit word.
UNIT_AFTER = {
    "percent": "%",
    "days": " days",
    "hours": " hours",
    "minutes": " minutes",
    "ratio": "×",
    "score": " points",
    "count": "",
    "currency": "",
}
STALE_WORDS = "out of date"  # glossed: no value for the latest period


@register.filter
def status_words(status: str) -> str:
    """A KPI status in words (with its shape in the page's badge, never colour alone)."""
    return STATUS_WORDS.get(status or "", "Unknown")


@register.filter
def trend_words(trend: str | None) -> str:
    """A KPI's trend over its last periods as an arrow and a word."""
    return TREND_WORDS.get(trend or "", "– too new to tell")


@register.simple_tag
def trend_legend() -> str:
    return TREND_LEGEND


@register.filter
def with_unit(value, unit: str = "") -> str:
    """A KPI figure with its unit as people read it: '99.9%', '3.1 days', '7'
    (never 'count'); empty → '—'."""
    if value in (None, ""):
        return "—"
    after = UNIT_AFTER.get(unit or "", f" {unit}" if unit else "")
    if after == " days" and str(value) in ("1", "1.0"):
        after = " day"
    return f"{value}{after}"


@register.filter
def kpi_as_of(item: dict) -> str:
    """'as of 30 Nov 2026', with 'out of date…' in words when the KPI has no
    value for its latest period."""
    if not item.get("as_of"):
        return "never measured"
    text = f"as of {human_date(item['as_of'])}"
    return f"{text}, {STALE_WORDS}" if item.get("status") == "stale" else text


@register.filter
def human_date(value, fmt: str = "j M Y") -> str:
    """'2026-12-06' or a stored moment → '6 Dec 2026'; empty → '—'."""
    if value in (None, ""):
        return "—"
    parsed = isodate(value)
    if isinstance(parsed, str):
        return parsed
    return date_format(parsed, fmt)
