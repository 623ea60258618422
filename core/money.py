"""Money, rounded in one place (docs/DEFINITIONS.md, "Money").

Amounts are Decimals from the database to the page, the PDF, the XLSX and the
JSON; never floats. ``to_money`` rounds to the cent (half up) and is the only
rounding of stored amounts; ``whole_units`` is the only rounding for display
(pages and PDFs show whole currency units). In JSON (the API, report
snapshots) an amount is text with two decimals, e.g. ``"1234.50"``:
``money_text`` writes it, ``to_money`` reads it back.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
UNIT = Decimal("1")


def to_money(value) -> Decimal:
    """A Decimal rounded half-up to the cent. Accepts Decimal, int or numeric
    text (None is zero); refuses floats, which cannot hold money exactly."""
    if isinstance(value, float):
        raise TypeError("Money must not be a float; pass a Decimal or text.")
    return Decimal(value if value is not None else 0).quantize(CENT, rounding=ROUND_HALF_UP)


def money_text(value) -> str | None:
    """An amount as JSON text with two decimals ("1234.50"), None when None."""
    return None if value is None else str(to_money(value))


def whole_units(value) -> Decimal:
    """An amount rounded half-up to whole currency units, for display."""
    if isinstance(value, float):  # charts hand over floats; text keeps the decimal exact
        value = repr(value)
    return Decimal(value).quantize(UNIT, rounding=ROUND_HALF_UP)
