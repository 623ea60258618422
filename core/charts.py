"""Server-rendered SVG charts: the same markup on pages and in PDFs (WeasyPrint
draws SVG), no JavaScript, nothing inline that CSP would block.

Pure functions: plain numbers in, SVG string out. Colours come from attributes,
not style="" (CSP forbids inline styles).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#2f6fde", "#1f9d6b", "#c98a00", "#8a4fd8", "#c8372d", "#1aa3b8", "#6b7a90", "#e06c9f"]
GREEN, AMBER, RED, GREY, INK, GRID = "#1f9d6b", "#e0a100", "#c8372d", "#9aa5b5", "#1b2434", "#e2e7ef"


def _fmt(value: float) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:.1f}M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:.1f}k"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _scale(values: Sequence[float], lo: float, hi: float, size: float, pad: float) -> list[float]:
    span = (hi - lo) or 1.0
    return [pad + (size - 2 * pad) * (v - lo) / span for v in values]


def sparkline(
    values: Sequence[float | None],
    *,
    width: int = 110,
    height: int = 28,
    color: str = "#2f6fde",
    label: str = "",
) -> SafeString:
    """A small trend line; gaps (None) are skipped. Empty input gives an empty frame."""
    points = [(i, float(v)) for i, v in enumerate(values) if v is not None]
    title = f"<title>{escape(label)}</title>" if label else ""
    if len(points) < 2:
        return mark_safe(  # noqa: S308 - numbers and escaped text only
            f'<svg class="sparkline" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label or "No trend yet")}">{title}'
            f'<line x1="2" y1="{height / 2}" x2="{width - 2}" y2="{height / 2}" stroke="{GRID}" stroke-dasharray="3 3"/></svg>'
        )
    lo, hi = min(v for _, v in points), max(v for _, v in points)
    n = max(len(values) - 1, 1)
    xs = [2 + (width - 4) * i / n for i, _ in points]
    ys = [height - y for y in _scale([v for _, v in points], lo, hi, height, 3)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    return mark_safe(  # noqa: S308 - numbers and escaped text only
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label or "Trend")}">{title}'
        f'<polyline fill="none" stroke="{color}" stroke-width="1.8" stroke-linejoin="round" points="{path}"/>'
        f'<circle cx="{xs[-1]:.1f}" cy="{ys[-1]:.1f}" r="2.4" fill="{color}"/></svg>'
    )


def line_chart(
    labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    *,
    width: int = 720,
    height: int = 260,
    reference_lines: Sequence[tuple[str, float, str]] = (),
    y_min: float | None = None,
    y_max: float | None = None,
    title: str = "",
    point_labels: bool = False,
) -> SafeString:
    """Lines over labelled periods, with optional horizontal reference lines
    (label, value, colour) such as a target and warning / critical thresholds.
    ``point_labels`` writes each point's value above it (readable in grey print)."""
    left, right, top, bottom = 48, 16, 16, 34
    values = [float(v) for vals in series.values() for v in vals if v is not None]
    values += [float(v) for _, v, _ in reference_lines]
    lo = y_min if y_min is not None else (min(values) if values else 0.0)
    hi = y_max if y_max is not None else (max(values) if values else 1.0)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.08
    lo, hi = (lo - pad if y_min is None else lo), (hi + pad if y_max is None else hi)
    plot_w, plot_h = width - left - right, height - top - bottom

    def y_of(v: float) -> float:
        return top + plot_h - plot_h * (v - lo) / (hi - lo)

    n = max(len(labels) - 1, 1)

    def x_of(i: int) -> float:
        return left + plot_w * i / n

    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title or "Chart")}">'
        f"<title>{escape(title)}</title>"
    ]
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        y = y_of(v)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#5b6678">{_fmt(v)}</text>'
        )
    step = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if i % step == 0 or i == len(labels) - 1:
            # The first and last labels hug the plot edges so they are never clipped.
            anchor = "start" if i == 0 else "end" if i == len(labels) - 1 else "middle"
            parts.append(
                f'<text x="{x_of(i):.1f}" y="{height - 12}" font-size="11" text-anchor="{anchor}" '
                f'fill="#5b6678">{escape(str(label))}</text>'
            )
    for label, value, color in reference_lines:
        y = y_of(float(value))
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{color}" '
            f'stroke-dasharray="6 4" stroke-width="1.5"/><text x="{width - right - 4}" y="{y - 5:.1f}" '
            f'font-size="11" text-anchor="end" fill="{color}">{escape(label)} {_fmt(float(value))}</text>'
        )
    for index, (name, vals) in enumerate(series.items()):
        color = PALETTE[index % len(PALETTE)]
        pts = [(x_of(i), y_of(float(v))) for i, v in enumerate(vals) if v is not None]
        if len(pts) > 1:
            parts.append(
                f'<polyline fill="none" stroke="{color}" stroke-width="2.2" stroke-linejoin="round" '
                f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in pts)}"><title>{escape(name)}</title></polyline>'
            )
        for x, y in pts:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>')
        if point_labels:
            for i, v in enumerate(vals):
                if v is not None:
                    anchor = "start" if i == 0 else "end" if i == len(labels) - 1 else "middle"
                    parts.append(
                        f'<text x="{x_of(i):.1f}" y="{y_of(float(v)) - 8:.1f}" font-size="12" font-weight="700" '
                        f'text-anchor="{anchor}" fill="{INK}">{_fmt(float(v))}</text>'
                    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped text only


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    width: int = 400,
    bar_height: int = 22,
    colors: Sequence[str] = (),
    value_format=_fmt,
    title: str = "",
    label_width: int = 110,
    value_width: int = 64,
    max_value: float | None = None,
) -> SafeString:
    """Horizontal bars with labels and values, largest scale = longest value
    (or ``max_value``). Labels and values are written next to each bar, so the
    chart reads without its colours."""
    # A narrow viewBox keeps labels readable when the chart sits in a small card.
    label_w, value_w, gap = label_width, value_width, 8
    height = max(1, len(items)) * (bar_height + gap) + gap
    top = max_value or max((float(v) for _, v in items), default=0.0) or 1.0
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title or "Bar chart")}">'
        f"<title>{escape(title)}</title>"
    ]
    for i, (label, value) in enumerate(items):
        y = gap + i * (bar_height + gap)
        w = max(0.0, (width - label_w - value_w) * float(value) / top)
        color = colors[i % len(colors)] if colors else PALETTE[i % len(PALETTE)]
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_height * 0.7:.1f}" font-size="13" text-anchor="end" fill="{INK}">'
            f"{escape(str(label))}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_height}" rx="3" fill="{color}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + bar_height * 0.7:.1f}" font-size="13" fill="{INK}">'
            f"{escape(value_format(float(value)))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped text only


def donut(
    items: Sequence[tuple[str, float]],
    *,
    size: int = 180,
    thickness: int = 28,
    center_label: str = "",
    colors: Sequence[str] = (),
    title: str = "",
) -> SafeString:
    """A ring of shares (stroke-dasharray arcs), with an optional centre label."""
    total = sum(float(v) for _, v in items) or 1.0
    r = (size - thickness) / 2
    circumference = 2 * 3.141592653589793 * r
    offset = 0.0
    parts = [
        f'<svg viewBox="0 0 {size} {size}" role="img" aria-label="{escape(title or "Shares")}">'
        f"<title>{escape(title)}</title>"
        f'<circle cx="{size / 2}" cy="{size / 2}" r="{r}" fill="none" stroke="{GRID}" stroke-width="{thickness}"/>'
    ]
    for i, (label, value) in enumerate(items):
        length = circumference * float(value) / total
        color = colors[i % len(colors)] if colors else PALETTE[i % len(PALETTE)]
        parts.append(
            f'<circle cx="{size / 2}" cy="{size / 2}" r="{r}" fill="none" stroke="{color}" stroke-width="{thickness}" '
            f'stroke-dasharray="{length:.2f} {circumference - length:.2f}" stroke-dashoffset="{-offset:.2f}" '
            f'transform="rotate(-90 {size / 2} {size / 2})"><title>{escape(str(label))}</title></circle>'
        )
        offset += length
    if center_label:
        parts.append(
            f'<text x="{size / 2}" y="{size / 2 + 6}" font-size="18" font-weight="700" text-anchor="middle" '
            f'fill="{INK}">{escape(center_label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped text only


def gauge(
    value: float, *, size: int = 200, label: str = "", thresholds: tuple[float, float] = (50, 75)
) -> SafeString:
    """A 0–100 half-ring gauge coloured red / amber / green by thresholds."""
    value = max(0.0, min(100.0, float(value)))
    color = RED if value < thresholds[0] else AMBER if value < thresholds[1] else GREEN
    r, cx, cy, width = size * 0.4, size / 2, size * 0.55, size * 0.1
    half = 3.141592653589793 * r
    filled = half * value / 100
    d = f"M {cx - r:.1f} {cy:.1f} A {r:.1f} {r:.1f} 0 0 1 {cx + r:.1f} {cy:.1f}"
    return mark_safe(  # noqa: S308 - numbers and escaped text only
        f'<svg viewBox="0 0 {size} {size * 0.68:.0f}" role="img" aria-label="{escape(label or "Score")} {value:.0f} of 100">'
        f'<path d="{d}" fill="none" stroke="{GRID}" stroke-width="{width:.1f}" stroke-linecap="round"/>'
        f'<path d="{d}" fill="none" stroke="{color}" stroke-width="{width:.1f}" stroke-linecap="round" '
        f'stroke-dasharray="{filled:.2f} {half:.2f}"/>'
        f'<text x="{cx}" y="{cy - 4:.1f}" font-size="{size * 0.2:.0f}" font-weight="700" text-anchor="middle" fill="{INK}">'
        f"{value:.0f}</text>"
        f'<text x="{cx}" y="{cy + size * 0.1:.1f}" font-size="{size * 0.065:.0f}" text-anchor="middle" fill="#5b6678">'
        f"{escape(label)}</text></svg>"
    )
