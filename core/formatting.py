"""How shared figures are written, in one place: the pages, the PDFs and the
report's sentences all call these (directly or through the template filters
of core.templatetags.concord), so a figure reads the same everywhere
(docs/DEFINITIONS.md, "How figures are written")."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MINUS = "−"


def _ratio(value) -> Decimal:
    return Decimal(repr(value) if isinstance(value, float) else str(value))


def share_text(value, *, empty: str = "—") -> str:
    """A ratio as a percentage with one decimal, half up: 0.2734 → '27.3%'."""
    if value in (None, ""):
        return empty
    pct = (_ratio(value) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{pct}%"


def rosi_text(value, *, empty: str = "n/a") -> str:
    """A return on investment, signed, with one decimal: 0.176 → '+17.6%', -0.03 → '−3.0%'."""
    if value in (None, ""):
        return empty
    pct = (_ratio(value) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{MINUS if pct < 0 else '+'}{abs(pct):,.1f}%"


def score_change_text(change) -> str:
    """A change of the alignment score: '+1 point', '−3 points', '±0 points';
    a change with decimals keeps one ('+1.5 points', never '+1')."""
    sign = "+" if change > 0 else MINUS if change < 0 else "±"
    size = abs(change)
    if size != int(size):
        return f"{sign}{size:.1f} points"
    size = int(size)
    return f"{sign}{size} point{'' if size == 1 else 's'}"
