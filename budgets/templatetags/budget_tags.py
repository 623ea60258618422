"""Template helpers of the budget pages and PDF."""

from decimal import Decimal

from django import template
from django.urls import reverse

from core.formatting import rosi_text

register = template.Library()


@register.simple_tag
def risk_url(org, risk) -> str:
    """The risk's page in the register."""
    return reverse("risks:detail", args=[org.slug, risk.pk])


@register.filter
def rosi(value) -> str:
    """0.25 → '+25.0%'; None → 'n/a' (no quantified risk, or no cost): ``core.formatting.rosi_text``."""
    return rosi_text(value)


@register.filter
def signed_money(value) -> str:
    """+1,234 / −1,234 for changes; '—' when there is nothing to compare."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value).quantize(Decimal("1"))
    sign = "+" if amount > 0 else "−" if amount < 0 else "±"
    return f"{sign}{abs(amount):,.0f}"


@register.filter
def signed_percent(value) -> str:
    if value is None or value == "":
        return ""
    pct = Decimal(value) * 100
    sign = "+" if pct > 0 else "−" if pct < 0 else "±"
    return f"{sign}{abs(pct):.1f}%"


@register.filter
def score_range(value):
    """Five slots for a 1–5 security score: True for filled."""
    return [i < int(value or 0) for i in range(5)]
