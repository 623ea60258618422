"""Scale data for governance: RACI, intake and alignment reports (written as
the governance models land)."""
from __future__ import annotations


def available() -> bool:
    return False


def seed(ctx, people, *, activities: int, parties: int, intake: int, reports: int) -> dict:
    return {}
