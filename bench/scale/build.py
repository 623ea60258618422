"""Build the scale data set: the large organization, then the small ones."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from django.apps import apps
from django.db import transaction

from core.models import Organization

from . import LARGE_ORG_NAME, SMALL_ORG_COUNT
from . import kpis as kpi_part
from . import risks as risk_part
from .base import Ctx, OrgPeople, make_org, shared_password_hash

# Row counts of the large organization at scale 1 (the figures).
LARGE = {
    "risks": 20_000,
    "mitigations": 2_000,
    "kpis": 300,
    "months": 60,
    "proposals": 3,
    "budget_items": 2_000,
    "raci_activities": 200,
    "raci_parties": 15,
    "intake": 3_000,
    "reports": 12,
}
# Each of the small organizations around it.
SMALL = {
    "risks": 40,
    "mitigations": 8,
    "kpis": 10,
    "months": 12,
    "proposals": 1,
    "budget_items": 20,
    "raci_activities": 20,
    "raci_parties": 6,
    "intake": 30,
    "reports": 1,
}
LARGE_STAFF = {"cio": 1, "ciso": 1, "board": 3, "contributor": 40, "admin": 1}
SMALL_STAFF = {"cio": 1, "ciso": 1, "board": 1, "contributor": 2, "admin": 1}


def _has(app_label: str, *models: str) -> bool:
    try:
        for name in models:
            apps.get_model(app_label, name)
    except LookupError:
        return False
    return True


def _parts() -> list[tuple[str, Callable | None, str]]:
    """(name, seeding function or None, why it is skipped) in dependency order."""
    from . import budgets as budget_part
    from . import governance as governance_part

    return [
        ("kpis", kpi_part.seed if _has("kpis", "KPI", "Measurement") else None, "kpis models not there yet"),
        (
            "risks",
            risk_part.seed if _has("risks", "Risk", "Assessment", "Mitigation") else None,
            "risks models not there yet",
        ),
        ("budgets", budget_part.seed if budget_part.available() else None, "budgets models not there yet"),
        (
            "governance",
            governance_part.seed if governance_part.available() else None,
            "governance models not there yet",
        ),
    ]


def _sizes(ctx: Ctx, base: dict) -> dict:
    out = {k: ctx.n(v) for k, v in base.items()}
    # History length, parties, fiscal years and reported quarters are the
    # shape, not the volume: they stay the same at every scale.
    for key in ("months", "raci_parties", "proposals", "reports"):
        out[key] = base[key]
    return out


def _kwargs(part: str, sizes: dict) -> dict:
    return {
        "kpis": {"kpis": sizes["kpis"], "months": sizes["months"]},
        "risks": {"risks": sizes["risks"], "mitigations": sizes["mitigations"]},
        "budgets": {"proposals": sizes["proposals"], "items": sizes["budget_items"]},
        "governance": {
            "activities": sizes["raci_activities"],
            "parties": sizes["raci_parties"],
            "intake": sizes["intake"],
            "reports": sizes["reports"],
        },
    }[part]


def _seed_org(ctx: Ctx, people: OrgPeople, sizes: dict, parts, totals: dict) -> None:
    for name, seed, _why in parts:
        if seed is None:
            continue
        for key, value in seed(ctx, people, **_kwargs(name, sizes)).items():
            totals[key] = totals.get(key, 0) + value


def build(
    *, scale: float, seed: int, slug: str, say: Callable[[str], None], peers: int = SMALL_ORG_COUNT
) -> dict:
    """Create everything in one transaction; returns row counts per kind."""
    if Organization.objects.filter(slug=slug).exists():
        raise ValueError(
            f"An organization '{slug}' already exists. Use an empty database or another --org-slug."
        )
    ctx = Ctx(scale=scale, rng=random.Random(seed), say=say, password_hash=shared_password_hash())
    parts = _parts()
    for name, fn, why in parts:
        if fn is None:
            say(f"skipping {name}: {why}")
    large_totals: dict = {}
    small_totals: dict = {}
    with transaction.atomic():
        started = time.perf_counter()
        large = make_org(ctx, slug=slug, name=LARGE_ORG_NAME, staff=LARGE_STAFF, domain=f"{slug}.example")
        _seed_org(ctx, large, _sizes(ctx, LARGE), parts, large_totals)
        say(f"large organization {slug}: {_fmt(large_totals)} ({time.perf_counter() - started:.1f} s)")
        started = time.perf_counter()
        for i in range(1, peers + 1):
            small_slug = f"{slug}-peer-{i:02d}"
            small = make_org(
                ctx,
                slug=small_slug,
                name=f"Peer {i:02d} of {LARGE_ORG_NAME}",
                staff=SMALL_STAFF,
                domain=f"{small_slug}.example",
            )
            _seed_org(ctx, small, _sizes(ctx, SMALL), parts, small_totals)
        say(f"{peers} small organizations: {_fmt(small_totals)} ({time.perf_counter() - started:.1f} s)")
    return {"large": large_totals, "small": small_totals}


def _fmt(totals: dict) -> str:
    return ", ".join(f"{v:,} {k}" for k, v in totals.items()) or "people only"
