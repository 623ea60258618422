"""What a new organization starts from: nothing, the starter libraries, or a
copy of the settings and libraries of an organization its creator leads.

Core knows no domain: each app that owns a library registers, in its
``org_templates.py`` (found by autodiscovery, as ``computed_kpis.py`` is),
how to lay its starter library into a new organization and how to copy its
library from another one. Libraries are definitions (KPI definitions, the
ownership matrix's parties and activities), never business data: no
measurement, risk, budget, request, report or person is ever copied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import TextChoices


class Template(TextChoices):
    EMPTY = "empty", "Empty"
    STARTER = "starter", "Starter libraries"
    COPY = "copy", "Copy of another organization I lead"


@dataclass(frozen=True)
class Library:
    key: str
    label: str  # plural, for "Starts with: …", e.g. "the KPI library"
    starter: Callable  # starter(*, organization) -> int (items added)
    copy: Callable  # copy(*, source, organization) -> int (items copied)
    order: int = 100


_LIBRARIES: dict[str, Library] = {}

# Organization settings copied with the "copy" template (never the name, slug or people).
COPIED_SETTINGS = (
    "currency",
    "fiscal_year_start_month",
    "time_zone",
    "risk_appetite",
    "medium_from",
    "high_from",
    "critical_from",
    "report_schedule",
    "mfa_required_roles",
)


def register_library(key: str, *, label: str, starter: Callable, copy: Callable, order: int = 100) -> None:
    _LIBRARIES[key] = Library(key=key, label=label, starter=starter, copy=copy, order=order)


def libraries() -> list[Library]:
    return sorted(_LIBRARIES.values(), key=lambda lib: (lib.order, lib.key))
