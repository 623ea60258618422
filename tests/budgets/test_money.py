"""Pure arithmetic: no database."""

from datetime import date
from decimal import Decimal as D

import pytest

from budgets import fiscal, money
from budgets.money import ItemFigures


def test_money_rounds_half_up_to_the_cent():
    assert money.to_money("10.005") == D("10.01")
    assert money.to_money("10.004") == D("10.00")
    assert money.to_money(3) == D("3.00")
    with pytest.raises(TypeError):
        money.to_money(0.1)


def test_annual_cost_opex_in_full_capex_amortised():
    assert money.annual_cost(D("120000"), "opex") == D("120000.00")
    assert money.annual_cost(D("100000"), "capex") == D("33333.33")
    assert money.annual_cost(D("100000"), "capex", amortisation_years=5) == D("20000.00")
    assert money.annual_cost(D("100000"), "capex", amortisation_years=1) == D("100000.00")
    with pytest.raises(ValueError):
        money.annual_cost(D("1"), "capex", amortisation_years=0)


def test_loss_avoided_sums_reductions_and_never_goes_negative():
    assert money.loss_avoided([(D("500000"), D("200000")), (D("80000.50"), D("0.25"))]) == D("380000.25")
    assert money.loss_avoided([(D("1000"), D("1500"))]) == D("0.00")
    assert money.loss_avoided([]) == D("0.00")


def test_rosi_formula_and_rounding():
    # (300 000 − 100 000) / 100 000 = 2 → 200 %
    assert money.rosi(D("300000"), D("100000")) == D("2.0000")
    # (1 − 3) / 3 = −0.6667 (rounded half-up to 4 places)
    assert money.rosi(D("1"), D("3")) == D("-0.6667")
    # Avoiding exactly the cost returns zero.
    assert money.rosi(D("5000"), D("5000")) == D("0.0000")


def test_rosi_is_undefined_for_zero_cost_or_no_linked_risk():
    assert money.rosi(D("1000"), D("0")) is None
    assert money.rosi(D("0"), D("1000"), has_risk=False) is None


def test_share_and_change():
    assert money.share(D("1"), D("3")) == D("0.3333")
    assert money.share(D("1"), D("0")) is None
    c = money.change(D("110"), D("100"))
    assert (c.delta, c.ratio) == (D("10.00"), D("0.1000"))
    assert money.change(D("110"), None).ratio is None
    assert money.change(D("110"), D("0")).ratio is None


def _item(domain="security", kind="opex", amount="100", priority="should", avoided="0", risks=0, **kw):
    return ItemFigures(
        domain=domain,
        category="software",
        kind=kind,
        priority=priority,
        amount=D(amount),
        loss_avoided=D(avoided),
        risk_count=risks,
        **kw,
    )


def test_summary_totals_share_and_portfolio_return():
    items = [
        _item("it", "opex", "600"),
        _item("security", "capex", "300", avoided="500", risks=1),  # annual cost 100
        _item("joint", "opex", "100", avoided="50", risks=2),  # annual cost 100
    ]
    s = money.summarise(items, domains=["it", "security", "joint"], kinds=["capex", "opex"])
    assert s.total == D("1000.00")
    assert s.by_domain == {"it": D("600.00"), "security": D("300.00"), "joint": D("100.00")}
    assert s.by_kind == {"capex": D("300.00"), "opex": D("700.00")}
    assert s.security_share == D("0.4000")
    assert s.cost_avoidance == D("550.00")
    # Only risk-linked items count: (550 − 200) / 200.
    assert s.risk_linked_annual_cost == D("200.00")
    assert s.portfolio_rosi == D("1.7500")


def test_summary_of_nothing_has_no_share_and_no_return():
    s = money.summarise([], domains=["it"])
    assert s.total == D("0") and s.by_domain == {"it": D("0")}
    assert s.security_share is None and s.portfolio_rosi is None


def test_unfunded_must_haves():
    assert money.is_unfunded_must(_item(priority="must", amount="0"))
    assert money.is_unfunded_must(
        _item(priority="must", amount="10", option_count=2, has_chosen_option=False)
    )
    assert not money.is_unfunded_must(
        _item(priority="must", amount="10", option_count=2, has_chosen_option=True)
    )
    assert not money.is_unfunded_must(_item(priority="could", amount="0"))
    s = money.summarise([_item(priority="must", amount="0"), _item(priority="must")])
    assert s.unfunded_musts == 1


@pytest.mark.parametrize(
    "year,start,first,last",
    [
        (2027, 7, date(2026, 7, 1), date(2027, 6, 30)),
        (2026, 1, date(2026, 1, 1), date(2026, 12, 31)),
        (2024, 3, date(2023, 3, 1), date(2024, 2, 29)),
    ],
)
def test_fiscal_year_dates(year, start, first, last):
    assert fiscal.fiscal_year_dates(year, start) == (first, last)


def test_fiscal_year_of_a_day_and_label():
    assert fiscal.fiscal_year_of(date(2026, 7, 1), 7) == 2027
    assert fiscal.fiscal_year_of(date(2026, 6, 30), 7) == 2026
    assert fiscal.fiscal_year_of(date(2026, 6, 30), 1) == 2026
    assert fiscal.fiscal_year_label(2027, 7) == "FY2027 (1 Jul 2026 – 30 Jun 2027)"
    with pytest.raises(ValueError):
        fiscal.fiscal_year_dates(2026, 13)
