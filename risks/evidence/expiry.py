"""The rule "expired evidence lowers the current level it supports", as a pure
function (no database): the profile's effective current level is computed
from the assessed level and the validity dates of the evidence behind it.

An outcome whose evidence has *all* expired counts one step lower than
assessed until someone renews the evidence; an outcome with no evidence at all,
or with at least one piece still valid, keeps its assessed level. The lowest
level stays the lowest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class EffectiveLevel:
    level: int  # index into the ordered levels, 0 = lowest
    lowered: bool
    reason: str = ""


def all_expired(valid_until: Iterable[date], today: date) -> bool:
    dates = list(valid_until)
    return bool(dates) and all(d < today for d in dates)


def effective_level(level: int | None, valid_until: Iterable[date], today: date) -> EffectiveLevel | None:
    """``level`` (0 = lowest) as it counts given the evidence's validity dates."""
    if level is None:
        return None
    dates = sorted(valid_until)
    if not all_expired(dates, today) or level <= 0:
        return EffectiveLevel(level=level, lowered=False)
    count = len(dates)
    pieces = "the only piece of evidence" if count == 1 else f"all {count} pieces of evidence"
    return EffectiveLevel(
        level=level - 1,
        lowered=True,
        reason=f"Counted one step lower: {pieces} behind it expired (the latest on {dates[-1].day} {dates[-1]:%b %Y}). "
        "Renew the evidence to restore it.",
    )
