"""Figures an app adds to each row of a person's portfolio (governance's
``/portfolio/``), for apps that come after the portfolio was written (the CSF
profile's progress, for one). An app registers, in its ``apps.py`` ``ready()``::

    register_figure("profile", "Profile", lambda organization, user: {"text": "40 %", "url": ...})

The function costs a fixed number of queries and returns None when there is
nothing to show (or the person may not see it)."""

from __future__ import annotations

from collections.abc import Callable

_FIGURES: dict[str, tuple[str, Callable]] = {}


def register_figure(key: str, label: str, compute: Callable) -> None:
    _FIGURES[key] = (label, compute)


def extra_figures() -> list[tuple[str, str, Callable]]:
    return [(key, label, compute) for key, (label, compute) in sorted(_FIGURES.items())]
