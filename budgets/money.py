"""Pure budget arithmetic: annual cost, loss avoided, return on security
investment (ROSI), shares and year-on-year change. Plain Decimals in, Decimals
out; no database, no floats (money is never a float in Concord).

Definitions (also shown on the proposal page):

* **Annual cost** of an item: OpEx counts in full (it recurs every year);
  CapEx is spread evenly over the proposal's amortisation period (3 years
  unless the proposal says otherwise), because the asset serves that long.
* **Loss avoided** (cost avoidance) of an item: for each risk it reduces, the
  expected annual loss before minus after the investment, summed.
* **ROSI** = (loss avoided − annual cost) / annual cost. It is undefined
  (``None``) when the item reduces no quantified risk (there is no security
  benefit to measure) or when its annual cost is zero (nothing to divide by).
* **Portfolio return**: the same ratio over the items that reduce at least one
  risk, so IT items without a risk case do not drag the figure to −100 %.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from core.money import CENT, to_money  # the one rounding of amounts (re-exported)

RATIO = Decimal("0.0001")
ZERO = Decimal("0")
DEFAULT_AMORTISATION_YEARS = 3

CAPEX, OPEX = "capex", "opex"


def annual_cost(amount, kind: str, *, amortisation_years: int = DEFAULT_AMORTISATION_YEARS) -> Decimal:
    """What an item costs per year: OpEx in full, CapEx spread over the amortisation years."""
    amount = to_money(amount)
    if kind == CAPEX:
        if amortisation_years < 1:
            raise ValueError("The amortisation period must be at least one year.")
        return (amount / Decimal(amortisation_years)).quantize(CENT, rounding=ROUND_HALF_UP)
    return amount


def loss_avoided(links: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """Sum of (expected annual loss before − after) over the risks an item reduces.
    A link whose 'after' exceeds 'before' counts as zero, never as negative avoidance."""
    total = ZERO
    for before, after in links:
        total += max(to_money(before) - to_money(after), ZERO)
    return to_money(total)


def rosi(avoided, cost, *, has_risk: bool = True) -> Decimal | None:
    """(loss avoided − annual cost) / annual cost, rounded to 4 places (0.2500 = 25 %).
    None when no quantified risk is reduced or the annual cost is zero."""
    cost = to_money(cost)
    if not has_risk or cost == ZERO:
        return None
    return ((to_money(avoided) - cost) / cost).quantize(RATIO, rounding=ROUND_HALF_UP)


def share(part, whole) -> Decimal | None:
    """part / whole as a ratio (4 places), None when the whole is zero."""
    whole = to_money(whole)
    if whole == ZERO:
        return None
    return (to_money(part) / whole).quantize(RATIO, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Change:
    """Year-on-year change of an amount."""

    current: Decimal
    previous: Decimal | None
    delta: Decimal | None
    ratio: Decimal | None  # None when there is no previous figure or it was zero


def change(current, previous) -> Change:
    current = to_money(current)
    if previous is None:
        return Change(current, None, None, None)
    previous = to_money(previous)
    delta = current - previous
    return Change(current, previous, delta, share(delta, previous))


@dataclass(frozen=True)
class ItemFigures:
    """The plain values of one item that the summary needs."""

    domain: str
    category: str
    kind: str
    priority: str
    amount: Decimal
    loss_avoided: Decimal = ZERO
    risk_count: int = 0
    option_count: int = 0
    has_chosen_option: bool = False


def is_unfunded_must(item: ItemFigures) -> bool:
    """A must-have is not funded when it carries no money: its amount is zero, or it
    has options but none is chosen (so nothing is being asked for)."""
    if item.priority != "must":
        return False
    return to_money(item.amount) == ZERO or (item.option_count > 0 and not item.has_chosen_option)


@dataclass
class Summary:
    total: Decimal = ZERO
    by_domain: dict[str, Decimal] = field(default_factory=dict)
    by_category: dict[str, Decimal] = field(default_factory=dict)
    by_kind: dict[str, Decimal] = field(default_factory=dict)
    by_priority: dict[str, Decimal] = field(default_factory=dict)
    security_share: Decimal | None = None
    annual_cost: Decimal = ZERO
    risk_linked_annual_cost: Decimal = ZERO
    cost_avoidance: Decimal = ZERO
    portfolio_rosi: Decimal | None = None
    item_count: int = 0
    unfunded_musts: int = 0


def _add(bucket: dict[str, Decimal], key: str, amount: Decimal) -> None:
    bucket[key] = bucket.get(key, ZERO) + amount


def summarise(
    items: Iterable[ItemFigures],
    *,
    amortisation_years: int = DEFAULT_AMORTISATION_YEARS,
    domains: Iterable[str] = (),
    categories: Iterable[str] = (),
    kinds: Iterable[str] = (),
    priorities: Iterable[str] = (),
) -> Summary:
    """Totals of a proposal. Named keys start at zero so charts and tables always
    show every domain / category / kind / priority, in the order given.

    Security share = (security + joint) / total technology budget: joint items
    serve both sides, so they count on the security side of the ratio too.
    """
    summary = Summary(
        by_domain={k: ZERO for k in domains},
        by_category={k: ZERO for k in categories},
        by_kind={k: ZERO for k in kinds},
        by_priority={k: ZERO for k in priorities},
    )
    for item in items:
        amount = to_money(item.amount)
        yearly = annual_cost(amount, item.kind, amortisation_years=amortisation_years)
        summary.total += amount
        summary.item_count += 1
        _add(summary.by_domain, item.domain, amount)
        _add(summary.by_category, item.category, amount)
        _add(summary.by_kind, item.kind, amount)
        _add(summary.by_priority, item.priority, amount)
        summary.annual_cost += yearly
        if item.risk_count:
            summary.risk_linked_annual_cost += yearly
            summary.cost_avoidance += to_money(item.loss_avoided)
        summary.unfunded_musts += is_unfunded_must(item)
    return _with_ratios(summary)


def _with_ratios(summary: Summary) -> Summary:
    """Fill in the security share and the portfolio return from the totals."""
    security = summary.by_domain.get("security", ZERO) + summary.by_domain.get("joint", ZERO)
    summary.security_share = share(security, summary.total)
    summary.portfolio_rosi = rosi(
        summary.cost_avoidance,
        summary.risk_linked_annual_cost,
        has_risk=summary.risk_linked_annual_cost > ZERO,
    )
    return summary


def from_cents(cents) -> Decimal:
    """Whole cents (an integer summed by the database) as money."""
    return to_money(Decimal(int(cents or 0)).scaleb(-2))


def summary_from_totals(
    *,
    total,
    by_domain: dict,
    by_category: dict,
    by_kind: dict,
    by_priority: dict,
    annual_cost,
    risk_linked_annual_cost,
    cost_avoidance,
    item_count: int = 0,
    unfunded_musts: int = 0,
) -> Summary:
    """The same Summary as ``summarise``, from totals the database already added up
    (each annual cost rounded per item, as ``annual_cost`` does)."""
    return _with_ratios(
        Summary(
            total=to_money(total),
            by_domain={k: to_money(v) for k, v in by_domain.items()},
            by_category={k: to_money(v) for k, v in by_category.items()},
            by_kind={k: to_money(v) for k, v in by_kind.items()},
            by_priority={k: to_money(v) for k, v in by_priority.items()},
            annual_cost=to_money(annual_cost),
            risk_linked_annual_cost=to_money(risk_linked_annual_cost),
            cost_avoidance=to_money(cost_avoidance),
            item_count=int(item_count or 0),
            unfunded_musts=int(unfunded_musts or 0),
        )
    )
