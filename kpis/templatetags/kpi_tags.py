"""Formatting of KPI values and periods in templates. The markup that shows
them is in templates: kpis/partials/scorecard_rows.html, kpis/partials/trend.html."""

from decimal import Decimal

from django import template

from kpis.models import UNIT_SUFFIX

register = template.Library()


def format_value(value, unit: str = "") -> str:
    """97.5000 → '97.5%', 12.0000 days → '12 d', 1234567 currency → '1,234,567'."""
    if value in (None, ""):
        return "—"
    number = Decimal(value)
    places = (
        0
        if unit in ("count", "currency") or number == number.to_integral_value()
        else (1 if abs(number) >= 100 else 2)
    )
    text = f"{number:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}{UNIT_SUFFIX.get(unit, '')}"


@register.filter
def kpi_value(value, unit=""):
    return format_value(value, unit)


@register.filter
def kpi_period(start, frequency):
    """A period's human label: "Oct 2026", "Q4 2026", "Week of 3 Nov 2026"."""
    from kpis.status import period_label

    return period_label(start, frequency) if start else "—"
