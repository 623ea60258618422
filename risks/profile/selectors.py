"""Every read of the CSF profile, scoped to the user. The page, the API, the
dashboard and the board report all read the profile through here.

``profile_progress`` is THE progress figure ("62% of target outcomes met"),
defined once here and in docs/DEFINITIONS.md ("Profile progress").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q

from core.models import Organization

from ..evidence.levels import with_counted_level
from ..models import CsfCategory, CsfFunction, Risk
from . import rules
from .models import CsfProfile, ProfileOutcome


def outcomes_visible(user, organization: Organization):
    """The organization's outcomes the user may see (the one visibility chokepoint)."""
    return ProfileOutcome.objects.visible_to(user).filter(organization=organization)


def outcome_list(user, organization: Organization, *, filters: dict | None = None):
    """Outcomes with their subcategory, category and function, in catalogue order.
    Filters: function, category (codes), lens, scope ("in"/"out"), gap (True), q (code or text)."""
    filters = filters or {}
    qs = with_counted_level(outcomes_visible(user, organization)).select_related(
        "subcategory__category__function"
    )
    if filters.get("function"):
        qs = qs.filter(subcategory__category__function__code=filters["function"])
    if filters.get("category"):
        qs = qs.filter(subcategory__category__code=filters["category"])
    if filters.get("lens"):
        qs = qs.filter(owner_lens=filters["lens"])
    if filters.get("scope") == "in":
        qs = qs.filter(in_scope=True)
    elif filters.get("scope") == "out":
        qs = qs.filter(in_scope=False)
    if filters.get("gap"):
        qs = qs.filter(gaps_q())
    if filters.get("divergent"):
        qs = qs.filter(owner_lens="joint", cio_level__isnull=False, ciso_level__isnull=False).exclude(
            cio_level=F("ciso_level")
        )
    if filters.get("q"):
        needle = filters["q"].strip()
        qs = qs.filter(Q(subcategory__code__icontains=needle) | Q(subcategory__statement__icontains=needle))
    return qs.order_by("subcategory__order")


def gaps_q() -> Q:
    """A gap: in scope and current below target; never assessed counts as not implemented.
    The current level as it counts (``counted_level``: expired evidence lowers it,
    risks.evidence.levels): querysets filtered with this are annotated by ``with_counted_level``."""
    return Q(in_scope=True) & (
        Q(counted_level__lt=F("target_level")) | Q(counted_level__isnull=True, target_level__gt=0)
    )


def profile_progress(organization: Organization) -> rules.Progress:
    """THE progress figure: of the in-scope outcomes, those whose current level
    is at or above their target. One query. The same number on the profile
    page, the dashboard, the API and the board report."""
    counts = with_counted_level(
        ProfileOutcome.objects.filter(organization=organization, in_scope=True)
    ).aggregate(scoped_count=Count("pk"), met_count=Count("pk", filter=~gaps_q()))
    return rules.Progress(met=counts["met_count"] or 0, in_scope=counts["scoped_count"] or 0)


def profile_progress_for(user, organization: Organization) -> rules.Progress | None:
    """The figure for someone who may see the profile; None for anyone else."""
    if not CsfProfile.objects.visible_to(user).filter(organization=organization).exists():
        return None
    return profile_progress(organization)


@dataclass
class CategoryGroup:
    category: CsfCategory
    outcomes: list = field(default_factory=list)


@dataclass
class FunctionGroup:
    function: CsfFunction
    categories: list = field(default_factory=list)


@dataclass
class ProfilePage:
    profile: CsfProfile
    groups: list
    function_bars: list
    category_bars: list
    progress: rules.Progress
    counts: dict


def _rows(outcomes) -> list[tuple[bool, int | None, int]]:
    return [(o.in_scope, o.counted_level, o.target_level) for o in outcomes]


def profile_page(
    user, organization: Organization, profile: CsfProfile, *, filters: dict | None = None
) -> ProfilePage:
    """Everything the profile page shows, in a fixed number of queries: the
    outcomes grouped by function and category (filtered), the bars per function
    and per category and the progress figure (always over the whole profile)."""
    every = list(outcome_list(user, organization))
    filters = filters or {}
    shown = every if not any(filters.values()) else list(outcome_list(user, organization, filters=filters))
    functions: dict[int, FunctionGroup] = {}
    categories: dict[int, CategoryGroup] = {}
    for outcome in shown:
        category = outcome.subcategory.category
        function_group = functions.setdefault(category.function_id, FunctionGroup(category.function))
        if category.pk not in categories:
            categories[category.pk] = CategoryGroup(category)
            function_group.categories.append(categories[category.pk])
        categories[category.pk].outcomes.append(outcome)
    by_function: dict[str, list] = {}
    by_category: dict[str, list] = {}
    names = {}
    for outcome in every:
        category = outcome.subcategory.category
        by_function.setdefault(category.function.code, []).append(outcome)
        by_category.setdefault(category.code, []).append(outcome)
        names[category.function.code] = category.function.name
        names[category.code] = category.name
    progress = rules.progress(_rows(every))
    counts = {
        "outcomes": len(every),
        "in_scope": progress.in_scope,
        "gaps": sum(1 for o in every if o.is_gap),
        "unassessed": sum(1 for o in every if o.in_scope and o.current_level is None),
        "divergent": sum(1 for o in every if rules.diverges(o.owner_lens, o.cio_level, o.ciso_level)),
        "shown": len(shown),
    }
    return ProfilePage(
        profile=profile,
        groups=list(functions.values()),
        function_bars=rules.bars((code, names[code], _rows(rows)) for code, rows in by_function.items()),
        category_bars=rules.bars((code, names[code], _rows(rows)) for code, rows in by_category.items()),
        progress=progress,
        counts=counts,
    )


def outcome_detail(user, organization: Organization, pk: int) -> ProfileOutcome:
    """One outcome with its subcategory and linked risks (404 for anyone who may not see it)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        with_counted_level(outcomes_visible(user, organization))
        .select_related("subcategory__category__function", "assessed_by", "profile")
        .prefetch_related(Prefetch("risks", queryset=Risk.objects.order_by("number"))),
        pk=pk,
    )


def gap_list(user, organization: Organization):
    """The organization's gaps (in scope, current below target), in catalogue order."""
    return outcome_list(user, organization).filter(gaps_q())


def profile_summary(organization: Organization) -> dict | None:
    """The profile as plain JSON-ready values, for a frozen report: the progress
    figure (``profile_progress``) and current against target per function.
    None when the organization has no profile yet. Three queries."""
    profile = CsfProfile.objects.filter(organization=organization).select_related("catalogue").first()
    if profile is None:
        return None
    progress = profile_progress(organization)
    rows: dict[str, list] = {}
    names: dict[str, str] = {}
    for code, name, in_scope, current, target in (
        with_counted_level(ProfileOutcome.objects.filter(profile=profile))
        .values_list(
            "subcategory__category__function__code",
            "subcategory__category__function__name",
            "in_scope",
            "counted_level",  # expired evidence lowers it (risks.evidence.levels)
            "target_level",
        )
        .order_by("subcategory__order")
    ):
        rows.setdefault(code, []).append((in_scope, current, target))
        names[code] = name
    return {
        "catalogue": profile.catalogue.version,
        "percent": progress.percent,
        "met": progress.met,
        "in_scope": progress.in_scope,
        "gaps": progress.gaps,
        "sentence": progress.sentence,
        "functions": [
            {
                "code": bar.code,
                "name": bar.name,
                "current": bar.current,
                "target": bar.target,
                "met": bar.met,
                "outcomes": bar.outcomes,
            }
            for bar in rules.bars((code, names[code], group) for code, group in rows.items())
        ],
    }
