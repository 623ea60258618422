"""Pure rules of the CSF profile: current level, gaps, progress and divergence.
Plain values in, plain values out; tested without a database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

LEVEL_LABELS = {
    0: "Not implemented",
    1: "Partially implemented",
    2: "Largely implemented",
    3: "Fully implemented",
}
SHORT_LABELS = {0: "Not", 1: "Partially", 2: "Largely", 3: "Fully"}
TIER_LABELS = {
    1: "Tier 1 · Partial",
    2: "Tier 2 · Risk informed",
    3: "Tier 3 · Repeatable",
    4: "Tier 4 · Adaptive",
}
LENSES = ("it", "security", "joint")


def current_level(lens: str, cio_level: int | None, ciso_level: int | None) -> int | None:
    """The outcome's current level from its owners' assessments.

    A CIO outcome takes the CIO's level, a CISO outcome the CISO's. A joint outcome
    takes the lower of the two once both have assessed (the cautious reading), and
    the one given until then. ``None`` while nobody has assessed it."""
    if lens == "it":
        return cio_level
    if lens == "security":
        return ciso_level
    given = [level for level in (cio_level, ciso_level) if level is not None]
    return min(given) if given else None


def diverges(lens: str, cio_level: int | None, ciso_level: int | None) -> bool:
    """A joint outcome on which the CIO and the CISO give different levels."""
    return lens == "joint" and None not in (cio_level, ciso_level) and cio_level != ciso_level


def is_gap(in_scope: bool, current: int | None, target: int) -> bool:
    """A gap: in scope and current below target (never assessed counts as not implemented)."""
    return in_scope and (current or 0) < target


def is_met(in_scope: bool, current: int | None, target: int) -> bool:
    """In scope and not a gap: current at or above target."""
    return in_scope and (current or 0) >= target


@dataclass(frozen=True)
class Progress:
    """ "62% of target outcomes met": of the in-scope outcomes, how many have their
    current level at or above their target (docs/DEFINITIONS.md, "Profile progress")."""

    met: int
    in_scope: int

    @property
    def percent(self) -> int | None:
        if not self.in_scope:
            return None
        return round(100 * self.met / self.in_scope)

    @property
    def gaps(self) -> int:
        return self.in_scope - self.met

    @property
    def sentence(self) -> str:
        if self.percent is None:
            return "No outcome is in scope of the profile yet."
        return f"{self.percent}% of target outcomes met"


def progress(rows: Iterable[tuple[bool, int | None, int]]) -> Progress:
    """``rows``: (in_scope, current level, target level) per outcome."""
    met = in_scope = 0
    for scoped, current, target in rows:
        if not scoped:
            continue
        in_scope += 1
        met += is_met(scoped, current, target)
    return Progress(met=met, in_scope=in_scope)


@dataclass(frozen=True)
class Bar:
    """One group (a function or a category) of the current-against-target chart:
    average levels over its in-scope outcomes, on the 0–3 scale."""

    code: str
    name: str
    current: float
    target: float
    outcomes: int
    met: int


def bars(groups: Iterable[tuple[str, str, list[tuple[bool, int | None, int]]]]) -> list[Bar]:
    """One bar pair per group of (code, name, rows); groups with nothing in scope are left out."""
    result = []
    for code, name, rows in groups:
        scoped = [(current or 0, target) for in_scope, current, target in rows if in_scope]
        if not scoped:
            continue
        count = len(scoped)
        result.append(
            Bar(
                code=code,
                name=name,
                current=round(sum(c for c, _ in scoped) / count, 2),
                target=round(sum(t for _, t in scoped) / count, 2),
                outcomes=count,
                met=sum(1 for c, t in scoped if c >= t),
            )
        )
    return result


def clean_tiers(value, function_codes: Iterable[str]) -> dict[str, int]:
    """A tier per function code (1–4); anything else raises ValueError naming the problem."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise ValueError('Give the tiers as a function code and a tier from 1 to 4, e.g. {"GV": 2}.')
    codes = set(function_codes)
    cleaned = {}
    for code, tier in value.items():
        if code not in codes:
            raise ValueError(f"'{code}' is not a CSF function (use {', '.join(sorted(codes))}).")
        if tier in (None, ""):
            continue
        if isinstance(tier, bool) or not isinstance(tier, int | str) or str(tier) not in {"1", "2", "3", "4"}:
            raise ValueError(f"The tier of {code} must be 1, 2, 3 or 4.")
        cleaned[code] = int(tier)
    return cleaned
