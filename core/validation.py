"""Checks every entry point applies to untrusted text and numbers: forms,
API serializers, imports and bulk writes. One place, so that a title typed in
a form, sent to the API or read from a spreadsheet is refused for the same
reasons with the same words."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

# One-line text (titles, names, keys): no control characters at all, including
# tabs, line breaks and the Unicode line and paragraph separators.
# The bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) are
# refused too: they make a title read differently from what is stored.
_ONE_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Longer text keeps tabs and line breaks; other control characters (NUL first of
# all: PostgreSQL cannot store it) are refused.
_TEXT_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) make a
# name read differently from what it is ("Trojan Source" spoofing): refused in
# one-line text (names, titles, keys).
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")

NUL_MESSAGE = "contains a NUL character (\\0); remove it."
ONE_LINE_MESSAGE = "must be one line of plain text, without line breaks, tabs or control characters."
TEXT_MESSAGE = "contains control characters; remove them."
BIDI_MESSAGE = "contains invisible characters that reverse the reading direction; remove them."


def text_problem(value, *, one_line: bool) -> str | None:
    """Why ``value`` cannot be stored as text (None when it can)."""
    if not isinstance(value, str):
        return None
    if "\x00" in value:
        return NUL_MESSAGE
    if one_line and _BIDI_CONTROLS.search(value):
        return BIDI_MESSAGE
    if (_ONE_LINE_FORBIDDEN if one_line else _TEXT_FORBIDDEN).search(value):
        return ONE_LINE_MESSAGE if one_line else TEXT_MESSAGE
    return None


def validate_one_line(value) -> None:
    """Django / DRF validator for single-line text fields."""
    problem = text_problem(value, one_line=True)
    if problem:
        raise ValidationError(f"This field {problem}", code="control_characters")


def validate_text(value) -> None:
    """Django / DRF validator for multi-line text fields."""
    problem = text_problem(value, one_line=False)
    if problem:
        raise ValidationError(f"This field {problem}", code="control_characters")


def parse_decimal(
    raw,
    *,
    max_digits: int,
    decimal_places: int,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
) -> Decimal:
    """``raw`` as a finite Decimal that fits ``DecimalField(max_digits, decimal_places)``
    (rounded to its places). Raises ValueError with a plain message for text,
    NaN, sNaN, Infinity and numbers out of range."""
    if isinstance(raw, bool) or raw is None:
        raise ValueError("use a number such as 25000 or 0.5")
    try:
        value = (
            raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(",", "").replace(" ", ""))
        )
    except (InvalidOperation, ValueError):
        raise ValueError("use a number such as 25000 or 0.5") from None
    if not value.is_finite():
        raise ValueError("use a number such as 25000 or 0.5 (not NaN or Infinity)")
    limit = Decimal(10) ** (max_digits - decimal_places)
    if abs(value) >= limit:
        raise ValueError(
            f"is too large (at most {max_digits - decimal_places} digits before the decimal point)"
        )
    value = value.quantize(Decimal(1).scaleb(-decimal_places))
    if min_value is not None and value < min_value:
        raise ValueError(f"must be at least {min_value}")
    if max_value is not None and value > max_value:
        raise ValueError(f"must be at most {max_value}")
    return value


def is_one_line_field(field) -> bool:
    """Whether a form or serializer CharField holds one line (a title, a name)
    rather than free text: judged by its widget or style and its length."""
    from django.forms import Textarea

    if isinstance(getattr(field, "widget", None), Textarea):
        return False
    style = getattr(field, "style", None) or {}
    if style.get("base_template") == "textarea.html":
        return False
    max_length = getattr(field, "max_length", None)
    return max_length is not None and max_length <= 500
