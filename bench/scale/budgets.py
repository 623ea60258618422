"""Scale data for budget proposals (written once the budgets models land)."""
from __future__ import annotations


def available() -> bool:
    return False


def seed(ctx, people, *, proposals: int, items: int) -> dict:
    return {}
