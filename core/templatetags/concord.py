"""Template helpers shared by every app. Their markup is in templates/includes/
(sort_link.html, level_badge.html, status_dot.html)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

from core.formatting import rosi_text, score_change_text, share_text
from core.money import whole_units

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **changes):
    """The current query string with some parameters replaced (keeps filters and sort)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.inclusion_tag("includes/sort_link.html", takes_context=True)
def sort_link(context, field: str, label: str) -> dict:
    """A column header link that toggles ascending / descending sort on ``field``."""
    request = context["request"]
    current = request.GET.get("sort", "")
    descending = current == f"-{field}"
    active = current in (field, f"-{field}")
    query = request.GET.copy()
    query["sort"] = field if descending or not active else f"-{field}"
    query.pop("page", None)
    arrow = ("bi-caret-down-fill" if descending else "bi-caret-up-fill") if active else "bi-chevron-expand"
    # aria-sort belongs on the column header, which this tag does not render, so the
    # sort state is spoken as hidden text inside the link instead.
    state = ("sorted descending" if descending else "sorted ascending") if active else "sort"
    return {"active": active, "query": query.urlencode(), "label": label, "arrow": arrow, "state": state}


@register.filter
def money(value, currency: str = ""):
    """1234567.5 → '1,234,568' (whole units; currency code appended when given)."""
    if value in (None, ""):
        return "—"
    try:
        amount = whole_units(value)  # core.money: the one rounding for display
    except (InvalidOperation, TypeError, ValueError):
        return value
    text = f"{amount:,.0f}"
    return f"{text} {currency}".strip()


@register.filter
def compact_money(value, currency: str = ""):
    """1234567 → '1.2M' for tiles and charts."""
    if value in (None, ""):
        return "—"
    amount = Decimal(repr(value) if isinstance(value, float) else value)
    for limit, suffix in ((10**9, "B"), (10**6, "M"), (10**3, "k")):
        if abs(amount) >= limit:
            short = (amount / limit).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            return f"{short}{suffix} {currency}".strip()
    return f"{whole_units(amount)} {currency}".strip()


@register.filter
def share(value):
    """A shared ratio (security share of the budget): ``core.formatting.share_text``."""
    return share_text(value)


@register.filter
def rosi(value):
    """Return on security investment: ``core.formatting.rosi_text``."""
    return rosi_text(value)


@register.filter
def score_change(value):
    """A change of the alignment score: ``core.formatting.score_change_text``."""
    if value in (None, ""):
        return ""
    number = float(value)
    return score_change_text(int(number) if number == int(number) else number)


@register.filter
def percent(value, digits: int = 0):
    if value in (None, ""):
        return "—"
    ratio = Decimal(repr(value) if isinstance(value, float) else str(value))
    places = Decimal(1).scaleb(-int(digits))
    return f"{(ratio * 100).quantize(places, rounding=ROUND_HALF_UP)}%"


LEVEL_CLASSES = {
    "low": "level-low",
    "medium": "level-medium",
    "high": "level-high",
    "critical": "level-critical",
}


@register.inclusion_tag("includes/level_badge.html")
def level_badge(level: str, score=None) -> dict:
    """Coloured badge for a risk level (low / medium / high / critical)."""
    return {
        "level": level,
        "css": LEVEL_CLASSES.get(str(level).lower(), ""),
        "label": str(level).capitalize(),
        "score": score,
        "show_score": score not in (None, ""),
    }


STATUS_CLASSES = {
    "green": "status-green",
    "amber": "status-amber",
    "red": "status-red",
    "stale": "status-stale",
}


@register.filter
def status_class(status: str) -> str:
    """The CSS class of a green / amber / red / stale status (stale for anything else)."""
    return STATUS_CLASSES.get(status, "status-stale")


@register.inclusion_tag("includes/status_dot.html")
def status_dot(status: str, label: str = "") -> dict:
    """Green / amber / red / stale indicator with text (never colour alone)."""
    return {"css": status_class(status), "text": label or str(status or "unknown").capitalize()}


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def isodate(value):
    """An ISO 8601 date or moment stored as text (report snapshots) as a date or
    datetime for the ``date`` filter; other values pass through."""
    from django.utils.dateparse import parse_date, parse_datetime

    if not isinstance(value, str):
        return value
    return parse_datetime(value) or parse_date(value) or value
