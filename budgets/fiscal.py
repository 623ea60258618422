"""Fiscal years: pure date arithmetic from an organization's start month.

A fiscal year is named after the calendar year in which it **ends**: with a
July start, FY2027 runs from 1 July 2026 to 30 June 2027; with a January
start, FY2026 is the calendar year 2026.
"""

from __future__ import annotations

import calendar
from datetime import date


def fiscal_year_dates(year: int, start_month: int) -> tuple[date, date]:
    """First and last day of fiscal year ``year``."""
    if not 1 <= start_month <= 12:
        raise ValueError("The fiscal year start month must be between 1 and 12.")
    start_year = year if start_month == 1 else year - 1
    start = date(start_year, start_month, 1)
    end_month = 12 if start_month == 1 else start_month - 1
    end = date(year, end_month, calendar.monthrange(year, end_month)[1])
    return start, end


def fiscal_year_of(day: date, start_month: int) -> int:
    """The fiscal year that contains ``day``."""
    if start_month == 1:
        return day.year
    return day.year + 1 if day.month >= start_month else day.year


def fiscal_year_span(year: int, start_month: int) -> str:
    """'1 Jul 2026 – 30 Jun 2027'."""
    start, end = fiscal_year_dates(year, start_month)
    return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"


def fiscal_year_label(year: int, start_month: int) -> str:
    """'FY2027 (1 Jul 2026 – 30 Jun 2027)'."""
    return f"FY{year} ({fiscal_year_span(year, start_month)})"
