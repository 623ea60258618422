"""Template helpers shared by every app."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

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


@register.simple_tag(takes_context=True)
def sort_link(context, field: str, label: str):
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
    return format_html(
        '<a class="sort-link{}" href="?{}">{} <i class="bi {}" aria-hidden="true"></i>'
        '<span class="visually-hidden"> ({})</span></a>',
        " active" if active else "",
        query.urlencode(),
        label,
        arrow,
        state,
    )


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
    return "" if value in (None, "") else score_change_text(int(value))


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


@register.simple_tag
def level_badge(level: str, score=None):
    """Coloured badge for a risk level (low / medium / high / critical)."""
    if not level:
        return mark_safe('<span class="badge level-none">Not assessed</span>')
    label = str(level).capitalize()
    if score not in (None, ""):
        return format_html(
            '<span class="badge {}">{} · {}</span>', LEVEL_CLASSES.get(str(level).lower(), ""), label, score
        )
    return format_html('<span class="badge {}">{}</span>', LEVEL_CLASSES.get(str(level).lower(), ""), label)


STATUS_CLASSES = {
    "green": "status-green",
    "amber": "status-amber",
    "red": "status-red",
    "stale": "status-stale",
}


@register.simple_tag
def status_dot(status: str, label: str = ""):
    """Green / amber / red / stale indicator with text (never colour alone)."""
    text = label or str(status or "unknown").capitalize()
    return format_html(
        '<span class="status-dot {}"><span aria-hidden="true"></span>{}</span>',
        STATUS_CLASSES.get(status, "status-stale"),
        text,
    )


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
