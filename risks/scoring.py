"""Risk scoring as pure functions: plain values in, plain values out, no database.

- score = likelihood × impact (each 1–5), so 1–25;
- level from the organization's thresholds (medium_from, high_from, critical_from);
- the *current* rating: the agreed one if any, otherwise the more severe lens;
- divergence: how many levels apart the CIO's and the CISO's scores are;
- appetite: a score strictly above the organization's appetite must be treated
  or jointly accepted;
- expected annual loss: PERT mean of the loss per event × events per year.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum

SCALE = range(1, 6)
CENT = Decimal("0.01")

LIKELIHOOD_LABELS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT_LABELS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}


class Level(IntEnum):
    LOW = 0
    MEDIUM = 1
    HIGH = 2
    CRITICAL = 3

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def label(self) -> str:
        return self.name.capitalize()


Thresholds = tuple[int, int, int]  # (medium_from, high_from, critical_from)
DEFAULT_THRESHOLDS: Thresholds = (5, 10, 17)


def _check_rating(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
        raise ValueError(f"{what} must be a whole number from 1 to 5, not {value!r}")
    return value


def score(likelihood: int, impact: int) -> int:
    """Likelihood × impact; both must be whole numbers from 1 to 5."""
    return _check_rating(likelihood, "likelihood") * _check_rating(impact, "impact")


def check_thresholds(thresholds: Thresholds) -> Thresholds:
    medium, high, critical = thresholds
    if not (1 < medium < high < critical <= 25):
        raise ValueError(f"level thresholds must increase within 2–25, got {thresholds!r}")
    return thresholds


def level(value: int | None, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Level | None:
    """The level of a score (None when not assessed)."""
    if value is None:
        return None
    if not 1 <= value <= 25:
        raise ValueError(f"a score is from 1 to 25, not {value!r}")
    medium, high, critical = check_thresholds(thresholds)
    if value >= critical:
        return Level.CRITICAL
    if value >= high:
        return Level.HIGH
    if value >= medium:
        return Level.MEDIUM
    return Level.LOW


def level_key(value: int | None, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> str:
    """'low' / 'medium' / 'high' / 'critical', or '' when not assessed."""
    found = level(value, thresholds)
    return found.key if found is not None else ""


def score_range(which: Level, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> tuple[int, int]:
    """The lowest and highest score of a level, for filters."""
    medium, high, critical = check_thresholds(thresholds)
    bounds = {
        Level.LOW: (1, medium - 1),
        Level.MEDIUM: (medium, high - 1),
        Level.HIGH: (high, critical - 1),
        Level.CRITICAL: (critical, 25),
    }
    return bounds[which]


@dataclass(frozen=True)
class Rating:
    """One lens's likelihood and impact."""

    likelihood: int
    impact: int

    @property
    def score(self) -> int:
        return score(self.likelihood, self.impact)


def current(cio: Rating | None, ciso: Rating | None, agreed: Rating | None = None) -> Rating | None:
    """The rating the register shows: the agreed one, else the more severe lens.

    Conservative on purpose: until the two agree, nobody's lower view hides the
    other's. On equal scores the one with the higher impact wins (a rare,
    severe event is the more worrying reading of the same score).
    """
    if agreed is not None:
        return agreed
    present = [r for r in (cio, ciso) if r is not None]
    if not present:
        return None
    return max(present, key=lambda r: (r.score, r.impact))


def divergence(
    cio_score: int | None, ciso_score: int | None, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> int:
    """How many levels apart the two lenses are (0 when either is missing)."""
    if cio_score is None or ciso_score is None:
        return 0
    return abs(level(cio_score, thresholds) - level(ciso_score, thresholds))


def is_divergent(
    cio_score: int | None,
    ciso_score: int | None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    *,
    agreed: bool = False,
) -> bool:
    """Divergent: a level or more apart and not yet agreed."""
    return not agreed and divergence(cio_score, ciso_score, thresholds) >= 1


def above_appetite(value: int | None, appetite: int) -> bool:
    """A score strictly above the appetite must be treated or jointly accepted."""
    if value is None:
        return False
    if not 1 <= appetite <= 25:
        raise ValueError(f"the risk appetite is a score from 1 to 25, not {appetite!r}")
    return value > appetite


def _money(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("use Decimal for money, never float")
    amount = Decimal(value)
    if amount < 0:
        raise ValueError("amounts cannot be negative")
    return amount


def pert_mean(low, most_likely, high) -> Decimal:
    """(low + 4 × most likely + high) / 6, for low ≤ most likely ≤ high."""
    low, most_likely, high = _money(low), _money(most_likely), _money(high)
    if not low <= most_likely <= high:
        raise ValueError("the loss range must satisfy low ≤ most likely ≤ high")
    return (low + 4 * most_likely + high) / 6


def expected_annual_loss(low, most_likely, high, events_per_year) -> Decimal:
    """PERT mean of the loss per event × events per year, rounded to the cent."""
    frequency = _money(events_per_year)
    return (pert_mean(low, most_likely, high) * frequency).quantize(CENT, rounding=ROUND_HALF_UP)


_NUMBER_WORDS = {1: "one level", 2: "two levels", 3: "three levels"}


def explain_divergence(
    cio: Rating | None,
    ciso: Rating | None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    *,
    agreed: bool = False,
) -> str:
    """The gap between the two lenses in one or two plain sentences."""
    if cio is None and ciso is None:
        return "Neither the CIO nor the CISO has assessed this risk yet."
    if cio is None or ciso is None:
        missing = "CIO" if cio is None else "CISO"
        return f"Only one view so far: the {missing} has not assessed this risk yet."
    cio_level, ciso_level = level(cio.score, thresholds), level(ciso.score, thresholds)
    gap = abs(cio_level - ciso_level)
    if gap == 0:
        same = f"Both rate this risk {cio_level.label} ({cio.score} and {ciso.score})."
        return same + (" They have agreed an assessment." if agreed else "")
    higher, lower = ("CIO", "CISO") if cio.score > ciso.score else ("CISO", "CIO")
    high_r, low_r = (cio, ciso) if higher == "CIO" else (ciso, cio)
    reasons = []
    if high_r.likelihood != low_r.likelihood:
        reasons.append(f"more likely ({high_r.likelihood} against {low_r.likelihood})")
    if high_r.impact != low_r.impact:
        reasons.append(f"more damaging ({high_r.impact} against {low_r.impact})")
    text = (
        f"The {higher} rates this risk {level(high_r.score, thresholds).label} ({high_r.score}); "
        f"the {lower} rates it {level(low_r.score, thresholds).label} ({low_r.score}): "
        f"{_NUMBER_WORDS[gap]} apart. The {higher} sees it as {' and '.join(reasons)}."
    )
    if agreed:
        text += " They have since agreed an assessment, which the register uses."
    else:
        text += " Until they agree, the register uses the higher view."
    return text
