"""The shared checks for untrusted text and numbers (pure, no database)."""

from decimal import Decimal

import pytest
from django import forms

from core.validation import is_one_line_field, parse_decimal, text_problem


@pytest.mark.parametrize(
    "text", ["a\x00b", "a\x07b", "\x1b[31m", "a\nb", "a\tb", "a\rb", "a\u2028b", "a\x85b"]
)
def test_one_line_text_refuses_control_characters(text):
    assert text_problem(text, one_line=True)


@pytest.mark.parametrize(
    "text,ok", [("a\nb\r\n\tc", True), ("a\x00b", False), ("a\x07b", False), ("é – ✓", True)]
)
def test_free_text_keeps_line_breaks_only(text, ok):
    assert (text_problem(text, one_line=False) is None) is ok


@pytest.mark.parametrize(
    "raw",
    [
        "NaN",
        "sNaN",
        "-nan",
        "Infinity",
        "-Infinity",
        "inf",
        "abc",
        "",
        None,
        True,
        "1e15",
        "100000000000000",
        float("nan"),
        float("inf"),
        [1],
    ],
)
def test_parse_decimal_refuses_non_numbers_and_out_of_range(raw):
    with pytest.raises(ValueError):
        parse_decimal(raw, max_digits=16, decimal_places=2)


def test_parse_decimal_rounds_to_the_field_and_checks_bounds():
    assert parse_decimal("1,234.567", max_digits=16, decimal_places=2) == Decimal("1234.57")
    assert parse_decimal("-5", max_digits=16, decimal_places=2) == Decimal("-5.00")
    with pytest.raises(ValueError, match="at least 0"):
        parse_decimal("-5", max_digits=16, decimal_places=2, min_value=Decimal(0))


def test_one_line_fields_are_told_from_free_text():
    assert is_one_line_field(forms.CharField(max_length=200))
    assert not is_one_line_field(forms.CharField(max_length=200, widget=forms.Textarea))
    assert not is_one_line_field(forms.CharField())
