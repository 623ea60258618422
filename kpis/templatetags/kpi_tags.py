"""Formatting of KPI values, statuses and trends in templates."""
from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from kpis.models import UNIT_SUFFIX

register = template.Library()

TREND_ICONS = {
    "improving": ("arrow-up-right", "trend-improving", "Improving"),
    "worsening": ("arrow-down-right", "trend-worsening", "Worsening"),
    "flat": ("arrow-right", "trend-flat", "Flat"),
}


def format_value(value, unit: str = "") -> str:
    """97.5000 → '97.5%', 12.0000 days → '12 d', 1234567 currency → '1,234,567'."""
    if value in (None, ""):
        return "—"
    number = Decimal(value)
    places = 0 if unit in ("count", "currency") or number == number.to_integral_value() else (
        1 if abs(number) >= 100 else 2)
    text = f"{number:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}{UNIT_SUFFIX.get(unit, '')}"


@register.filter
def kpi_value(value, unit=""):
    return format_value(value, unit)


@register.simple_tag
def trend_badge(trend):
    if not trend:
        return mark_safe('<span class="trend trend-none">No trend yet</span>')
    icon, css, label = TREND_ICONS[trend]
    return format_html('<span class="trend {}"><i class="bi bi-{}" aria-hidden="true"></i> {}</span>', css, icon,
                       label)


@register.filter
def kpi_period(start, frequency):
    """A period's human label: "Oct 2026", "Q4 2026", "Week of 3 Nov 2026"."""
    from kpis.status import period_label

    return period_label(start, frequency) if start else "—"
