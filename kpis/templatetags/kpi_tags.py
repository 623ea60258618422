"""Formatting of KPI values, statuses and trends in templates."""

from decimal import Decimal
from html import escape  # the standard library's: quotes included, called for every cell

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from core.templatetags.concord import STATUS_CLASSES
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


@register.simple_tag
def trend_badge(trend):
    if not trend:
        return mark_safe('<span class="trend trend-none">No trend yet</span>')
    icon, css, label = TREND_ICONS[trend]
    return format_html(
        '<span class="trend {}"><i class="bi bi-{}" aria-hidden="true"></i> {}</span>', css, icon, label
    )


@register.filter
def kpi_period(start, frequency):
    """A period's human label: "Oct 2026", "Q4 2026", "Week of 3 Nov 2026"."""
    from kpis.status import period_label

    return period_label(start, frequency) if start else "—"


# The scorecard's rows are drawn here rather than in the template: a page shows
# 25 KPIs with a dozen variables, filters and tags each, and the template engine
# made the page's time grow with its rows. The detail URL is reversed once (with
# a stand-in id) and every text is escaped (quotes included) before it goes in.
_KPI_SLOT = "987654321"
_TARGET_SIGN = {"higher": "≥", "lower": "≤"}


def _trend_html(trend) -> str:
    if not trend:
        return '<span class="trend trend-none">No trend yet</span>'
    icon, css, label = TREND_ICONS[trend]
    return f'<span class="trend {css}"><i class="bi bi-{icon}" aria-hidden="true"></i> {label}</span>'


def _status_html(status: str, text: str) -> str:
    return (
        f'<span class="status-dot {STATUS_CLASSES.get(status, "status-stale")}"><span aria-hidden="true">'
        f"</span>{escape(text)}</span>"
    )


@register.simple_tag
def scorecard_rows(rows, org_slug: str) -> SafeString:
    """The ``<tr>`` of each scorecard row (kpis.selectors.ScorecardRow, with its ``sparkline_svg``)."""
    head, _, tail = reverse("kpis:detail", args=[org_slug, _KPI_SLOT]).rpartition(_KPI_SLOT)
    parts = []
    for row in rows:
        kpi = row.kpi
        url = escape(f"{head}{kpi.pk}{tail}")
        stale_flag = ""
        if row.stale and row.latest_value is not None:
            stale_flag = (
                ' <span class="stale-flag" title="The value for the latest period is missing; the colour '
                f'shown in the chart is older.">was {escape(str(row.status))}</span>'
            )
        meta = escape(str(kpi.get_frequency_display()))
        if kpi.owner:
            meta += f" · {escape(kpi.owner.display_name)}"
        if kpi.computed:
            meta += ' · <span class="computed-flag">Computed</span>'
        parts.append(
            f'<tr data-href="{url}">'
            f"<td>{_status_html(row.display_status, str(row.display_status or 'unknown').capitalize())}</td>"
            f'<td class="kpi-name"><a href="{url}">{escape(kpi.name)}</a>{stale_flag}'
            f'<div class="kpi-meta">{meta}</div></td>'
            f'<td><div class="kpi-latest">{escape(format_value(row.latest_value, kpi.unit))}</div>'
            f'<div class="kpi-meta">{escape(row.latest_label) if row.latest_label else "No values yet"}</div></td>'
            f'<td class="cell-target"><span class="kpi-target">{_TARGET_SIGN.get(kpi.direction, "≤")} '
            f"{escape(format_value(kpi.target, kpi.unit))}</span></td>"
            f'<td class="cell-trend">{_trend_html(row.trend)}</td>'
            f'<td class="cell-spark">{row.sparkline_svg}</td></tr>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above
