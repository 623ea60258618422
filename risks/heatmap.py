"""The one heat map: plain values in, plain values out, no database.

Every heat map in Concord (the register's heat map page, the dashboard, the
report page and the report PDF) is drawn by ``templates/includes/heatmap.html``
from ``rows`` below, in one orientation: **likelihood along the bottom (1 → 5,
left to right), impact up the side (5 at the top)**, as most risk standards
draw it. A report snapshot stores ``picture`` (plain lists), so a frozen
report draws exactly as a live page does.
"""

from __future__ import annotations

from . import scoring

SCALE = range(1, 6)


def picture(grid: list[list[int]]) -> list[list[int]]:
    """``grid[likelihood - 1][impact - 1]`` (``selectors.risk_heatmaps``) as the
    drawing's rows: impact 5 (top row) down to 1, each row's counts by
    likelihood 1 → 5."""
    return [[grid[likelihood - 1][impact - 1] for likelihood in SCALE] for impact in reversed(SCALE)]


def rows(drawn: list[list[int]], thresholds: scoring.Thresholds) -> list[dict]:
    """The rows of ``picture`` with everything the template needs: each row's
    impact and label, each cell's likelihood, impact, count, score, level and
    ``key`` ("likelihood-impact", the register's ``cell`` filter)."""
    thresholds = tuple(thresholds)
    result = []
    for index, counts in enumerate(drawn):
        impact = 5 - index
        cells = [
            {
                "likelihood": likelihood,
                "impact": impact,
                "count": count,
                "score": likelihood * impact,
                "level": scoring.level_key(likelihood * impact, thresholds),
                "key": f"{likelihood}-{impact}",
            }
            for likelihood, count in zip(SCALE, counts, strict=True)
        ]
        result.append({"impact": impact, "label": scoring.IMPACT_LABELS[impact], "cells": cells})
    return result


def cell_counts(drawn: list[list[int]]) -> dict[str, int]:
    """{"likelihood-impact": count} of every cell of ``picture`` (the API's and the tests' view)."""
    return {
        cell["key"]: cell["count"] for row in rows(drawn, scoring.DEFAULT_THRESHOLDS) for cell in row["cells"]
    }


def total(drawn: list[list[int]]) -> int:
    return sum(map(sum, drawn))
