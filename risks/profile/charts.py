"""Geometry of the current-against-target bars (pure): the template draws them
as SVG rectangles (no inline styles: CSP), with direct labels and the four level
ticks, so they read the same in colour, in greyscale and in print."""

from __future__ import annotations

from dataclasses import dataclass

from .rules import SHORT_LABELS, Bar

WIDTH = 300  # the SVG's user units for the 0–3 scale
TICKS = [{"x": round(level * WIDTH / 3), "label": SHORT_LABELS[level], "level": level} for level in range(4)]


@dataclass(frozen=True)
class BarRow:
    code: str
    name: str
    current: float
    target: float
    current_width: int
    target_width: int
    outcomes: int
    met: int

    @property
    def label(self) -> str:
        return f"Current {self.current:.1f} · target {self.target:.1f} · {self.met} of {self.outcomes} met"

    @property
    def short(self) -> bool:
        return self.current < self.target


def bar_rows(bars: list[Bar]) -> list[BarRow]:
    return [
        BarRow(
            code=bar.code,
            name=bar.name,
            current=bar.current,
            target=bar.target,
            current_width=round(bar.current * WIDTH / 3),
            target_width=round(bar.target * WIDTH / 3),
            outcomes=bar.outcomes,
            met=bar.met,
        )
        for bar in bars
    ]
